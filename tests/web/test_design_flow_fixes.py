"""What the designer flow test found, checked without a browser: an administrator opens the designer of an empty
workspace; a require rule carries its own message (written by the rules editor, said when the field is left
empty); the publish dialog names a change of the layout or the rules in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from engine.errors import RecordInvalid
from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)
from web.app import create_app

ORDER = "shop/sales/forms/order.yaml"
EN = {"accept-language": "en"}
ALICE = Actor(user_id=1, department_id=None, is_admin=True)
NOTE = {"zh": "取消的订单请写明原因", "en": "Say why the order was cancelled"}


def test_an_administrator_creates_the_first_app_of_an_empty_workspace(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'e.db'}", tmp_path / "ws", clock)
    add_user(ws, "alice")
    add_user(ws, "bob", admin=False)
    try:
        with TestClient(create_app(ws), base_url="http://testserver") as c:
            token = sign_in(c)
            page = c.get("/design", headers=EN)
            assert page.status_code == 200 and 'action="/design/apps"' in page.text
            created = c.post("/design/apps", data={"csrf_token": token, "id": "first", "label_zh": "第一",
                                                   "label_en": "First"}, follow_redirects=False)
            assert created.status_code == 303 and [a.id for a in ws.definitions.apps] == ["first"]
        with TestClient(create_app(ws), base_url="http://testserver") as c:
            sign_in(c, "bob")
            assert c.get("/design").status_code == 403  # designing nothing, and no administrator
    finally:
        ws.close()


def test_a_require_rule_says_its_own_message(shop) -> None:  # type: ignore[no-untyped-def]
    rule = {"require": ["cancel_reason"], "when": "status = 'cancelled'", "message": NOTE}
    text = shop.sources()[ORDER].replace("rules:\n", "rules:\n  - " + _flow(rule) + "\n", 1)
    shop.publish({ORDER: text})
    customer = shop.records.create(ALICE, "customer", {"name": "华联电子"})
    with pytest.raises(RecordInvalid) as caught:
        shop.records.create(ALICE, "order", {"customer": customer.id, "status": "cancelled"})
    error = caught.value.errors["cancel_reason"][0]
    assert (error.message("zh"), error.message("en")) == (NOTE["zh"], NOTE["en"])
    with pytest.raises(RecordInvalid) as plain:  # a field required by its own definition keeps the usual words
        shop.records.create(ALICE, "order", {"status": "cancelled", "cancel_reason": "x"})
    assert plain.value.errors["customer"][0].message("en").endswith("is required")


def _flow(rule: dict) -> str:  # type: ignore[type-arg]
    message = rule["message"]
    return (f"{{require: [{rule['require'][0]}], when: \"{rule['when']}\", "
            f"message: {{zh: {message['zh']}, en: {message['en']}}}}}")


def test_the_rules_editor_writes_a_require_rules_message(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    panel = client.get("/design/forms/order/rules", headers=EN).text
    assert "data-rule-message" in panel and "Message when left empty (optional)" in panel
    added = client.post("/design/forms/order/rules?do=add", headers=EN, data={
        "csrf_token": token, "kind": "require", "fields": ["cancel_reason"], "when": "status = 'cancelled'",
        "message.zh": NOTE["zh"], "message.en": NOTE["en"]})
    assert added.status_code == 200
    text = client.app.state.ws.drafts.open(ORDER, 1).text  # type: ignore[attr-defined]
    assert f"message: {{zh: {NOTE['zh']}, en: {NOTE['en']}}}" in text
    dialog = client.get("/design/forms/order/publish", headers=EN).text
    assert "dc_change_form" not in dialog and "Changed</span> the rules" in dialog
