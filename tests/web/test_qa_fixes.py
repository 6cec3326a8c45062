"""Regressions found by exploratory QA of the CRM template: what record pages and lists show, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.web.test_web import sign_in
from web.app import create_app

ADMIN = Actor(user_id=1, is_admin=True)


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        yield c


def _label_grades(ws) -> None:  # type: ignore[no-untyped-def]
    """Give the customer grade options labels that differ from their values, like the CRM's `grade`."""
    path = next(p for p in ws.sources() if p.endswith("forms/customer.yaml"))
    text = ws.sources()[path].replace(
        "options: [A, B, C]",
        "options: [{value: A, label: {zh: 重点客户, en: Key account}}, {value: B, label: {zh: 普通客户, en: Normal}},"
        " {value: C, label: {zh: 小客户, en: Small}}]")
    assert "Key account" in text
    ws.publish({path: text})


def test_a_lookup_of_a_choice_shows_the_option_label_not_the_stored_value(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    _label_grades(ws)
    customer = ws.records.create(ADMIN, "customer", {"name": "华联电子", "grade": "A"})
    order = ws.records.create(ADMIN, "order", {"customer": customer.id})
    sign_in(client)
    client.get("/lang/zh")
    page = client.get(f"/apps/sales/order/{order.id}").text
    assert "重点客户" in page
    client.get("/lang/en")
    listing = client.get("/apps/sales/order?columns=code,customer,grade")
    assert listing.status_code == 200
    page = client.get(f"/apps/sales/order/{order.id}").text
    assert "Key account" in page


def test_the_timeline_names_where_a_change_came_from_in_the_users_language(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    customer = ws.records.create(ADMIN, "customer", {"name": "华联电子"}, via="sample_data")
    ws.records.update(ADMIN, "customer", customer.id, {"grade": "C"}, version=1, via="web")
    sign_in(client)
    client.get("/lang/zh")
    page = client.get(f"/apps/sales/customer/{customer.id}").text
    assert "(示例数据)" in page and "(网页)" in page
    assert "sample_data" not in page
    client.get("/lang/en")
    page = client.get(f"/apps/sales/customer/{customer.id}").text
    assert "(sample data)" in page and "(web)" in page


def _clerk_reads_payments(ws) -> int:  # type: ignore[no-untyped-def]
    """The shop's clerk may also read (not create) payments; carol, a clerk, is added. Returns her id."""
    from tests.conftest import add_user

    path = next(p for p in ws.sources() if p.endswith("roles.yaml"))
    ws.publish({path: ws.sources()[path] + "      payment: {operations: [read], scope: all}\n"})
    return add_user(ws, "carol", admin=False, roles=("clerk",))


def test_a_refusal_names_the_right_and_the_form_in_the_users_language(client: TestClient) -> None:
    _clerk_reads_payments(client.ws)  # type: ignore[attr-defined]
    sign_in(client, "carol")
    client.get("/lang/zh")
    page = client.get("/apps/sales/customer/new")
    assert page.status_code == 403
    assert "「客户」的「新增」权限" in page.text and "create customer" not in page.text
    client.get("/lang/en")
    assert "\u201cCreate\u201d right on Customer" in client.get("/apps/sales/customer/new").text


def test_links_to_new_records_are_only_offered_to_users_who_may_create(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    carol = _clerk_reads_payments(ws)
    customer = ws.records.create(ADMIN, "customer", {"name": "华联电子"})
    order = ws.records.create(ADMIN, "order", {"customer": customer.id}, owner_id=carol)
    sign_in(client, "carol")
    page = client.get(f"/apps/sales/customer/{customer.id}").text
    assert f"/apps/sales/order/new?customer={customer.id}" in page  # the clerk creates orders
    page = client.get(f"/apps/sales/order/{order.id}").text  # no payment yet, and she may not add one: no list
    assert 'data-related="payment.order"' not in page and "/apps/sales/payment/new" not in page
    ws.records.create(ADMIN, "payment", {"order": order.id, "amount": "3"})
    page = client.get(f"/apps/sales/order/{order.id}").text
    assert 'data-related="payment.order"' in page and "/apps/sales/payment/new" not in page
    board = client.get("/apps/sales/customer/kanban?by=grade")
    assert board.status_code == 200 and "/apps/sales/customer/new" not in board.text
    assert "/apps/sales/order/new" in client.get("/apps/sales/order/kanban?by=status").text


def test_tags_typed_into_a_form_that_fails_to_save_come_back_as_typed(client: TestClient) -> None:
    token = sign_in(client)
    client.get("/lang/zh")
    response = client.post("/apps/sales/customer/new", data={"csrf_token": token, "name": "", "grade": "B",
                                                              "tags": "key_account, vip"})
    assert response.status_code == 422
    assert 'value="key_account, vip"' in response.text and "k, e, y" not in response.text


def test_every_sample_crm_address_is_one_the_address_picker_offers() -> None:
    from pathlib import Path

    import yaml

    from web import regions

    sample = Path(__file__).parents[2] / "apps_templates" / "crm" / "sample_data.yaml"
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if {"province", "city", "district"} <= node.keys():
                found.append(node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(yaml.safe_load(sample.read_text(encoding="utf-8")))
    assert found
    wrong = [a for a in found if regions.address_errors({"zh": "地址", "en": "Address"}, a)]
    assert wrong == []
