"""Defaults from a related record (`default: {from: customer, field: grade}`): copied on create only, under the
creator's access, and checked when the definitions load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.definitions.loader import load_sources, read_directory
from engine.records.model import Actor
from tests.conftest import add_user

FIXTURES = Path(__file__).parents[1] / "fixtures"
ALICE = Actor(user_id=1, is_admin=True)
ANCHOR = "  - {id: cancel_reason, type: text, label: {zh: 取消原因, en: Cancel reason}}\n"
LINKED = (
    "  - {id: customer_grade, type: select, label: {zh: 客户等级, en: Customer grade}, options: [A, B, C],\n"
    "     default: {from: customer, field: grade}}\n"
    "  - {id: reply_to, type: email, label: {zh: 回复邮箱, en: Reply to}, default: {from: customer, field: email}}\n"
)


def linked_sources(extra: str = LINKED) -> dict[str, str]:
    """The shop definitions with fields of the order defaulting from its customer."""
    sources = read_directory(FIXTURES / "shop")
    order = "sales/forms/order.yaml"
    assert ANCHOR in sources[order]
    sources[order] = sources[order].replace(ANCHOR, ANCHOR + extra)
    return sources


@pytest.fixture
def linked(fresh_workspace):  # type: ignore[no-untyped-def]
    """The shop with linked defaults, a customer (grade A, an email) and a clerk (the email is hidden to clerks)."""
    ws = fresh_workspace
    ws.publish({f"shop/{k}": v for k, v in linked_sources().items()})
    add_user(ws, "alice")
    add_user(ws, "carl", admin=False, roles=("clerk",))
    ws.records.create(ALICE, "customer", {"name": "华联电子", "grade": "A", "email": "buy@hualian.cn"})
    ws.records.create(ALICE, "customer", {"name": "Acme", "grade": "C", "email": "ops@acme.com"})
    return ws


CLERK = Actor(user_id=2, roles=frozenset({"clerk"}))


def test_a_new_record_takes_the_related_records_values(linked: Any) -> None:
    order = linked.records.create(ALICE, "order", {"customer": 1})
    assert order.values["customer_grade"] == "A" and order.values["reply_to"] == "buy@hualian.cn"


def test_a_given_value_wins_even_an_empty_one(linked: Any) -> None:
    order = linked.records.create(ALICE, "order", {"customer": 1, "customer_grade": "B", "reply_to": None})
    assert order.values["customer_grade"] == "B" and order.values["reply_to"] is None


def test_no_relation_no_default(linked: Any) -> None:  # the customer is required: a preview shows it
    preview = linked.records.preview(ALICE, "order", {}, fmt="json")
    assert preview.values["customer_grade"] is None and preview.linked == {"customer_grade": None, "reply_to": None}


def test_imports_take_the_defaults_too(linked: Any) -> None:
    orders = linked.records.create_many(ALICE, "order", [{"customer": 1}, {"customer": 2, "customer_grade": "B"}])
    assert [o.values["customer_grade"] for o in orders] == ["A", "B"]
    assert [o.values["reply_to"] for o in orders] == ["buy@hualian.cn", "ops@acme.com"]


def test_an_update_never_applies_the_default(linked: Any) -> None:
    order = linked.records.create(ALICE, "order", {"customer": 1, "customer_grade": "B"})
    saved = linked.records.update(ALICE, "order", order.id, {"customer": 2}, version=order.version)
    assert saved.values["customer_grade"] == "B" and saved.values["reply_to"] == "buy@hualian.cn"


def test_a_field_hidden_from_the_creator_on_the_related_form_gives_no_default(linked: Any) -> None:
    order = linked.records.create(CLERK, "order", {"customer": 1})
    stored = linked.records.get(ALICE, "order", order.id).values
    assert stored["customer_grade"] == "A" and stored["reply_to"] is None
    preview = linked.records.preview(CLERK, "order", {"customer": "1"})
    assert preview.linked == {"customer_grade": "A"} and preview.values.get("reply_to") is None


def test_the_live_preview_gives_the_default_of_the_chosen_record_even_for_a_posted_field(linked: Any) -> None:
    preview = linked.records.preview(ALICE, "order", {"customer": "2", "customer_grade": "", "reply_to": ""})
    assert preview.linked == {"customer_grade": "C", "reply_to": "ops@acme.com"}
    assert linked.records.preview(ALICE, "order", {"customer": "2"}, record_id=None).linked["customer_grade"] == "C"


def test_a_deleted_related_record_gives_nothing(linked: Any) -> None:
    linked.records.delete(ALICE, "customer", 2)
    preview = linked.records.preview(ALICE, "order", {"customer": "2"})
    assert preview.linked.get("customer_grade") is None


def problems_for(extra: str) -> list[str]:
    return [str(p) for p in load_sources(linked_sources(extra)).problems]


def test_the_linked_fixture_is_clean() -> None:
    assert problems_for(LINKED) == []


@pytest.mark.parametrize("extra, expected", [
    ("  - {id: g, type: select, label: G, options: [A], default: {from: custmer, field: grade}}\n",
     ["/default/from: 'custmer' is not a single relation field of form 'order'", "did you mean 'customer'"]),
    ("  - {id: g, type: select, label: G, options: [A], default: {from: status, field: grade}}\n",
     ["/default/from: 'status' is not a single relation field"]),
    ("  - {id: g, type: select, label: G, options: [A], default: {from: customer, field: grad}}\n",
     ["/default/field: form 'customer' has no field 'grad'", "did you mean 'grade'"]),
    ("  - {id: g, type: date, label: G, default: {from: customer, field: emails}}\n",
     ["/default/field: form 'customer' has no field 'emails'"]),
    ("  - {id: g, type: date, label: G, default: {from: customer, field: email}}\n",
     ["/default/field: 'customer.email' (email) cannot give a value to a date field"]),
    ("  - {id: g, type: text, label: G, default: {from: customer}}\n", ["/default"]),
    ("  - id: rows\n    type: subform\n    label: R\n    fields:\n"
     "      - {id: g, type: text, label: G, default: {from: customer, field: name}}\n",
     ["a default from a related record is for fields of the form, not subform columns"]),
])
def test_checker_problems(extra: str, expected: list[str]) -> None:
    problems = problems_for(extra)
    assert any(all(e in p for e in expected) and p.startswith("sales/forms/order.yaml:") for p in problems), problems


def test_a_text_field_takes_a_phone_or_email_but_not_a_date() -> None:
    ok = "  - {id: g, type: text, label: G, default: {from: customer, field: email}}\n"
    assert problems_for(ok) == []
    bad = "  - {id: g, type: text, label: G, default: {from: customer, field: since}}\n"
    assert any("cannot give a value to a text field" in p for p in problems_for(bad))
