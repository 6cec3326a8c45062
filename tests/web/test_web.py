"""The web application and the REST API over the 'shop' fixture, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import jsonschema
import pytest
from starlette.testclient import TestClient

from tests.conftest import add_user
from web.app import create_app

PASSWORD = "correct horse 1"


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    add_user(shop, "bob")
    customer = shop.records.create(_actor(), "customer", {"name": "华联电子", "grade": "A", "tags": ["vip"]})
    shop.records.update(_actor(), "customer", customer.id, {"grade": "C"}, version=1, via="web")
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        yield c


def _actor():  # type: ignore[no-untyped-def]
    from engine.records.model import Actor

    return Actor(user_id=1, is_admin=True)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def sign_in(client: TestClient, username: str = "alice") -> str:
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                           "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def test_pages_need_sign_in(client: TestClient) -> None:
    response = client.get("/apps/sales/customer", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    assert client.get("/api/v1/customer").status_code == 401


def test_wrong_password_is_refused_in_the_users_language(client: TestClient) -> None:
    page = client.get("/login", headers={"accept-language": "en-US,en;q=0.9"})
    response = client.post("/login", data={"username": "alice", "password": "nope", "csrf_token": csrf_of(page.text)},
                           headers={"accept-language": "en-US"})
    assert response.status_code == 401 and "Wrong username or password" in response.text
    response = client.post("/login", data={"username": "alice", "password": "nope", "csrf_token": csrf_of(page.text)},
                           headers={"accept-language": "zh-CN"})
    assert "用户名或密码不正确" in response.text


def test_sign_in_rotates_the_session_and_requires_csrf(client: TestClient) -> None:
    before = client.get("/login")
    old_token = csrf_of(before.text)
    response = client.post("/login", data={"username": "alice", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403  # no CSRF token
    token = sign_in(client)
    assert token != old_token
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_home_list_and_record_pages(client: TestClient) -> None:
    sign_in(client)
    home = client.get("/", headers={"accept-language": "zh-CN"})
    assert "销售" in home.text and "/apps/sales/customer" in home.text
    listing = client.get("/apps/sales/customer")
    assert listing.status_code == 200 and "华联电子" in listing.text and "1 条记录" in listing.text
    assert "华联电子" not in client.get("/apps/sales/customer?q=nothing-like-this").text
    record_id = re.search(r'/apps/sales/customer/(\d+)"', listing.text).group(1)  # type: ignore[union-attr]
    record = client.get(f"/apps/sales/customer/{record_id}")
    assert record.status_code == 200 and "动态" in record.text and "Alice" in record.text
    assert "<del>A</del>" in record.text and "<ins>C</ins>" in record.text
    assert client.get("/apps/sales/customer/99999").status_code == 404
    assert client.get("/apps/sales/nothing").status_code == 404
    assert client.get("/apps/sales/customer?sort=secret").status_code == 400


def test_language_switch(client: TestClient) -> None:
    sign_in(client)
    client.get("/lang/en?next=/apps/sales/customer", follow_redirects=False)
    assert "Customer" in client.get("/apps/sales/customer").text
    assert client.get("/lang/en?next=https://evil.example/", follow_redirects=False).headers["location"] == "/"


def test_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_api_crud_with_versions_and_errors(client: TestClient) -> None:
    token = sign_in(client)
    headers = {"x-csrf-token": token}
    assert client.post("/api/v1/customer", json={"values": {"name": "x"}}).status_code == 403  # no CSRF header
    created = client.post("/api/v1/customer", json={"values": {"name": "Acme", "grade": "B"}}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["values"]["name"] == "Acme" and body["version"] == 1 and body["values"]["order_count"] == 0
    invalid = client.post("/api/v1/customer", json={"values": {"name": "", "grade": "Z", "secret": 1}}, headers=headers)
    assert invalid.status_code == 422
    fields = invalid.json()["error"]["fields"]
    assert fields["name"][0]["code"] == "required" and fields["grade"][0]["code"] == "bad_option"
    assert fields["secret"][0]["code"] == "unknown_field"
    url = f"/api/v1/customer/{body['id']}"
    updated = client.patch(url, json={"version": 1, "values": {"grade": "A"}}, headers=headers)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "values": {"grade": "C"}}, headers=headers)
    assert stale.status_code == 409 and stale.json()["error"]["current_version"] == 2
    listed = client.get('/api/v1/customer?filter=[{"field":"grade","op":"eq","value":"A"}]&total=1&sort=-name')
    assert listed.status_code == 200 and listed.json()["total"] == 1
    assert client.get("/api/v1/customer?filter=oops").status_code == 400
    assert client.get('/api/v1/customer?filter=[{"field":"password","op":"eq","value":1}]').status_code == 400
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url).status_code == 404
    assert client.post(url + "/restore", headers=headers).status_code == 200
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.post("/api/v1/customer", content=b"not json", headers=headers).status_code == 422


def test_openapi_document_describes_the_responses(client: TestClient) -> None:
    sign_in(client)
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"] == "3.1.0" and "/api/v1/order/{id}" in doc["paths"]
    schemas = doc["components"]["schemas"]
    assert "total" not in schemas["OrderInput"]["properties"]  # computed fields are read-only
    record = client.get("/api/v1/customer").json()["records"][0]
    resolver = {"$defs": schemas, "$ref": "#/$defs/Customer"}
    text = __import__("json").dumps(resolver).replace("#/components/schemas/", "#/$defs/")
    jsonschema.validate(record, __import__("json").loads(text))
    assert "listCustomer" in client.get("/api/docs").text


def test_repeated_wrong_passwords_make_the_account_wait(client: TestClient) -> None:
    page = client.get("/login")
    token = csrf_of(page.text)
    for _ in range(5):
        assert client.post("/login", data={"username": "bob", "password": "nope", "csrf_token": token}).status_code == 401
    waiting = client.post("/login", data={"username": "bob", "password": PASSWORD, "csrf_token": token},
                          headers={"accept-language": "en"})
    assert waiting.status_code == 429 and "Too many failed sign-ins; try again in 15 minutes" in waiting.text
    assert client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303  # other accounts are not affected
