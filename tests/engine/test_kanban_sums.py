"""A kanban board's column counts and sums: one aggregate query under the list's filters and search and the reader's
scope, on SQLite and PostgreSQL; and what a form's `kanban:` declares (cards, sum, grouping) or defaults to."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from engine.definitions.kanban import card_fields, grouping_fields, sum_field
from engine.definitions.loader import load_sources
from engine.errors import DefinitionError, PermissionDenied, QueryInvalid
from engine.records.model import Actor, Filter, Query
from engine.records.sums import totals_query
from tests.conftest import FIXTURES, add_user, prepared_workspace, publish_directory

ADMIN = Actor(user_id=1, is_admin=True)
DEALS = [  # name, stage, region, amount, owner (rep or ann), close date
    ("华联扩容", "lead", "华东", "1200.50", "rep", None),
    ("东方物流", "lead", "华北", "800.00", "ann", None),
    ("北辰软件", "proposal", "华东", "30000.00", "rep", "2024-04-30"),
    ("南山茶业", "proposal", "华东", None, "rep", None),
    ("西湖旅游", "won", "华南", "5000.25", "ann", "2024-03-01"),
    ("无阶段", None, "华东", "99.99", "rep", None),
]


def _deals_recipe(ws) -> None:  # type: ignore[no-untyped-def]
    publish_directory(ws, FIXTURES / "deals", "deals/")
    add_user(ws, "alice")


@pytest.fixture
def deals(request: pytest.FixtureRequest, backend: str):  # type: ignore[no-untyped-def]
    """The deals fixture with a rep (scope: own), another rep, an auditor who may not see amounts, and DEALS."""
    ws = prepared_workspace(request, _deals_recipe)
    users = {name: add_user(ws, name, admin=False, roles=(role,))
             for name, role in (("rep", "rep"), ("ann", "rep"), ("audit", "auditor"))}
    for name, stage, region, amount, owner, close in DEALS:
        ws.records.create(ADMIN, "deal", {"name": name, "stage": stage, "region": region, "amount": amount,
                                          "owner": users[owner], "close_date": close})
    ws.users = users
    return ws


def actor(ws, name: str) -> Actor:  # type: ignore[no-untyped-def]
    role = "auditor" if name == "audit" else "rep"
    return Actor(user_id=ws.users[name], roles=frozenset({role}))


def table(totals) -> dict[str, tuple[int, Decimal | None]]:  # type: ignore[no-untyped-def]
    return {value: (t.count, t.sum) for value, t in totals.groups.items()}


def test_an_administrator_sees_every_column_counted_and_summed(deals) -> None:  # type: ignore[no-untyped-def]
    totals = deals.records.totals(ADMIN, "deal", Query(), "stage", "amount")
    assert table(totals) == {"lead": (2, Decimal("2000.50")), "proposal": (2, Decimal("30000.00")),
                             "won": (1, Decimal("5000.25")), "": (1, Decimal("99.99"))}
    assert totals.of("nothing").count == 0 and totals.of("nothing").sum == Decimal(0)


def test_a_scoped_user_counts_and_sums_only_their_records_under_the_filter(deals) -> None:  # type: ignore[no-untyped-def]
    rep = actor(deals, "rep")
    assert table(deals.records.totals(rep, "deal", Query(), "stage", "amount")) == {
        "lead": (1, Decimal("1200.50")), "proposal": (2, Decimal("30000.00")), "": (1, Decimal("99.99"))}
    east_big = Query(filters=(Filter("region", "eq", "华东"), Filter("amount", "ge", 1000)))
    assert table(deals.records.totals(rep, "deal", east_big, "stage", "amount")) == {
        "lead": (1, Decimal("1200.50")), "proposal": (1, Decimal("30000.00"))}
    ann = actor(deals, "ann")
    assert table(deals.records.totals(ann, "deal", Query(search="西湖"), "stage", "amount")) == {
        "won": (1, Decimal("5000.25"))}


def test_a_field_the_reader_may_not_see_is_not_summed(deals) -> None:  # type: ignore[no-untyped-def]
    totals = deals.records.totals(actor(deals, "audit"), "deal", Query(), "stage", "amount")
    assert totals.measured is None and table(totals)["proposal"] == (2, None)
    with pytest.raises(QueryInvalid):  # a filter on it is refused as in lists
        deals.records.totals(actor(deals, "audit"), "deal", Query(filters=(Filter("amount", "gt", 0),)), "stage")
    with pytest.raises(PermissionDenied):  # no read permission on task at all
        deals.records.totals(actor(deals, "audit"), "task", Query(), "priority")


def test_counts_without_a_sum_and_the_statement_is_one_grouped_select(deals) -> None:  # type: ignore[no-untyped-def]
    assert table(deals.records.totals(ADMIN, "deal", Query(), "region")) == {
        "华东": (4, None), "华北": (1, None), "华南": (1, None)}
    rt = deals.records.runtime("deal")
    stmt = totals_query(rt, Query(filters=(Filter("region", "eq", "华东"),)), deals.records.filter_context(ADMIN),
                        "stage", "amount")
    sql = str(stmt.compile(dialect=deals.engine.dialect))
    assert sql.count("SELECT") == 1 and "GROUP BY" in sql and "sum(" in sql.lower()
    with deals.reading() as conn:
        assert len(conn.execute(stmt).all()) == 3
    with pytest.raises(QueryInvalid):
        totals_query(rt, Query(), deals.records.filter_context(ADMIN), "nope", None)


def test_cards_and_sums_default_or_follow_the_forms_kanban_settings(deals) -> None:  # type: ignore[no-untyped-def]
    deal, task = deals.definitions.forms["deal"], deals.definitions.forms["task"]
    assert [f.id for f in card_fields(deal, "stage")] == ["amount", "owner", "close_date"]
    assert sum_field(deal).id == "amount" and [f.id for f in grouping_fields(deal)] == ["stage"]
    assert [f.id for f in card_fields(task, "priority")] == ["hours", "stage", "due"]
    assert sum_field(task).id == "hours" and [f.id for f in grouping_fields(task)] == ["priority", "stage"]
    hours = deals.records.totals(ADMIN, "task", Query(), "priority", "hours")
    assert table(hours) == {}
    deals.records.create(ADMIN, "task", {"name": "报价", "priority": "high", "hours": "2.5"})
    deals.records.create(ADMIN, "task", {"name": "拜访", "priority": "high", "hours": "1.5"})
    assert table(deals.records.totals(ADMIN, "task", Query(), "priority", "hours")) == {"high": (2, Decimal("4.0"))}


def test_a_kanban_naming_unfit_fields_is_refused_with_the_reasons(tmp_path: Path) -> None:
    texts = {str(p.relative_to(FIXTURES / "deals")): p.read_text(encoding="utf-8")
             for p in (FIXTURES / "deals").rglob("*.yaml")}
    texts["crm/forms/task.yaml"] = texts["crm/forms/task.yaml"].replace(
        "kanban: {by: priority, card_fields: [hours, stage, due], sum: hours}",
        "kanban: {by: name, card_fields: [hourz, due], sum: stage}")
    with pytest.raises(DefinitionError) as failed:
        load_sources(texts).raise_for_problems()
    found = str(failed.value)
    assert "'name' is not one" in found and "unknown field 'hourz'" in found and "'stage' is not one" in found
    texts["crm/forms/task.yaml"] = texts["crm/forms/task.yaml"].replace("sum: stage", "sum: false, extra: 1")
    with pytest.raises(DefinitionError):
        load_sources(texts).raise_for_problems()
