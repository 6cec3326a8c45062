"""The data impact of a publish (measured in SQL before writing) and field type changes that convert the values."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.errors import DefinitionError, PublishRefused
from engine.records.model import Actor

ACTOR = Actor(user_id=1, is_admin=True)
APP = "lab/app.yaml"
ITEM = "lab/forms/item.yaml"
PARTY = "lab/forms/party.yaml"
TABLE = "f_lab_item"


def item_form(*fields: str) -> str:
    return "form: item\nlabel: {zh: 条目, en: Item}\nfields:\n" + "".join(f"  - {f}\n" for f in fields)


NAME = "{id: name, type: text, label: {zh: 名称, en: Name}}"
PARTY_FORM = "form: party\nlabel: {zh: 客户, en: Party}\nfields:\n  - {id: name, type: text, label: 名称}\n"


def field(fid: str, ftype: str, extra: str = "", label: str = "") -> str:
    shown = label or f"{{zh: {fid}中, en: {fid.title()}}}"
    return f"{{id: {fid}, type: {ftype}, label: {shown}{', ' + extra if extra else ''}}}"


@pytest.fixture
def lab(fresh_workspace):  # type: ignore[no-untyped-def]
    from tests.conftest import add_user

    ws = fresh_workspace
    ws.publish({APP: "app: lab\nlabel: {zh: 实验, en: Lab}\nforms: [item, party]\n", PARTY: PARTY_FORM,
                ITEM: item_form(NAME)})
    add_user(ws, "alice")
    return ws


def set_fields(ws: Any, *fields: str, **kw: Any) -> Any:
    return ws.publish({ITEM: item_form(NAME, *fields)}, **kw)


def plan_for(ws: Any, *fields: str) -> Any:
    return ws.publish_plan({ITEM: item_form(NAME, *fields)})


def sql(ws: Any, query: str) -> Any:
    with ws.engine.connect() as conn:
        return conn.execute(sa.text(query)).scalar()


def snapshot(ws: Any) -> tuple[Any, ...]:
    """Everything a refused publish must leave as it was: documents, the table's columns and rows."""
    with ws.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {TABLE} ORDER BY id"))]
        docs = conn.execute(sa.text("SELECT count(*) FROM meta_documents")).scalar()
    columns = [(c["name"], str(c["type"])) for c in sa.inspect(ws.engine).get_columns(TABLE)]
    return ws.sources(), docs, columns, rows


def values(ws: Any, fid: str) -> list[Any]:
    return [r.values.get(fid) for r in sorted(ws.records.list(ACTOR, "item").records, key=lambda r: r.id)]


def fill(ws: Any, fid: str, raws: list[Any]) -> list[int]:
    return [ws.records.create(ACTOR, "item", {"name": f"n{i}", fid: raw}).id for i, raw in enumerate(raws)]


# -- figures ----------------------------------------------------------------------------------------------------


def test_required_unique_and_removed_options_match_sql_counts(lab) -> None:  # type: ignore[no-untyped-def]
    grade = field("grade", "select", "options: [A, B, {value: c, label: {zh: 丙, en: Cee}}]")
    tags = field("tags", "multi_select", "options: [x, y, z]")
    set_fields(lab, field("code", "text"), grade, tags)
    rows = [("k1", "A", ["x"]), ("k1", "B", ["x", "y"]), (None, "c", ["y"]), ("k2", "c", None), ("k2", None, ["z"]),
            ("k3", "c", ["y", "z"]), (None, None, None)]
    ids = [lab.records.create(ACTOR, "item", {"name": f"n{i}", "code": c, "grade": g, "tags": t}).id
           for i, (c, g, t) in enumerate(rows)]
    lab.records.delete(ACTOR, "item", ids[5])  # in the recycle bin: not counted

    plan = plan_for(lab, field("code", "text", "required: true, unique: true"),
                    field("grade", "select", "options: [A, B]"), field("tags", "multi_select", "options: [x, z]"),
                    field("due", "date", "required: true"))
    found = {(i.field, i.kind): i for i in plan.impacts}
    live = sql(lab, f"SELECT count(*) FROM {TABLE} WHERE deleted_at IS NULL")
    assert live == 6

    required = found[("code", "required")]
    assert (required.count, required.total) == (sql(lab, f"SELECT count(*) FROM {TABLE} WHERE deleted_at IS NULL "
                                                         "AND code IS NULL"), live) == (2, 6)
    assert required.message["en"].startswith("2 of 6 records have no value for Code, which you made required")
    assert "“code中”没有值" in required.message["zh"] and not required.blocking
    assert found[("due", "required")].count == live  # a new required field: every live record lacks it

    unique = found[("code", "unique")]
    repeated = sql(lab, f"SELECT count(*) FROM (SELECT code FROM {TABLE} WHERE deleted_at IS NULL AND code IS NOT "
                        "NULL GROUP BY code HAVING count(*) > 1) AS r")
    assert unique.count == repeated == 2 and unique.blocking and unique.examples[0] in ("k1", "k2")

    option = found[("grade", "option_removed")]
    assert option.count == sql(lab, f"SELECT count(*) FROM {TABLE} WHERE deleted_at IS NULL AND grade = 'c'") == 2
    assert "'Cee'" in option.message["en"] and "“丙”" in option.message["zh"] and "'c'" not in option.message["en"]
    removed = found[("tags", "option_removed")]
    assert removed.count == 2 and removed.examples == ("y",)  # ["x","y"] and ["y"]; the deleted ["y","z"] is not
    assert not any(i.blocking for i in plan.impacts if i.kind != "unique")
    before = snapshot(lab)
    with pytest.raises(DefinitionError) as refused:  # sync refuses a unique field whose live values repeat
        set_fields(lab, field("code", "text", "unique: true"), grade, tags)
    assert "cannot be made unique" in str(refused.value)
    assert snapshot(lab) == before


