"""The live form's related-record defaults: a new order's fields filled from the chosen customer, under the
viewer's access (a field hidden from them on the customer form, or a customer they may not read, gives nothing)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.conftest import add_user
from tests.engine.test_linked_defaults import linked_sources
from tests.web.test_web import sign_in
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)
SECRET = "secret@hualian.cn"


@pytest.fixture
def client(fresh_workspace):  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    ws.publish({f"shop/{k}": v for k, v in linked_sources().items()})
    add_user(ws, "alice")
    add_user(ws, "carl", admin=False, roles=("clerk",))
    ws.records.create(ALICE, "customer", {"name": "华联电子", "grade": "A", "email": SECRET})
    ws.records.create(ALICE, "customer", {"name": "Acme", "grade": "C", "email": "ops@acme.com"})
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        yield c


def fills(html: str) -> dict[str, tuple[str, str]]:
    """Field id → (the relation key, the widget's HTML) of each fill piece in a live answer."""
    found = {}
    for match in re.finditer(r'<div hidden id="fill-(\w+)" hx-swap-oob="true" data-linked-fill="\w+" '
                             r'data-key="([^"]*)" data-html="([^"]*)"', html):
        found[match.group(1)] = (match.group(2), html_lib.unescape(match.group(3)))
    return found


def test_picking_a_customer_sends_the_fields_it_fills(client: TestClient) -> None:
    token = sign_in(client)
    answer = client.post("/apps/sales/order/preview", data={"csrf_token": token, "customer": "1", "status": "new",
                                                            "customer_grade": "", "reply_to": ""}).text
    found = fills(answer)
    assert set(found) == {"customer_grade", "reply_to"} and found["customer_grade"][0] == "1"
    assert re.search(r'<option value="A"[^>]*selected', found["customer_grade"][1]), found["customer_grade"][1]
    assert f'value="{SECRET}"' in found["reply_to"][1] and 'name="reply_to"' in found["reply_to"][1]
    cleared = fills(client.post("/apps/sales/order/preview", data={"csrf_token": token, "customer": ""}).text)
    assert {k: key for k, (key, _) in cleared.items()} == {"customer_grade": "", "reply_to": ""}  # emptied again
    assert "selected" not in cleared["customer_grade"][1] and 'value=""' in cleared["reply_to"][1]
    edit = client.post("/apps/sales/order/preview?record=1", data={"csrf_token": token, "customer": "2"})
    assert edit.status_code in (200, 404) and fills(edit.text) == {}  # only a new record takes defaults


def test_the_new_record_page_marks_the_fields_and_fills_them_for_a_given_customer(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/apps/sales/order/new").text
    assert '<div data-linked-slot="customer_grade" data-key="">' in page and 'id="fill-customer_grade"' in page
    opened = client.get("/apps/sales/order/new?customer=2").text
    assert '<div data-linked-slot="reply_to" data-key="2">' in opened and 'value="ops@acme.com"' in opened


def test_a_viewer_never_receives_what_they_may_not_read(client: TestClient) -> None:
    token = sign_in(client, "carl")  # clerks read customers, but their email is hidden
    answer = client.post("/apps/sales/order/preview", data={"csrf_token": token, "customer": "1",
                                                            "customer_grade": "", "reply_to": ""}).text
    assert set(fills(answer)) == {"customer_grade"} and SECRET not in answer
    assert SECRET not in client.get("/apps/sales/order/new?customer=1").text


def test_a_customer_the_viewer_may_not_read_leaves_the_fields_empty(  # type: ignore[no-untyped-def]
        client: TestClient, fresh_workspace) -> None:
    roles = "roles:\n  - id: clerk\n    label: {zh: 店员, en: Clerk}\n    permissions:\n" \
            "      order: {operations: [create, read, update], scope: own}\n" \
            "      customer: {operations: [read], scope: own}\n"
    fresh_workspace.publish({"shop/roles.yaml": roles})
    token = sign_in(client, "carl")
    answer = client.post("/apps/sales/order/preview", data={"csrf_token": token, "customer": "1",
                                                            "customer_grade": "", "reply_to": ""}).text
    found = fills(answer)  # the customer is taken out as not found: the fields are left empty
    assert found["customer_grade"][0] == "" and "selected" not in found["customer_grade"][1]
    assert 'value=""' in found["reply_to"][1] and SECRET not in answer and "华联" not in answer
