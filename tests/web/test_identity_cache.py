"""Users, departments, roles and API tokens are kept in memory between requests (engine/org/cache.py), yet a change
made by another process — here a second workspace over the same database — holds from the very next request
(SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.org.admin import assign_roles, set_active, set_departments
from engine.org.tokens import create_token, revoke_token
from engine.org.users import create_department
from engine.records.model import Actor, Query
from engine.storage.database import write_transaction
from engine.storage.system import api_tokens
from tests.conftest import add_user, open_workspace
from tests.web.test_web import sign_in
from web.app import create_app

ROLES = """roles:
  - id: clerk
    label: {zh: 店员, en: Clerk}
    permissions:
      customer: {operations: [read], scope: all}
  - id: regional
    label: {zh: 区域, en: Regional}
    permissions:
      customer: {operations: [read], scope: %s}
"""
KNOWN = ("clerk", "regional")


@pytest.fixture
def org(shop) -> Iterator[tuple[Any, Any, dict[str, int]]]:  # type: ignore[no-untyped-def]
    """The shop with a regional role (its own department's customers), East and West with a customer each, bob in
    East as regional; and `other`, a second workspace over the same database (another process, as far as the
    first one's memory goes)."""
    shop.publish({"shop/roles.yaml": ROLES % "department"})
    with write_transaction(shop.engine) as conn:
        ids = {"east": create_department(conn, "east", "华东"), "west": create_department(conn, "west", "华西")}
    ids["bob"] = add_user(shop, "bob", admin=False, roles=("regional",), department_id=ids["east"])
    table = shop.records.runtime("customer").main
    for dept in ("east", "west"):
        shop.records.create(Actor(user_id=1, is_admin=True), "customer", {"name": dept})
        with write_transaction(shop.engine) as conn:
            conn.execute(sa.update(table).where(table.c.name == dept).values(department_id=ids[dept]))
    other = open_workspace(shop.settings.url, shop.settings.home_path)
    yield shop, other, ids
    other.close()


def bearer(ws: Any, user_id: int) -> tuple[dict[str, str], int]:
    with write_transaction(ws.engine) as conn:
        new = create_token(conn, user_id, "test", ws.now())
    return {"Authorization": f"Bearer {new.token}"}, new.info.id


def names(client: TestClient, headers: dict[str, str]) -> list[str] | int:
    """The customers the API lists for the caller, or the status of a refusal."""
    response = client.get("/api/v1/customer", headers=headers)
    if response.status_code != 200:
        return response.status_code
    return sorted(r["values"]["name"] for r in response.json()["records"])


def test_a_role_or_department_changed_elsewhere_holds_on_the_next_request(org) -> None:  # type: ignore[no-untyped-def]
    ws, other, ids = org
    headers, _ = bearer(ws, ids["bob"])
    client = TestClient(create_app(ws))
    assert names(client, headers) == ["east"] and names(client, headers) == ["east"]
    with write_transaction(other.engine) as conn:
        set_departments(conn, 1, ids["bob"], ids["west"], [], other.now())
    assert names(client, headers) == ["west"]
    with write_transaction(other.engine) as conn:
        assign_roles(conn, 1, ids["bob"], [], KNOWN, other.now())
    assert names(client, headers) == 403
    with write_transaction(other.engine) as conn:
        assign_roles(conn, 1, ids["bob"], ["clerk"], KNOWN, other.now())
    assert names(client, headers) == ["east", "west"]


def test_a_signed_in_user_sees_a_role_change_on_the_next_page(org) -> None:  # type: ignore[no-untyped-def]
    ws, other, ids = org
    client = TestClient(create_app(ws))
    sign_in(client, "bob")
    page = client.get("/apps/sales/customer")
    assert page.status_code == 200 and ">east<" in page.text and ">west<" not in page.text
    with write_transaction(other.engine) as conn:
        assign_roles(conn, 1, ids["bob"], [], KNOWN, other.now())
    assert client.get("/apps/sales/customer").status_code == 403
    with write_transaction(other.engine) as conn:
        assign_roles(conn, 1, ids["bob"], ["clerk"], KNOWN, other.now())
    page = client.get("/apps/sales/customer")
    assert page.status_code == 200 and ">east<" in page.text and ">west<" in page.text


def test_a_published_change_of_the_roles_holds_on_the_next_request(org) -> None:  # type: ignore[no-untyped-def]
    ws, _, ids = org
    headers, _ = bearer(ws, ids["bob"])
    client = TestClient(create_app(ws))
    assert names(client, headers) == ["east"]
    ws.publish({"shop/roles.yaml": ROLES % "all"})
    assert names(client, headers) == ["east", "west"]


def test_a_token_revoked_elsewhere_is_refused_on_the_next_call(org) -> None:  # type: ignore[no-untyped-def]
    ws, other, ids = org
    headers, token_id = bearer(ws, ids["bob"])
    kept, _ = bearer(ws, ids["bob"])
    client = TestClient(create_app(ws))
    assert names(client, headers) == ["east"] and names(client, kept) == ["east"]
    with write_transaction(other.engine) as conn:
        assert revoke_token(conn, ids["bob"], token_id, other.now())
    refused = client.get("/api/v1/customer", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_revoked"
    assert names(client, kept) == ["east"]  # the other token of the same user still works
    with write_transaction(other.engine) as conn:
        conn.execute(sa.delete(api_tokens).where(api_tokens.c.user_id == ids["bob"]))
    refused = client.get("/api/v1/customer", headers=kept)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_invalid"


def test_a_user_disabled_elsewhere_is_refused_on_the_next_call(org) -> None:  # type: ignore[no-untyped-def]
    ws, other, ids = org
    headers, _ = bearer(ws, ids["bob"])
    client = TestClient(create_app(ws))
    assert names(client, headers) == ["east"]
    with write_transaction(other.engine) as conn:
        set_active(conn, 1, ids["bob"], False, other.now())
    refused = client.get("/api/v1/customer", headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "user_disabled"


def test_a_scoped_list_costs_the_queries_of_the_administrators(org) -> None:  # type: ignore[no-untyped-def]
    """Once the user is known, a department-scoped list runs as many statements as the administrator's (the mark
    read instead of the user, role, membership and department reads)."""
    ws, _, ids = org
    statements: list[str] = []
    listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731

    def count(actor: Actor) -> int:
        ws.records.list(actor, "customer", Query())
        statements.clear()
        sa.event.listen(ws.engine, "before_cursor_execute", listen)
        try:
            ws.records.list(actor, "customer", Query())
        finally:
            sa.event.remove(ws.engine, "before_cursor_execute", listen)
        return len(statements)

    bob = Actor(user_id=ids["bob"], roles=frozenset({"regional"}), department_id=ids["east"])
    assert [r.values["name"] for r in ws.records.list(bob, "customer", Query()).records] == ["east"]
    assert count(bob) <= count(Actor(user_id=1, is_admin=True)) + 1


def test_a_scoped_request_reads_who_is_asking_once(org) -> None:  # type: ignore[no-untyped-def]
    """Over HTTP a department-scoped list runs as many statements as the administrator's: the user's departments
    come with the token's user, kept under the one reading of the marks the request makes."""
    ws, _, ids = org
    client = TestClient(create_app(ws))
    statements: list[str] = []
    listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731

    def count(headers: dict[str, str]) -> int:
        assert client.get("/api/v1/customer", headers=headers).status_code == 200  # the token's first use is written
        statements.clear()
        sa.event.listen(ws.engine, "before_cursor_execute", listen)
        try:
            assert client.get("/api/v1/customer", headers=headers).status_code == 200
        finally:
            sa.event.remove(ws.engine, "before_cursor_execute", listen)
        return len(statements)

    bob, _ = bearer(ws, ids["bob"])
    admin, _ = bearer(ws, 1)
    assert names(client, bob) == ["east"]
    assert count(bob) <= count(admin)


def test_a_publish_made_by_another_process_holds_on_the_next_request(org) -> None:  # type: ignore[no-untyped-def]
    """Two web processes over one database: what one publishes (a new field here), the other serves at once."""
    ws, other, ids = org
    headers, _ = bearer(ws, 1)
    client = TestClient(create_app(ws))
    assert "vip_note" not in client.get("/api/openapi.json", headers=headers).text
    source = other.sources()["shop/sales/forms/customer.yaml"]
    other.publish({"shop/sales/forms/customer.yaml": source.replace(
        "fields:\n", "fields:\n  - {id: vip_note, type: text, label: {zh: 贵宾备注, en: VIP note}}\n", 1)})
    assert "vip_note" in client.get("/api/openapi.json", headers=headers).text
    created = client.post("/api/v1/customer", headers=headers, json={"values": {"name": "n", "vip_note": "yes"}})
    assert created.status_code == 201 and created.json()["values"]["vip_note"] == "yes"


def test_a_public_link_closed_by_another_process_closes_at_once(org) -> None:  # type: ignore[no-untyped-def]
    """No one is signed in on a public form: it looks for a publish elsewhere itself."""
    from engine.public_forms import change_link

    ws, other, _ = org
    source = other.sources()["shop/sales/forms/customer.yaml"]
    other.publish({"shop/sales/forms/customer.yaml": source + "public:\n  token: abcdefghijklmnop1234\n  fields: [name]\n"})
    token = "abcdefghijklmnop1234"
    client = TestClient(create_app(ws))
    assert client.get(f"/f/{token}").status_code == 200
    change_link(other, "customer", enabled=False)
    assert client.get(f"/f/{token}").status_code in (403, 404)
