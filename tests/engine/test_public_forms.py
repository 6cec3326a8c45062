"""Public links in form definitions: what the checker refuses, the signed page token and its time check, records
made through a link (via public, no owner, automations fire) and switching a link off or giving it a new token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import public_forms
from engine.definitions.loader import load_sources
from engine.errors import RecordInvalid
from engine.storage.database import read_transaction
from engine.storage.system import history
from tests.engine.test_definitions_loader import shop_sources
from tests.test_crm_automations import crm, installed_crm  # noqa: F401  (fixtures)

CUSTOMER = "sales/forms/customer.yaml"


def with_public(block: str) -> dict[str, str]:
    sources = shop_sources()
    return {**sources, CUSTOMER: sources[CUSTOMER] + block}


def problems(block: str) -> list[str]:
    return [str(p) for p in load_sources(with_public(block)).problems]


def test_a_valid_public_block_is_read() -> None:
    result = load_sources(with_public(
        "public:\n  token: abcdefghijklmnop1234\n  fields: [name, email, notes]\n  fixed: {grade: A}\n"
        "  prefill: [email]\n  success: {zh: 谢谢, en: Thanks}\n  origins: ['https://shop.example/']\n"))
    assert [str(p) for p in result.problems] == []
    public = result.definitions.form("customer").public
    assert public is not None and public.enabled and public.fields == ("name", "email", "notes")
    assert dict(public.fixed) == {"grade": "A"} and public.origins == ("https://shop.example",)


@pytest.mark.parametrize(("block", "said"), [
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [nmae]\n", "unknown field 'nmae'"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [owner]\n", "cannot be on a public form"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [photo]\n", "cannot be on a public form"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [interests]\n", "cannot be on a public form"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [signature]\n", "cannot be on a public form"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [order_total]\n", "cannot be on a public form"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [name]\n  prefill: [email]\n", "must be one of the public"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [name]\n  fixed: {nope: 1}\n", "unknown field 'nope'"),
    ("public:\n  token: short\n  fields: [name]\n", "token"),
    ("public:\n  token: abcdefghijklmnop1234\n  fields: [name]\n  redirect: 'javascript:alert(1)'\n", "redirect"),
])
def test_the_checker_refuses_what_a_public_link_may_not_do(block: str, said: str) -> None:
    found = problems(block)
    assert any(said in p for p in found), found


def test_the_page_token_carries_its_time_and_is_signed(crm, clock) -> None:  # type: ignore[no-untyped-def]
    public = crm.definitions.forms["lead"].public
    token = public_forms.page_token(crm, public)
    assert public_forms.token_problem(crm, public, token) == "too_fast"
    clock.now += timedelta(seconds=2.5)
    assert public_forms.token_problem(crm, public, token) is None
    stamp, _, mac = token.rpartition(".")
    assert public_forms.token_problem(crm, public, f"{float(stamp) - 60:.3f}.{mac}") == "forged"
    assert public_forms.token_problem(crm, public, "garbage") == "forged"
    clock.now += timedelta(days=2)
    assert public_forms.token_problem(crm, public, token) == "expired"


def test_a_public_record_has_no_owner_is_via_public_and_sets_off_assignment(crm) -> None:  # type: ignore[no-untyped-def]
    form = crm.definitions.forms["lead"]
    record = public_forms.create(crm, form, {"name": "王五", "phone": "13700000000", "region": "south",
                                             "owner": "1", "budget": "5000000", "source": "referral"})
    assert record.values.get("owner") is None and record.values.get("budget") is None
    assert record.values["source"] == "web_form"
    with read_transaction(crm.engine) as conn:
        via = conn.execute(sa.select(history.c.via).where(history.c.form == "lead",
                                                          history.c.record_id == record.id)).scalar()
    assert via == "public"
    crm.jobs.drain()
    assert crm.records.get(public_forms.Actor.system_actor(), "lead", record.id).values["owner"] is not None
    with pytest.raises(RecordInvalid) as refused:
        public_forms.create(crm, form, {"company": "无名"})
    assert "name" in refused.value.errors


def test_installing_gives_each_workspace_its_own_token(crm) -> None:  # type: ignore[no-untyped-def]
    public = crm.definitions.forms["lead"].public
    assert public.token != "crm-lead-web-form-template-token" and len(public.token) >= 20


def test_a_link_is_switched_off_and_regenerated_as_a_new_version(crm) -> None:  # type: ignore[no-untyped-def]
    old = crm.definitions.forms["lead"].public.token
    off = public_forms.change_link(crm, "lead", enabled=False)
    assert not off.enabled and off.token == old
    on = public_forms.change_link(crm, "lead", enabled=True, regenerate=True)
    assert on.enabled and on.token != old
    assert public_forms.find(crm.definitions, old) is None
    assert public_forms.find(crm.definitions, on.token).id == "lead"
    text = crm.sources()[crm.definitions.forms["lead"].source.file]
    assert "fields: [name, company, phone, email, region, needs]" in text  # the rest of the document as it was
    with pytest.raises(public_forms.PublicLinkError):
        public_forms.change_link(crm, "client", enabled=False)


def test_file_fields_are_public_only_where_the_link_allows_uploads() -> None:
    def public_of(block: str):  # type: ignore[no-untyped-def]
        result = load_sources(with_public(block))
        return result.problems, result.definitions.form("customer") if not result.problems else None

    found, _ = public_of("public:\n  token: abcdefghijklmnop1234\n  fields: [name, photo]\n")
    assert any("cannot be on a public form" in str(p) for p in found)
    for uploads in ("true", "[photo]"):
        found, form = public_of(
            f"public:\n  token: abcdefghijklmnop1234\n  fields: [name, photo]\n  uploads: {uploads}\n")
        assert found == [] and [f.id for f in public_forms.upload_fields(form)] == ["photo"]
        reasons = dict((f.id, why) for f, why in public_forms.eligibility(form))
        assert reasons["photo"] is None and reasons["signature"] is not None  # a signature is never public
    for bad in ("[signature]", "[name]", "[nope]"):
        found, _ = public_of(f"public:\n  token: abcdefghijklmnop1234\n  fields: [name]\n  uploads: {bad}\n")
        assert any("visitors may upload to" in str(p) for p in found), bad
    assert any("uploads" in str(p) for p in problems(
        "public:\n  token: abcdefghijklmnop1234\n  fields: [name]\n  uploads: yes-please\n"))