def test_type_change_counts_what_converts_and_refuses_losses(lab) -> None:  # type: ignore[no-untyped-def]
    set_fields(lab, field("budget", "text", label="{zh: 预算, en: Budget}"))
    raws = ["12.5", " 7 ", "abc", "-0.125", "n/a", None, "1e5", "3.", "1,200"]
    ids = fill(lab, "budget", raws)
    lab.records.delete(ACTOR, "item", ids[4])  # a deleted record's value is converted too (restore keeps it)
    number = field("budget", "number", "decimals: 2", label="{zh: 预算, en: Budget}")

    plan = plan_for(lab, number)
    [impact] = plan.impacts
    stored = sql(lab, f"SELECT count(budget) FROM {TABLE}")
    numeric = sql(lab, f"SELECT count(*) FROM {TABLE} WHERE trim(budget) IN ('12.5', '7', '-0.125', '3.', '1,200')")
    assert (impact.kind, impact.total, impact.count) == ("type_change", stored, stored - numeric) == \
        ("type_change", 8, 3)
    assert set(impact.examples) == {"abc", "n/a", "1e5"} and impact.blocking and impact.lossy
    assert impact.message["en"].startswith("3 of 8 values of Budget do not convert to Number: 'abc'")
    assert impact.message["zh"].startswith("“预算”有 3 个值(共 8 个)无法转换为数字")
    # On PostgreSQL the text field's search (trigram) index goes first: a number is not searched.
    search = ["drop_index"] if lab.engine.dialect.name == "postgresql" else []
    assert [s.action for s in plan.schema.changes] == [*search, "alter_column"]

    before = snapshot(lab)
    with pytest.raises(PublishRefused) as refused:
        set_fields(lab, number)
    assert refused.value.problems[0].path == "/fields/1"
    assert "do not convert to Number" in str(refused.value) and refused.value.impacts == plan.impacts
    assert snapshot(lab) == before

    result = set_fields(lab, number, accept_losses=True)
    assert result.impacts == plan.impacts
    assert values(lab, "budget") == [Decimal("12.50"), Decimal("7.00"), None, Decimal("-0.13"), None, None,
                                     Decimal("3.00"), Decimal("1200.00")]
    assert lab.records.get(ACTOR, "item", ids[4], deleted=True).values["budget"] is None
    assert lab.plan().is_empty(), lab.plan().describe()


def test_a_conversion_without_losses_publishes_directly(lab) -> None:  # type: ignore[no-untyped-def]
    set_fields(lab, field("qty", "text"))
    fill(lab, "qty", ["3", "4.0", None])
    plan = plan_for(lab, field("qty", "integer"))
    assert [(i.count, i.total, i.blocking) for i in plan.impacts] == [(0, 2, False)]
    assert plan.impacts[0].message["en"] == "all 2 values of Qty convert to Integer"
    set_fields(lab, field("qty", "integer"))
    assert values(lab, "qty") == [3, 4, None]


