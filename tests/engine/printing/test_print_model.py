"""What a print shows of a record: the default layout's sections in layout order, without the fields the reader's
field access hides or the record's show rules hide; subform rows, serial number; on SQLite and PostgreSQL."""

from __future__ import annotations

from engine.definitions.model import FieldDef, FormDef, LayoutSection, LayoutTab
from engine.errors import NotFound
from engine.printing.layout import print_sections
from engine.printing.record import print_record
from engine.records.model import Actor
from tests.conftest import add_user

import pytest

ADMIN = Actor(user_id=1, is_admin=True)


def _form() -> FormDef:
    fields = tuple(FieldDef(id=i, type=t, label=i) for i, t in (
        ("a", "text"), ("b", "text"), ("c", "text"), ("line", "divider"), ("d", "text"), ("e", "text"),
        ("f", "text")))
    layout = (("a", "b"), LayoutSection({"zh": "甲", "en": "A"}, (("c", "line"),)),
              LayoutTab({"zh": "乙", "en": "B"}, (("d",),)))
    return FormDef(id="x", app="y", label="X", fields=fields, layout=layout)


def test_sections_follow_the_layout_tabs_print_in_turn_and_unplaced_fields_come_last() -> None:
    sections = print_sections(_form(), hidden=())
    assert [(s.title, [[f.id for f in row] for row in s.rows]) for s in sections] == [
        (None, [["a", "b"]]), ({"zh": "甲", "en": "A"}, [["c"]]), ({"zh": "乙", "en": "B"}, [["d"]]),
        (None, [["e"], ["f"]])]


def test_hidden_fields_leave_no_cell_and_empty_sections_go() -> None:
    sections = print_sections(_form(), hidden={"b", "c", "e"})
    assert [[f.id for f in s.fields()] for s in sections] == [["a"], ["d"], ["f"]]


def test_a_field_hidden_from_the_reader_is_never_printed(shop) -> None:  # type: ignore[no-untyped-def]
    clerk_id = add_user(shop, "carl", admin=False, roles=("clerk",))
    clerk = Actor(user_id=clerk_id, roles=frozenset({"clerk"}))
    customer = shop.records.create(ADMIN, "customer", {"name": "华联电子", "email": "secret@hl.cn"})
    form = shop.definitions.forms["customer"]
    printed = print_record(shop, clerk, form, customer.id)
    assert "email" in printed.hidden and "email" not in printed.record.values
    assert "email" not in [f.id for s in printed.sections for f in s.fields()]
    assert not printed.shown("email")
    as_admin = print_record(shop, ADMIN, form, customer.id)
    assert as_admin.shown("email") and as_admin.record.values["email"] == "secret@hl.cn"


def test_show_rules_of_the_record_decide_and_the_serial_and_rows_are_there(shop) -> None:  # type: ignore[no-untyped-def]
    shop.records.create(ADMIN, "customer", {"name": "华联电子"})
    shop.records.create(ADMIN, "product", {"name": "Widget", "price": "5"})
    order = shop.records.create(ADMIN, "order", {"customer": 1, "items": [{"product": 1, "quantity": 2,
                                                                           "price": "5"}]})
    form = shop.definitions.forms["order"]
    printed = print_record(shop, ADMIN, form, order.id)
    assert "cancel_reason" in printed.hidden  # shown only when the order is cancelled
    assert printed.serial and printed.serial.startswith("SO-")
    assert printed.record.values["items"][0]["quantity"] == 2
    shop.records.update(ADMIN, "order", order.id, {"status": "cancelled", "cancel_reason": "缺货"},
                        version=order.version)
    printed = print_record(shop, ADMIN, form, order.id)
    assert printed.shown("cancel_reason") and "cancel_reason" in [f.id for s in printed.sections for f in s.fields()]


def test_a_record_out_of_the_readers_scope_is_not_found(shop) -> None:  # type: ignore[no-untyped-def]
    clerk_id = add_user(shop, "carl", admin=False, roles=("clerk",))
    clerk = Actor(user_id=clerk_id, roles=frozenset({"clerk"}))
    shop.records.create(ADMIN, "customer", {"name": "华联电子"})
    order = shop.records.create(ADMIN, "order", {"customer": 1})  # alice's: the clerk reads only their own
    with pytest.raises(NotFound):
        print_record(shop, clerk, shop.definitions.forms["order"], order.id)
