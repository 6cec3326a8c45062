"""The REST API on SQLite and PostgreSQL: tokens, CSRF, optimistic locking, list queries and error shapes."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from engine.org.tokens import create_token
from engine.records.model import Actor, Query
from engine.storage.database import write_transaction
from engine.storage.system import api_tokens, users
from tests.conftest import add_user
from tests.web.test_web import csrf_of, sign_in
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)


@pytest.fixture
def ws(shop):  # type: ignore[no-untyped-def]
    add_user(shop, "bob")
    for i, grade in enumerate("ABCAB"):
        shop.records.create(ALICE, "customer", {"name": f"Customer {i}", "grade": grade})
    return shop


@pytest.fixture
def client(ws):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        yield c


def bearer(ws, user_id: int = 1, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with write_transaction(ws.engine) as conn:
        token = create_token(conn, user_id, "test", ws.now(), **kwargs).token
    return {"Authorization": f"Bearer {token}"}


def error_of(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"]["code"], str), body
    assert body["error"]["message"]["zh"] and body["error"]["message"]["en"]
    return body["error"]  # type: ignore[no-any-return]


def test_tokens_are_created_listed_and_revoked_on_the_settings_page(ws, client: TestClient) -> None:
    csrf = sign_in(client)
    page = client.post("/settings/tokens", data={"name": "nightly export", "csrf_token": csrf})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    token = page.text.split('class="token-secret" readonly value="')[1].split('"')[0]
    assert token.startswith("fw_")
    again = client.get("/settings")
    assert "nightly export" in again.text and token not in again.text  # shown once only
    with ws.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(api_tokens))]
    assert len(rows) == 1 and all(token not in str(v) and token.split("_", 2)[2] not in str(v) for v in rows[0].values())
    other = TestClient(create_app(ws))
    headers = {"Authorization": f"Bearer {token}"}
    assert other.get("/api/v1/customer", headers=headers).status_code == 200
    assert "从未使用" not in client.get("/settings", headers={"accept-language": "zh-CN"}).text  # last use recorded
    token_id = rows[0]["id"]
    assert client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    refused = other.get("/api/v1/customer", headers=headers)
    assert refused.status_code == 401 and error_of(refused)["code"] == "token_revoked"
    assert client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert "nightly export" not in client.get("/settings").text


def test_token_form_errors_are_shown_at_the_field(client: TestClient) -> None:
    csrf = sign_in(client)
    page = client.post("/settings/tokens", data={"name": " ", "expires_at": "2000-01-01", "csrf_token": csrf},
                       headers={"accept-language": "en"})
    assert page.status_code == 422 and "Name is required" in page.text and "must be in the future" in page.text
    page = client.post("/settings/tokens", data={"name": "x", "expires_at": "someday", "csrf_token": csrf})
    assert page.status_code == 422


def test_expired_revoked_unknown_and_disabled_tokens_get_401(ws, client: TestClient) -> None:
    expired = bearer(ws, expires_at=ws.now() + timedelta(hours=1))
    ok = bearer(ws)
    assert client.get("/api/v1/customer", headers=expired).status_code == 200
    ws.clock.now += timedelta(hours=2)
    cases = [(expired, "token_expired"), ({"Authorization": "Bearer fw_000000000000_nope"}, "token_invalid"),
             ({"Authorization": "Bearer nonsense"}, "token_invalid"), ({"Authorization": "Basic abc"}, "token_invalid")]
    for headers, code in cases:  # endpoints that check the token in their own thread and those checked before
        for path in ("/api/v1/customer", "/api/v1/customer/1", "/api/openapi.json", "/api/v1/customer/export"):
            response = client.get(path, headers=headers)
            assert response.status_code == 401 and error_of(response)["code"] == code, path
            assert response.headers["www-authenticate"].startswith("Bearer")
    refused = client.post("/api/v1/customer", headers=cases[0][0], json={"values": {"name": "never"}})
    listed = ws.records.list(Actor(user_id=1, is_admin=True), "customer", Query()).records
    assert refused.status_code == 401 and "never" not in [r.values["name"] for r in listed]
    wrong_secret = ok["Authorization"][:-4] + "abcd"
    assert error_of(client.get("/api/v1/customer", headers={"Authorization": wrong_secret}))["code"] == "token_invalid"
    with write_transaction(ws.engine) as conn:
        conn.execute(sa.update(users).where(users.c.id == 1).values(active=False))
    response = client.get("/api/v1/customer", headers=ok)
    assert response.status_code == 401 and error_of(response)["code"] == "user_disabled"
    assert error_of(client.get("/api/v1/customer"))["code"] == "not_signed_in"


def test_bearer_requests_need_no_csrf_but_cookie_sessions_do(ws, client: TestClient) -> None:
    created = client.post("/api/v1/customer", json={"values": {"name": "By token"}}, headers=bearer(ws, user_id=2))
    assert created.status_code == 201 and created.json()["created_by"] == 2
    csrf = sign_in(client)
    refused = client.post("/api/v1/customer", json={"values": {"name": "By cookie"}})
    assert refused.status_code == 403 and error_of(refused)["code"] == "csrf"
    assert client.post("/api/v1/customer", json={"values": {"name": "By cookie"}},
                       headers={"x-csrf-token": csrf}).status_code == 201
    # a token wins over the cookie: the request acts as the token's user
    as_bob = client.post("/api/v1/customer", json={"values": {"name": "Bob again"}}, headers=bearer(ws, user_id=2))
    assert as_bob.status_code == 201 and as_bob.json()["created_by"] == 2


def test_update_needs_the_current_version(ws, client: TestClient) -> None:
    auth = bearer(ws)
    record = client.post("/api/v1/customer", json={"values": {"name": "Locked"}}, headers=auth).json()
    url = f"/api/v1/customer/{record['id']}"
    missing = client.patch(url, json={"values": {"grade": "A"}}, headers=auth)
    assert missing.status_code == 422 and "version" in error_of(missing)["fields"]
    first = client.patch(url, json={"version": 1, "values": {"grade": "A"}}, headers=auth)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "values": {"grade": "C"}}, headers=auth)
    error = error_of(stale)
    assert stale.status_code == 409 and error["code"] == "conflict"
    assert error["current_version"] == 2 and error["expected_version"] == 1
    assert client.get(url, headers=auth).json()["values"]["grade"] == "A"
    assert client.delete(url + "?version=1", headers=auth).status_code == 409
    assert client.delete(url + "?version=2", headers=auth).status_code == 204
    listed = client.get("/api/v1/customer?deleted=1", headers=auth).json()["records"]
    assert [r["id"] for r in listed] == [record["id"]]
    restored = client.post(url + "/restore", headers=auth)
    assert restored.status_code == 200 and restored.json()["version"] == 4


def test_filters_sort_and_pages(ws, client: TestClient) -> None:
    auth = bearer(ws)
    grade_a = json.dumps([{"field": "grade", "op": "eq", "value": "A"}])
    page = client.get("/api/v1/customer", params={"filter": grade_a, "total": "1", "sort": "-name"}, headers=auth).json()
    assert page["total"] == 2 and [r["values"]["name"] for r in page["records"]] == ["Customer 3", "Customer 0"]
    names, after = [], None
    while True:
        params = {"sort": "name", "limit": "2", **({"after": after} if after else {})}
        body = client.get("/api/v1/customer", params=params, headers=auth).json()
        names += [r["values"]["name"] for r in body["records"]]
        after = body["next_cursor"]
        if after is None:
            break
    assert names == [f"Customer {i}" for i in range(5)]
    assert [r["values"]["name"] for r in client.get("/api/v1/customer?q=Customer 4", headers=auth).json()["records"]] \
        == ["Customer 4"]


@pytest.mark.parametrize("query, code", [
    ("limit=0", "bad_limit"), ("limit=100000000000000000000", "bad_limit"), ("limit=ten", "bad_limit"),
    ("sort=password", "bad_sort"), ("filter=oops", "bad_filter"), ("filter=" + "[" * 5000, "bad_filter"),
    ('filter=[{"field":"grade","op":"near","value":1}]', "bad_filter"),
    ('filter=[{"field":"grade","op":"eq","value":"A","extra":1}]', "bad_filter"),
    ('filter={"field":"grade"}', "bad_filter"), ("after=%%%", "bad_cursor"), ("after=WzEsMiwzXQ", "bad_cursor"),
    ("total=yes", "bad_flag"), ("q=a%00b", "bad_text"),
])
def test_bad_queries_are_400_with_a_code(ws, client: TestClient, query: str, code: str) -> None:
    response = client.get(f"/api/v1/customer?{query}", headers=bearer(ws))
    assert response.status_code == 400 and error_of(response)["code"] == code


def test_a_cursor_from_another_sort_is_refused(ws, client: TestClient) -> None:
    auth = bearer(ws)
    cursor = client.get("/api/v1/customer?sort=name&limit=1", headers=auth).json()["next_cursor"]
    response = client.get(f"/api/v1/customer?sort=since&limit=1&after={cursor}", headers=auth)
    assert response.status_code == 400 and error_of(response)["code"] == "bad_cursor"
    forged = base64.urlsafe_b64encode(json.dumps(["x", "y"]).encode()).decode().rstrip("=")
    response = client.get(f"/api/v1/customer?sort=since&after={forged}", headers=auth)
    assert response.status_code == 400 and error_of(response)["code"] == "bad_cursor"


@pytest.mark.parametrize("body, field, code", [
    (b"not json", "", "invalid_type"), (b"[1, 2]", "", "invalid_type"), (b"NaN", "", "invalid_type"),
    (b'{"values": {"name": "x"}, "extra": 1}', "extra", "unknown_field"),
    (b'{"values": []}', "values", "invalid_type"),
    (b'{"values": {"name": 12}}', "name", "invalid_type"),
    (b'{"values": {"name": null}}', "name", "required"),
    (b'{"values": {"name": "a\\u0000b"}}', "", "invalid_type"),
    (b'{"values": {"name": "\\ud800"}}', "", "invalid_type"),
    (b'{"values": {"name": "x", "owner": 99999999999999999999999}}', "owner", "too_large"),
    (b'{"values": {"name": "x", "grade": "Z", "since": "yesterday", "secret": 1}}', "secret", "unknown_field"),
    (b'{"values": ' + b"[" * 3000 + b"]" * 3000 + b"}", "", "invalid_type"),
])
def test_bad_bodies_are_422_with_field_errors(ws, client: TestClient, body: bytes, field: str, code: str) -> None:
    response = client.post("/api/v1/customer", content=body, headers={**bearer(ws), "content-type": "application/json"})
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid" and error["fields"][field][0]["code"] == code
    assert all(e["message"]["zh"] and e["message"]["en"] for errors in error["fields"].values() for e in errors)


def test_every_problem_is_reported_at_once_in_both_languages(ws, client: TestClient) -> None:
    response = client.post("/api/v1/customer", json={"values": {"name": "", "grade": "Z", "since": "soon", "x": 1}},
                           headers=bearer(ws))
    fields = error_of(response)["fields"]
    assert {k: v[0]["code"] for k, v in fields.items()} == {
        "name": "required", "grade": "bad_option", "since": "bad_format", "x": "unknown_field"}
    assert fields["name"][0]["message"] == {"zh": "名称为必填项", "en": "Name is required"}


def test_unknown_forms_records_and_methods(ws, client: TestClient) -> None:
    auth = bearer(ws)
    for url in ("/api/v1/nothing", "/api/v1/customer/0", "/api/v1/customer/abc", "/api/v1/customer/99999999999999999999",
                "/api/v1/customer/424242"):
        response = client.get(url, headers=auth)
        assert response.status_code == 404 and error_of(response)["code"] in ("not_found", "record_not_found")
    response = client.put("/api/v1/customer/1", json={}, headers=auth)
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "PATCH", "DELETE"}


def test_document_and_reference_page(ws, client: TestClient) -> None:
    auth = bearer(ws)
    doc = client.get("/api/openapi.json", headers=auth).json()
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"]}
    assert doc["components"]["schemas"]["CustomerInput"]["properties"]["grade"]["enum"] == ["A", "B", "C", None]
    csrf = sign_in(client)
    assert csrf
    page = client.get("/api/docs")
    assert page.status_code == 200 and "listCustomer" in page.text and "<script>" not in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text) and "CustomerValues" in page.text  # nothing fetched elsewhere


def test_a_token_carries_its_users_roles(ws) -> None:  # type: ignore[no-untyped-def]
    from engine.org.tokens import authenticate_token
    from engine.org.users import set_roles

    token = bearer(ws)["Authorization"].split()[1]
    with write_transaction(ws.engine) as conn:
        assert authenticate_token(conn, token, ws.now()).user["roles"] == []
        set_roles(conn, 1, ["sales", "admin_helper"])
        use = authenticate_token(conn, token, ws.now())
    assert use.user["roles"] == ["admin_helper", "sales"] and use.user["username"] == "alice"


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
                           | st.sampled_from(["2024-01-01", "12.50", "A", "$me", "2024-01-01T08:00:00"]),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                      max_size=2), max_leaves=6)


def test_any_filter_on_any_field_is_answered_200_or_400(ws) -> None:  # type: ignore[no-untyped-def]
    """Well-formed filter lists with every field and operator and odd operands: never a server error."""
    from engine.fields.registry import field_type

    app = create_app(ws)
    client = TestClient(app, raise_server_exceptions=False)
    auth = bearer(ws)
    form = ws.definitions.forms["customer"]
    ops = sorted({op for f in form.fields for op in field_type(f.type).operators_for(f)} | {"between", "contains"})
    condition = st.fixed_dictionaries({"field": st.sampled_from([f.id for f in form.fields] + ["id", "nope"]),
                                       "op": st.sampled_from(ops), "value": JSON_VALUES})

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(condition, min_size=1, max_size=2), st.sampled_from(["", "name", "-since", "grade,-owner"]))
    def check(conditions: list[dict], sort: str) -> None:  # type: ignore[type-arg]
        response = client.get("/api/v1/customer", params={"filter": json.dumps(conditions), "sort": sort,
                                                          "total": "1"}, headers=auth)
        assert response.status_code in (200, 400), (conditions, response.text)
        if response.status_code == 400:
            assert error_of(response)["code"] in ("bad_filter", "bad_sort")

    check()


def test_versions_must_be_whole_numbers(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(ws)
    for body in ({"version": "1", "values": {}}, {"version": True}, {"version": 0}, {"version": 1.5}):
        response = client.patch("/api/v1/customer/1", json=body, headers=auth)
        assert response.status_code == 422 and error_of(response)["fields"]["version"][0]["code"] == "invalid_type"
    assert client.delete("/api/v1/customer/1?version=abc", headers=auth).status_code == 422
    assert client.delete("/api/v1/customer/1?version=1", headers=auth).status_code == 204