def test_lowered_max_length_and_narrowed_range(lab) -> None:  # type: ignore[no-untyped-def]
    set_fields(lab, field("code", "text"), field("note", "textarea"), field("score", "integer"))
    for i, (code, note, score) in enumerate([("abcdef", "x" * 30, 5), ("ab", "short", 50), ("abcdefgh", None, -1)]):
        lab.records.create(ACTOR, "item", {"name": f"n{i}", "code": code, "note": note, "score": score})
    changed = (field("code", "text", "max_length: 4"), field("note", "textarea", "max_length: 10"),
               field("score", "integer", "min: 0, max: 10"))
    found = {i.field: i for i in plan_for(lab, *changed).impacts}
    assert (found["code"].count, found["code"].blocking) == (2, True)  # a VARCHAR(4) column: longer values are cut
    assert (found["note"].count, found["note"].blocking) == (1, False)  # a TEXT column keeps them
    assert found["score"].kind == "out_of_range" and found["score"].count == 2
    assert set(found["score"].examples) == {"50", "-1"}
    with pytest.raises(PublishRefused):
        set_fields(lab, *changed)
    set_fields(lab, *changed, accept_losses=True)
    assert values(lab, "code") == ["abcd", "ab", "abcd"]
    assert values(lab, "note") == ["x" * 30, "short", None]


# -- conversions ------------------------------------------------------------------------------------------------

OPTIONS = "options: [A, B, {value: c, label: {zh: 丙, en: Cee}}]"
ROUND_TRIPS: list[tuple[str, str, str, list[Any], list[Any]]] = [
    # (from, to, extra props of the field (before a '|': of the old type only), raw values, values after the change)
    ("integer", "number", "", [3, -40, None], [Decimal("3.00"), Decimal("-40.00"), None]),
    ("number", "integer", "", ["3", "-40.00", None], [3, -40, None]),
    ("text", "textarea", "", ["a b", "x", None], ["a b", "x", None]),
    ("number", "text", "", ["3.5", "-40", None], ["3.50", "-40.00", None]),
    ("select", "multi_select", OPTIONS, ["A", "c", None], [["A"], ["c"], None]),
    ("select", "radio", OPTIONS, ["A", "c", None], ["A", "c", None]),
    ("select", "text", OPTIONS + "|", ["A", "c", None], ["A", "丙", None]),
    ("multi_select", "tags", OPTIONS, [["A"], ["c", "B"], None], [["A"], ["c", "B"], None]),
    ("date", "datetime", "", ["2024-03-05", "1999-12-31", None],
     [datetime(2024, 3, 4, 16, tzinfo=timezone.utc), datetime(1999, 12, 30, 16, tzinfo=timezone.utc), None]),
]


@pytest.mark.parametrize(("old", "new", "extra", "raws", "converted"), ROUND_TRIPS,
                         ids=[f"{o}-{n}" for o, n, *_ in ROUND_TRIPS])
def test_type_conversions_round_trip(lab, old, new, extra, raws, converted) -> None:  # type: ignore[no-untyped-def]
    old_extra, bar, new_extra = extra.partition("|")
    set_fields(lab, field("v", old, old_extra))
    fill(lab, "v", raws)
    original = values(lab, "v")
    result = set_fields(lab, field("v", new, new_extra if bar else old_extra))
    assert values(lab, "v") == converted
    assert not any(i.blocking for i in result.impacts)
    assert lab.plan().is_empty(), lab.plan().describe()
    set_fields(lab, field("v", old, old_extra))
    assert values(lab, "v") == original
    assert lab.plan().is_empty(), lab.plan().describe()


def test_fractions_do_not_convert_to_integer_and_lists_keep_to_one_item(lab) -> None:  # type: ignore[no-untyped-def]
    set_fields(lab, field("n", "number"), field("m", "multi_select", OPTIONS))
    for i, (n, m) in enumerate([("2.5", ["A", "B"]), ("4", ["c"]), (None, None)]):
        lab.records.create(ACTOR, "item", {"name": f"n{i}", "n": n, "m": m})
    plan = plan_for(lab, field("n", "integer"), field("m", "select", "options: [A, B]"))
    found = {i.field: i for i in plan.impacts}
    assert (found["n"].count, found["n"].examples) == (1, ("2.5",) if lab.engine.dialect.name == "sqlite"
                                                       else ("2.50",))
    assert found["m"].count == 2  # two items, and an item that is no longer an option
    set_fields(lab, field("n", "integer"), field("m", "select", "options: [A, B]"), accept_losses=True)
    assert values(lab, "n") == [None, 4, None] and values(lab, "m") == [None, None, None]


def test_text_becomes_a_choice_by_value_or_label(lab) -> None:  # type: ignore[no-untyped-def]
    set_fields(lab, field("g", "text"))
    fill(lab, "g", ["A", "Cee", "丙", "zzz", None])
    plan = plan_for(lab, field("g", "select", OPTIONS))
    assert (plan.impacts[0].count, plan.impacts[0].examples) == (1, ("zzz",))
    set_fields(lab, field("g", "select", OPTIONS), accept_losses=True)
    assert values(lab, "g") == ["A", "c", "c", None, None]


