"""/api/openapi.json and /api/docs show each viewer only the forms they may read and the fields they may see."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import add_user
from tests.web.test_api import bearer
from tests.web.test_web import sign_in
from web.app import create_app


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    add_user(shop, "carol", admin=False, roles=("clerk",))  # clerk: customer without email, order, nothing else
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        yield c


def test_a_clerks_document_lacks_the_forms_and_fields_hidden_from_them(shop, client: TestClient) -> None:
    doc = client.get("/api/openapi.json", headers=bearer(shop, 2)).json()
    schemas, paths = doc["components"]["schemas"], doc["paths"]
    assert "Product" not in schemas and "/api/v1/product" not in paths and "/api/v1/payment" not in paths
    assert "email" not in schemas["CustomerValues"]["properties"] and "name" in schemas["CustomerValues"]["properties"]
    assert "email" not in schemas["CustomerInput"]["properties"]
    assert "discount" in schemas["OrderValues"]["properties"]  # read-only: seen, not written
    assert "discount" not in schemas["OrderInput"]["properties"] and "customer" in schemas["OrderInput"]["properties"]
    assert "post" not in paths["/api/v1/customer"] and "get" in paths["/api/v1/customer"]  # read only
    assert "/api/v1/customer/{id}/restore" not in paths and "delete" not in paths["/api/v1/order/{id}"]
    assert "post" in paths["/api/v1/order"] and "patch" in paths["/api/v1/order/{id}"]
    assert "Payment" not in schemas and "PaymentValues" not in schemas


def test_the_admins_document_has_everything(shop, client: TestClient) -> None:
    doc = client.get("/api/openapi.json", headers=bearer(shop, 1)).json()
    schemas, paths = doc["components"]["schemas"], doc["paths"]
    assert "Product" in schemas and "/api/v1/product" in paths and "/api/v1/payment" in paths
    assert "email" in schemas["CustomerValues"]["properties"] and "email" in schemas["CustomerInput"]["properties"]
    assert "discount" in schemas["OrderInput"]["properties"]
    assert "post" in paths["/api/v1/customer"] and "/api/v1/customer/{id}/restore" in paths


def test_the_reference_page_agrees_with_the_document(client: TestClient) -> None:
    sign_in(client, "carol")
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "CustomerValues" in page.text and "ProductValues" not in page.text and "listProduct" not in page.text
    assert ">email<" not in page.text and "createCustomer" not in page.text and "createOrder" in page.text
    client.cookies.clear()
    sign_in(client, "alice")
    page = client.get("/api/docs")
    assert "ProductValues" in page.text and ">email<" in page.text and "createCustomer" in page.text


def test_anonymous_callers_get_401(client: TestClient) -> None:
    assert client.get("/api/openapi.json").status_code == 401
    assert client.get("/api/docs", follow_redirects=False).status_code == 303
