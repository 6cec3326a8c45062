"""Designer drafts: operations on the YAML, undo/redo, problems at their fields, publish, two admins' conflicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.definitions.changes import field_changes, merge
from engine.definitions.editing import EditError, edit_text, new_app_text, new_form_text
from engine.definitions.yamldoc import dump_document, load_document
from engine.drafts import DraftConflict
from engine.errors import DefinitionError
from tests.conftest import add_user

PRODUCT = "shop/sales/forms/product.yaml"
CRM = Path(__file__).resolve().parents[2] / "apps_templates" / "crm"


def test_every_crm_definition_round_trips_byte_identical() -> None:
    for path in sorted(CRM.rglob("*.yaml")):
        if path.name == "sample_data.yaml":
            continue  # data, not a definition: the designer never writes it
        text = path.read_text(encoding="utf-8")
        assert dump_document(load_document(text, path.name)) == text, path


def test_an_edit_keeps_comments_and_writes_the_house_style() -> None:
    text = ("form: t\nlabel: {zh: 甲, en: T}\nfields:\n  # the name comes first\n"
            "  - {id: name, type: text, label: {zh: 名称, en: Name}}  # shown as the title\n")
    text = edit_text(text, "t.yaml", {"op": "add_field", "field": {
        "type": "select", "label": {"zh": "等级", "en": "Grade"},
        "options": [{"value": "a", "label": {"zh": "甲", "en": "A"}, "color": "red"}]}})
    text = edit_text(text, "t.yaml", {"op": "change_field", "id": "name", "set": {"required": True}})
    assert text == (
        "form: t\nlabel: {zh: 甲, en: T}\nfields:\n  # the name comes first\n"
        "  - {id: name, type: text, label: {zh: 名称, en: Name}, required: true} # shown as the title\n"
        "  - id: select_1\n    type: select\n    label: {zh: 等级, en: Grade}\n    options:\n"
        "      - {value: a, label: {zh: 甲, en: A}, color: red}\n")


def test_a_new_form_and_app_are_valid_documents(shop: Any) -> None:
    form = new_form_text("lead", {"zh": "线索", "en": "Lead"})
    app = edit_text(new_app_text("crm2", {"zh": "客户", "en": "CRM"}), "crm2/app.yaml",
                    {"op": "set_app", "set": {"forms": ["lead"]}})
    shop.publish({"crm2/app.yaml": app, "crm2/forms/lead.yaml": form})
    assert shop.definitions.forms["lead"].fields[0].id == "name"
    assert app == "app: crm2\nlabel: {zh: 客户, en: CRM}\nforms: [lead]\n"


@pytest.mark.parametrize("op, message", [
    ({"op": "explode"}, "unknown operation"),
    ({"op": "add_field", "field": {"type": "nope", "label": "x"}}, "unknown field type"),
    ({"op": "add_field", "field": {"type": "text", "label": "x", "id": "Bad Id"}}, "not a valid field id"),
    ({"op": "add_field", "field": {"type": "text", "label": "x", "id": "name"}}, "already has a field"),
    ({"op": "add_field", "field": {"type": "text", "label": "x", "colour": 1}}, "no field has a property"),
    ({"op": "change_field", "id": "ghost", "set": {"required": True}}, "no field 'ghost'"),
    ({"op": "change_field", "id": "name", "set": {"type": "number"}}, "its own operation"),
    ({"op": "set_layout", "layout": [["name", "price", "name"]]}, "placed twice"),
    ({"op": "set_layout", "layout": [["name", "ghost"]]}, "no field 'ghost'"),
    ({"op": "set_layout", "layout": [{"tab": "A", "layout": [{"tab": "B", "layout": []}]}]}, "row, a section or a tab"),
    ({"op": "add_field", "field": {"type": "text", "label": "x", "help": [[[[[[[[[[[[[["x"]]]]]]]]]]]]]]}},
     "too deeply nested"),
    ({"op": "remove_rule", "index": 3}, "no rule at that position"),
])
def test_an_operation_that_cannot_apply_is_refused_with_the_problem(op: dict[str, Any], message: str) -> None:
    text = (Path(__file__).resolve().parents[1] / "fixtures" / "shop" / "sales" / "forms" / "product.yaml").read_text()
    with pytest.raises(EditError) as refused:
        edit_text(text, PRODUCT, op)
    assert message in refused.value.en
    assert refused.value.zh and refused.value.zh != refused.value.en


def test_removing_a_field_removes_it_from_layout_search_title_and_rules() -> None:
    text = ("form: t\nlabel: T\ntitle: code\nsearch: [code, name]\nfields:\n"
            "  - {id: code, type: text, label: Code}\n  - {id: name, type: text, label: Name}\n"
            "rules:\n  - {show: [code], when: \"name = 'x'\"}\n  - {require: [code, name]}\n"
            "layout:\n  - [code, name]\n")
    text = edit_text(text, "t.yaml", {"op": "remove_field", "id": "code"})
    assert text == ("form: t\nlabel: T\nsearch: [name]\nfields:\n  - {id: name, type: text, label: Name}\n"
                    "rules:\n  - {require: [name]}\nlayout:\n  - [name]\n")


def test_a_published_field_cannot_be_renamed_a_new_one_can(shop: Any) -> None:
    alice = 1
    with pytest.raises(EditError, match="published"):
        shop.drafts.edit(PRODUCT, alice, {"op": "rename_field", "id": "price", "new_id": "unit_price"})
    shop.drafts.edit(PRODUCT, alice, {"op": "add_field", "field": {"id": "colour", "type": "text", "label": "C"}})
    draft = shop.drafts.edit(PRODUCT, alice, {"op": "rename_field", "id": "colour", "new_id": "color"})
    assert [f["id"] for f in draft.doc["fields"]][-1] == "color"


def test_undo_redo_and_a_new_edit_drops_the_redo_tail(shop: Any) -> None:
    alice = 1
    original = shop.drafts.open(PRODUCT, alice).text
    shop.drafts.edit(PRODUCT, alice, {"op": "change_field", "id": "name", "set": {"help": "A"}})
    shop.drafts.edit(PRODUCT, alice, {"op": "change_field", "id": "name", "set": {"help": "B"}})
    draft = shop.drafts.undo(PRODUCT, alice)
    assert "help: A" in draft.text and draft.can_undo and draft.can_redo
    assert shop.drafts.undo(PRODUCT, alice).text == original
    assert not shop.drafts.undo(PRODUCT, alice).can_undo  # nothing further back: stays
    assert "help: A" in shop.drafts.redo(PRODUCT, alice).text
    draft = shop.drafts.edit(PRODUCT, alice, {"op": "change_field", "id": "name", "set": {"help": "C"}})
    assert "help: C" in draft.text and not draft.can_redo
    assert shop.sources()[PRODUCT] == original  # nothing is published by editing


def test_problems_are_located_at_their_field_and_rule(shop: Any) -> None:
    alice = 1
    shop.drafts.edit(PRODUCT, alice, {"op": "change_field", "id": "price", "set": {"formula": "name +* 1"}})
    draft = shop.drafts.edit(PRODUCT, alice, {"op": "add_rule", "rule": {"show": ["price"], "when": "ghost > 1"}})
    problems = shop.drafts.problems(draft)
    assert {p.field for p in problems if p.field} == {"price"}
    assert [p.rule for p in problems if p.rule is not None] == [0]
    plan = shop.drafts.plan(PRODUCT, alice)
    assert not plan.publishable and plan.schema is None
    before = _tables(shop)
    with pytest.raises(DefinitionError):
        shop.drafts.publish(PRODUCT, alice, "broken")
    assert _tables(shop) == before and shop.drafts.find(PRODUCT, alice) is not None


def test_publish_shows_the_plan_then_stores_a_version_with_author_and_note(shop: Any) -> None:
    alice = 1
    shop.drafts.edit(PRODUCT, alice, {"op": "add_field", "field": {"id": "colour", "type": "text", "label": "C"}})
    plan = shop.drafts.plan(PRODUCT, alice)
    assert plan.publishable and plan.conflict is None
    searched = [("add_index", "ix_f_sales_product_colour_trgm")] if shop.engine.dialect.name == "postgresql" else []
    assert [(s.action, s.name) for s in plan.schema.changes] == [("add_column", "colour"), *searched]  # quick search
    assert [(c.field, c.kind) for c in plan.changes] == [("colour", "added")]
    shop.drafts.publish(PRODUCT, alice, "colour for the catalogue")
    latest = shop.sources()[PRODUCT]
    assert "id: colour" in latest and shop.drafts.find(PRODUCT, alice) is None
    with shop.reading() as conn:
        row = conn.execute(sa.text("SELECT author_id, comment FROM meta_documents WHERE path = :p "
                                   "ORDER BY version DESC LIMIT 1"), {"p": PRODUCT}).one()
    assert tuple(row) == (alice, "colour for the catalogue")


def test_two_admins_on_different_fields_merge(shop: Any) -> None:
    alice, bob = 1, add_user(shop, "bob")
    shop.drafts.edit(PRODUCT, alice, {"op": "change_field", "id": "name", "set": {"help": "Shown in the shop"}})
    shop.drafts.edit(PRODUCT, bob, {"op": "change_field", "id": "price", "set": {"max": 100000}})
    shop.drafts.publish(PRODUCT, bob, "")
    plan = shop.drafts.plan(PRODUCT, alice)
    assert plan.conflict is not None and plan.conflict.mergeable and plan.conflict.fields == ("price",)
    shop.drafts.publish(PRODUCT, alice, "")
    text = shop.sources()[PRODUCT]
    assert "help: Shown in the shop" in text and "max: 100000" in text


def test_two_admins_on_the_same_field_the_second_is_refused_naming_the_change(shop: Any) -> None:
    alice, bob = 1, add_user(shop, "bob")
    shop.drafts.edit(PRODUCT, alice, {"op": "change_field", "id": "price", "set": {"max": 5}})
    shop.drafts.edit(PRODUCT, bob, {"op": "change_field", "id": "price", "set": {"max": 9}})
    shop.drafts.publish(PRODUCT, bob, "")
    before = shop.sources()
    with pytest.raises(DraftConflict) as refused:
        shop.drafts.publish(PRODUCT, alice, "")
    assert refused.value.conflict.conflicting == ("price",)
    assert refused.value.conflict.author == "bob"
    assert shop.sources() == before


def test_field_changes_summary() -> None:
    old = "form: t\nlabel: T\nfields:\n  - {id: a, type: text, label: A}\n  - {id: b, type: text, label: B}\n"
    new = ("form: t\nlabel: T2\nfields:\n  - {id: b, type: text, label: B, required: true}\n"
           "  - {id: a, type: text, label: A}\n  - {id: c, type: number, label: C}\n")
    changes = {(c.field, c.kind, c.keys) for c in field_changes(old, new)}
    assert changes == {("c", "added", ()), ("b", "changed", ("required",)), ("b", "moved", ()),
                       ("", "form", ("label",))} or \
        changes == {("c", "added", ()), ("b", "changed", ("required",)), ("a", "moved", ()), ("", "form", ("label",))}


def test_merge_places_a_field_added_by_me_after_its_neighbour() -> None:
    base = "form: t\nlabel: T\nfields:\n  - {id: a, type: text, label: A}\n  - {id: b, type: text, label: B}\n"
    theirs = base.replace("label: B}", "label: B2}")
    mine = base.replace("  - {id: b", "  - {id: x, type: text, label: X}\n  - {id: b")
    merged = merge(base, theirs, mine, "t.yaml")
    assert merged.conflicts == () and merged.text == theirs.replace(
        "  - {id: b", "  - {id: x, type: text, label: X}\n  - {id: b")


def _tables(ws: Any) -> dict[str, list[str]]:
    inspector = sa.inspect(ws.engine)
    return {t: sorted(c["name"] for c in inspector.get_columns(t)) for t in inspector.get_table_names()}


NEEDS_A_CHOICE = {"formula", "lookup", "relation", "relation_many", "rollup"}  # what to compute or link to


def test_a_field_added_from_the_palette_is_valid_at_once_unless_it_needs_a_choice() -> None:
    from engine.definitions.editing import new_form_text
    from engine.definitions.loader import load_sources
    from engine.fields.registry import type_names

    for ftype in type_names():
        text = edit_text(new_form_text("f", {"zh": "表", "en": "F"}), "a/forms/f.yaml",
                         {"op": "add_field", "field": {"type": ftype}})
        problems = load_sources({"a/app.yaml": "app: a\nlabel: A\nforms: [f]\n", "a/forms/f.yaml": text}).problems
        assert bool(problems) == (ftype in NEEDS_A_CHOICE), (ftype, problems)
    serial = edit_text(new_form_text("f", {"zh": "表", "en": "F"}), "f.yaml", {"op": "add_field", "field": {
        "type": "serial"}})
    assert "numbering: {field: serial_1, pattern: '{YYYY}{MM}{DD}-{seq:04}'}" in serial
    assert "numbering" not in edit_text(serial, "f.yaml", {"op": "remove_field", "id": "serial_1"})


def test_a_draft_checked_again_sees_what_another_process_published_meanwhile(shop: Any) -> None:
    """The designer keeps the check of a draft's text; a publish anywhere (here by a second process on the same
    database) makes the same text be checked again against what is now published."""
    from engine.workspace import Workspace

    order, customer = "shop/sales/forms/order.yaml", "shop/sales/forms/customer.yaml"
    draft = shop.drafts.edit(order, 1, {"op": "add_field", "field": {
        "type": "lookup", "id": "customer_since", "path": "customer.since", "label": {"zh": "合作起始", "en": "Since"}}})
    assert shop.drafts.problems(draft) == []
    other = Workspace.open(shop.settings)
    try:
        other.publish({customer: edit_text(other.sources()[customer], customer, {"op": "remove_field", "id": "since"})})
    finally:
        other.close()
    problems = shop.drafts.problems(draft)
    assert [p.field for p in problems] == ["customer_since"]
    assert "since" in problems[0].text("en")


def test_an_edit_after_a_refused_one_starts_from_the_text_not_from_the_refused_change() -> None:
    """The map behind the last edit's text is handed to the next edit; a refused edit must not leave its half-made
    change in it."""
    text = edit_text("form: t\nlabel: T\nfields:\n  - {id: name, type: text, label: Name}\n", "t.yaml",
                     {"op": "add_field", "field": {"type": "text", "id": "code", "label": "Code"}})
    with pytest.raises(EditError):
        edit_text(text, "t.yaml", {"op": "remove_field", "id": "ghost"})
    with pytest.raises(EditError):
        edit_text(text, "t.yaml", {"op": "add_field", "field": {"type": "text", "id": "code", "label": "Again"}})
    after = edit_text(text, "t.yaml", {"op": "change_field", "id": "code", "set": {"required": True}})
    fresh = dump_document(load_document(text, "t.yaml"))
    assert fresh == text
    assert after.count("id: code") == 1 and "Again" not in after and "required: true" in after