def test_refused_type_changes_name_both_types_and_why(lab) -> None:  # type: ignore[no-untyped-def]
    link = field("who", "relation", "to: party")
    set_fields(lab, link, field("rows", "subform", "fields: [{id: q, type: integer, label: Q}]"))
    before = snapshot(lab)
    with pytest.raises(DefinitionError) as refused:
        set_fields(lab, field("who", "number"), field("rows", "text"))
    first, second = refused.value.problems
    assert first.path == "/fields/1/type" and first.file == ITEM
    assert first.text("en") == ("Who: a field of type Relation cannot become Number: the values of relations, people "
                             "and departments are links to records, users or departments")
    assert second.path == "/fields/2/type" and "Subform cannot become Text" in second.text("en")
    assert "stored in a table of their own" in second.text("en")
    with pytest.raises(DefinitionError):
        lab.publish_plan({ITEM: item_form(NAME, field("who", "number"))})
    assert snapshot(lab) == before


def test_subform_columns_are_measured_and_converted(lab) -> None:  # type: ignore[no-untyped-def]
    rows = "fields: [{id: q, type: text, label: {zh: 数量, en: Qty}}]"
    set_fields(lab, field("items", "subform", rows))
    for i, qs in enumerate([["1", "x"], ["2"]]):
        lab.records.create(ACTOR, "item", {"name": f"n{i}", "items": [{"q": q} for q in qs]})
    changed = field("items", "subform", "fields: [{id: q, type: integer, label: {zh: 数量, en: Qty}}]")
    [impact] = plan_for(lab, changed).impacts
    assert (impact.field, impact.count, impact.total, impact.examples) == ("items.q", 1, 3, ("x",))
    with pytest.raises(PublishRefused) as refused:
        set_fields(lab, changed)
    assert refused.value.problems[0].path == "/fields/1/fields/0"
    set_fields(lab, changed, accept_losses=True)
    assert [[r["q"] for r in v] for v in values(lab, "items")] == [[1, None], [2]]


def test_cli_plan_prints_the_impacts(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from engine.cli import main
    from engine.settings import Settings
    from engine.workspace import Workspace

    home = str(tmp_path / "home")
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--home", home]).exit_code == 0
    folder = tmp_path / "defs"
    (folder / "forms").mkdir(parents=True)
    (folder / "app.yaml").write_text("app: lab\nlabel: {zh: 实验, en: Lab}\nforms: [item]\n", encoding="utf-8")
    (folder / "forms" / "item.yaml").write_text(item_form(NAME, field("budget", "text")), encoding="utf-8")
    assert runner.invoke(main, ["publish", str(folder), "--home", home, "--prefix", "lab"]).exit_code == 0
    ws = Workspace.open(Settings.load({"home": home}))
    try:
        for i, raw in enumerate(["1", "abc"]):
            ws.records.create(ACTOR, "item", {"name": f"n{i}", "budget": raw})
    finally:
        ws.close()
    (folder / "forms" / "item.yaml").write_text(item_form(NAME, field("budget", "number")), encoding="utf-8")
    out = runner.invoke(main, ["publish", str(folder), "--home", home, "--prefix", "lab", "--plan"]).output
    assert "1 of 2 values of Budget does not convert to Number: 'abc'" in out and "nothing was written" in out
    refused = runner.invoke(main, ["publish", str(folder), "--home", home, "--prefix", "lab"])
    assert refused.exit_code == 1 and "accept the losses" in refused.output
    done = runner.invoke(main, ["publish", str(folder), "--home", home, "--prefix", "lab", "--accept-losses"])
    assert done.exit_code == 0, done.output
    assert "published 1 document(s)" in done.output


def test_a_draft_plan_shows_the_impacts_and_publish_accepts_the_losses(lab) -> None:  # type: ignore[no-untyped-def]
    set_fields(lab, field("budget", "text", label="{zh: 预算, en: Budget}"), field("who", "relation", "to: party"))
    fill(lab, "budget", ["5", "abc"])
    lab.drafts.open(ITEM, 1)
    lab.drafts.edit(ITEM, 1, {"op": "change_type", "id": "who", "type": "number"})
    problem = lab.drafts.plan(ITEM, 1).problems[0]
    assert problem.field == "who" and "cannot become Number" in problem.text("en")
    lab.drafts.undo(ITEM, 1)
    lab.drafts.edit(ITEM, 1, {"op": "change_type", "id": "budget", "type": "number"})
    plan = lab.drafts.plan(ITEM, 1)
    assert [(i.field, i.count, i.total, i.examples) for i in plan.impacts] == [("budget", 1, 2, ("abc",))]
    with pytest.raises(PublishRefused):
        lab.drafts.publish(ITEM, 1, "budget as a number")
    lab.drafts.publish(ITEM, 1, "budget as a number", accept_losses=True)
    assert values(lab, "budget") == [Decimal("5.00"), None]
