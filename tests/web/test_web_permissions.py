"""Roles in the web app and the API: navigation, lists, pages, forms and API calls show and accept exactly
what the clerk role allows — on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor, Query
from tests.conftest import add_user
from tests.web.test_web import csrf_of, sign_in
from web.app import create_app

ADMIN = Actor(user_id=1, is_admin=True)


@pytest.fixture
def shop_with_clerk(shop):  # type: ignore[no-untyped-def]
    clerk = add_user(shop, "carl", admin=False, roles=("clerk",))
    customer = shop.records.create(ADMIN, "customer", {"name": "华联电子", "email": "dijia@secret.example"})
    alices = shop.records.create(ADMIN, "order", {"customer": customer.id})
    carls = shop.records.create(Actor(user_id=clerk, roles=frozenset({"clerk"})), "order",
                                {"customer": customer.id})
    with TestClient(create_app(shop), base_url="http://testserver") as client:
        yield client, customer.id, alices.id, carls.id


def test_the_clerk_sees_only_what_the_role_allows(shop_with_clerk) -> None:  # type: ignore[no-untyped-def]
    client, customer, alices, carls = shop_with_clerk
    sign_in(client, "carl")
    home = client.get("/").text
    assert "/apps/sales/order" in home and "/apps/sales/customer" in home
    assert "/apps/sales/product" not in home and "/apps/sales/payment" not in home
    refused = client.get("/apps/sales/product")
    assert refused.status_code == 403 and "你没有权限" in refused.text
    orders = client.get("/apps/sales/order").text
    assert f"/apps/sales/order/{carls}" in orders and f"/apps/sales/order/{alices}\"" not in orders
    assert client.get(f"/apps/sales/order/{alices}").status_code == 404
    page = client.get(f"/apps/sales/customer/{customer}").text
    assert "华联电子" in page and "dijia@secret" not in page and "邮箱" not in page
    assert "/edit" not in page  # read-only role: no edit or delete buttons
    searched = client.app.state.ws.records.list(ADMIN, "customer", Query(search="dijia")).records  # type: ignore[attr-defined]
    assert [r.id for r in searched] == [customer]  # the administrator finds it by the e-mail
    listing = client.get("/apps/sales/customer?q=dijia").text
    assert "华联电子" not in listing  # search does not reach hidden fields
    assert client.get("/apps/sales/customer?f=email:contains:dijia").status_code == 400


def test_forms_and_posts_respect_read_only_and_hidden_fields(shop_with_clerk) -> None:  # type: ignore[no-untyped-def]
    client, customer, alices, carls = shop_with_clerk
    token = sign_in(client, "carl")
    form = client.get(f"/apps/sales/order/{carls}/edit").text
    assert 'name="discount"' not in form and 'class="readonly-value" id="discount"' in form
    saved = client.post(f"/apps/sales/order/{carls}/edit", data={
        "csrf_token": token, "version": "1", "customer": str(customer), "discount": "90"}, follow_redirects=False)
    assert saved.status_code == 422 and "对你是只读的" in saved.text  # the discount is not the clerk's to write
    edit_other = client.post(f"/apps/sales/order/{alices}/edit", data={"csrf_token": token, "version": "1"})
    assert edit_other.status_code == 404
    deleted = client.post(f"/apps/sales/order/{carls}/delete", data={"csrf_token": token})
    assert deleted.status_code == 403
    assert client.get("/apps/sales/customer/new").status_code == 403


def test_the_api_applies_the_same_rules(shop_with_clerk) -> None:  # type: ignore[no-untyped-def]
    client, customer, alices, carls = shop_with_clerk
    sign_in(client, "carl")
    csrf = csrf_of(client.get("/").text)
    listed = client.get("/api/v1/order").json()
    assert [r["id"] for r in listed["records"]] == [carls]
    assert client.get(f"/api/v1/order/{alices}").status_code == 404
    got = client.get(f"/api/v1/customer/{customer}").json()
    assert "email" not in got["values"] and got["values"]["name"] == "华联电子"
    assert client.get("/api/v1/product").status_code == 403
    patched = client.patch(f"/api/v1/order/{carls}", json={"version": 1, "values": {"discount": "50"}},
                           headers={"x-csrf-token": csrf})
    assert patched.status_code == 422
    assert patched.json()["error"]["fields"]["discount"][0]["code"] == "read_only_for_you"
    hidden = client.patch(f"/api/v1/customer/{customer}", json={"version": 1, "values": {"email": "x@example.com"}},
                          headers={"x-csrf-token": csrf})
    assert hidden.status_code in (403, 422) and "dijia" not in hidden.text
