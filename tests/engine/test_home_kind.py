"""The `home` document: checked at publish (file:line, zh and en), built per role, merged for several roles, edited."""

from __future__ import annotations

from pathlib import Path

from engine.definitions.loader import load_sources, read_directory
from engine.home.edits import add_block, move_block, remove_block
from engine.home.model import build_home
from engine.definitions.yamlsource import parse_yaml
from tests.conftest import FIXTURES

SHOP = {f"shop/{k}": v for k, v in read_directory(FIXTURES / "shop").items()}
CRM = Path(__file__).parents[2] / "apps_templates" / "crm"


def _problems(home: str, path: str = "shop/home.yaml") -> list[tuple[int, str, str]]:
    result = load_sources({**SHOP, path: home})
    return [(p.line, p.message["zh"], p.message["en"]) for p in result.problems]  # type: ignore[index]


GOOD = """home: shop
roles:
  clerk:
    - {block: todos}
    - block: attention
      form: customer
      label: {zh: 我的A类客户, en: My A customers}
      filter: [{field: grade, op: eq, value: A}, {field: owner, op: eq, value: $me}, {field: since, op: lt, value: $today}]
  default:
    - {block: apps}
"""


def test_a_sound_home_document_has_no_problems_and_is_built_per_role() -> None:
    result = load_sources({**SHOP, "shop/home.yaml": GOOD})
    assert result.problems == []
    home = result.definitions.home
    assert home is not None and home.path == "shop/home.yaml"
    assert [b.block for b in home.roles["clerk"]] == ["todos", "attention"]
    assert home.roles["clerk"][1].filters[0].value == "A" and home.roles["clerk"][1].limit == 5


def test_bad_blocks_forms_fields_operators_values_and_roles_are_named_with_their_line() -> None:
    bad = """home: shop
roles:
  clerk:
    - {block: todo}
    - {block: attention, form: custom, label: {zh: 甲, en: A}}
    - block: attention
      form: customer
      filter: [{field: grad, op: eq, value: A}, {field: grade, op: before, value: A}, {field: grade, op: eq}]
    - {block: attention, form: customer, filter: [{field: grade, op: eq, value: $me}, {field: email, op: eq, value: $now}]}
  nobody:
    - {block: todos}
"""
    found = _problems(bad)
    en = {e: line for line, _zh, e in found}
    assert en["no block 'todo' (there are todos, attention, dashboards, apps)"] == 4
    assert en["no form 'custom'"] == 5
    assert any(e.startswith("unknown field 'grad'") and line == 8 for e, line in en.items())
    assert any(e.startswith("'grade' has no operator 'before'") for e in en)
    assert "'grade eq' needs a value" in en
    assert "'grade' is not a person field: it cannot be compared with $me" in en
    assert "'email' is not a date field: it cannot be compared with $now" in en
    assert en["no role 'nobody'"] == 11  # the line of its blocks
    assert all(zh and zh != e for _line, zh, e in found)  # every problem in Chinese too


def test_the_schema_refuses_unknown_keys_and_a_home_document_is_one_per_workspace() -> None:
    found = _problems("home: shop\nroles:\n  clerk:\n    - {block: todos, colour: red}\n")
    assert found and found[0][0] == 4
    two = load_sources({**SHOP, "shop/home.yaml": GOOD, "home.yaml": GOOD.replace("home: shop", "home: other")})
    assert any("one home document" in p.message["en"] for p in two.problems)  # type: ignore[index]
    deep = _problems(GOOD, "shop/sales/home.yaml")
    assert any("template root" in e for _l, _z, e in deep)


def test_several_roles_see_the_union_each_block_once_in_a_sensible_order() -> None:
    doc = parse_yaml("""home: x
roles:
  rep:
    - {block: todos}
    - {block: attention, form: f, filter: [{field: a, op: empty}]}
    - {block: dashboards}
  manager:
    - {block: todos}
    - {block: attention, form: g}
    - {block: dashboards}
  default:
    - {block: apps}
""", "home.yaml")
    home = build_home(doc)
    merged = home.blocks_for(["manager", "rep"])
    assert [(b.block, b.form) for b in merged] == [("todos", None), ("attention", "f"), ("attention", "g"),
                                                   ("dashboards", None)]
    assert [b.block for b in home.blocks_for(["someone_else"])] == ["apps"]
    assert [b.form for b in home.blocks_for(["manager"])] == [None, "g", None]


def test_edits_add_move_and_remove_keep_the_rest_of_the_document() -> None:
    text = (CRM / "home.yaml").read_text(encoding="utf-8")
    added = add_block(text, "finance", {"block": "attention", "form": "payment", "label": {"zh": "甲", "en": "A"},
                                        "filter": [{"field": "status", "op": "eq", "value": "pending"}]})
    assert added.startswith("# The home page") and "{field: status, op: eq, value: pending}" in added
    home = build_home(parse_yaml(added, "home.yaml"))
    assert [b.block for b in home.roles["finance"]][-1] == "attention"
    moved = build_home(parse_yaml(move_block(added, "finance", 4, -1), "home.yaml"))
    assert [b.block for b in moved.roles["finance"]] == ["todos", "attention", "attention", "attention", "dashboards"]
    removed = build_home(parse_yaml(remove_block(added, "finance", 0), "home.yaml"))
    assert [b.block for b in removed.roles["finance"]][0] == "attention"
    fresh = build_home(parse_yaml(add_block(None, "clerk", {"block": "todos"}), "home.yaml"))
    assert [b.block for b in fresh.roles["clerk"]] == ["todos"]


def test_the_crm_home_document_is_sound() -> None:
    result = load_sources({f"crm/{k}": v for k, v in read_directory(CRM).items()})
    assert result.problems == []
    home = result.definitions.home
    assert home is not None
    roles = {r.id for r in result.definitions.roles}
    assert set(home.roles) - {"default"} <= roles
    assert {"sales_rep", "sales_manager", "management", "service_agent", "marketing", "finance"} <= set(home.roles)


def test_a_blocks_conditions_are_replaced_in_place() -> None:
    from engine.home.edits import HomeEditError, set_conditions
    import pytest

    text = (CRM / "home.yaml").read_text(encoding="utf-8")
    added = add_block(text, "finance", {"block": "attention", "form": "payment", "label": {"zh": "甲", "en": "A"},
                                        "limit": 3})
    last = len(build_home(parse_yaml(added, "home.yaml")).roles["finance"]) - 1
    changed = set_conditions(added, "finance", last, [{"field": "status", "op": "in", "value": ["pending"]},
                                                      {"field": "paid_date", "op": "lt", "value": "$today"}])
    block = build_home(parse_yaml(changed, "home.yaml")).roles["finance"][last]
    assert [(f.field, f.op, f.value) for f in block.filters] == [("status", "in", ("pending",)),
                                                                 ("paid_date", "lt", "$today")]
    assert block.limit == 3 and changed.startswith("# The home page")
    assert changed.index("filter:", changed.index("label: {zh: 甲")) < changed.index("limit: 3")  # in the house order
    cleared = set_conditions(changed, "finance", last, [])
    assert build_home(parse_yaml(cleared, "home.yaml")).roles["finance"][last].filters == ()
    with pytest.raises(HomeEditError):
        set_conditions(changed, "finance", 99, [])
