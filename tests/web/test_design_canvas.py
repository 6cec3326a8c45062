"""The form designer's canvas and publish dialog: the page, operations on the user's server-side draft, undo/redo,
discard, refusals (never a 500), the publish plan and the publish itself, and two admins' drafts of one form."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.fields.registry import field_type, type_names
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

CUSTOMER = "shop/sales/forms/customer.yaml"
EN = {"accept-language": "en"}


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver", headers=EN) as c:
        c.headers["x-csrf-token"] = sign_in(c)
        yield c


def op(client: TestClient, operation: Any, form: str = "customer") -> Any:
    body = operation if isinstance(operation, str) else json.dumps(operation)
    return client.post(f"/design/forms/{form}/ops", data={"op": body})


def cards(html: str) -> list[str]:
    """The field ids on the canvas, in order (layout first, then the unplaced ones)."""
    return re.findall(r'data-kind="card" data-field="([^"]+)"', html)


def placed(html: str) -> list[str]:
    """The field ids the layout places (before the unplaced list)."""
    return cards(html.split('class="canvas-unplaced')[0])


def test_the_page_has_the_palette_the_canvas_and_the_property_aside(client: TestClient, shop) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/design/forms/customer")
    assert page.status_code == 200
    html = page.text
    for name in type_names():
        assert f'data-type="{name}"' in html and field_type(name).label["en"] in html  # type: ignore[index]
    for group in ("Basic", "Choice", "Numbers and dates", "People and relations", "Media", "Layout", "System"):
        assert f">{group}</h2>" in html
    assert '<aside id="design-props"' in html and "Select a field to edit it" in html
    assert 'href="/design/forms/customer/preview"' in html and 'hx-get="/design/forms/customer/settings"' in html
    assert 'hx-get="/design/forms/customer/rules"' in html
    assert "/design/history?path=shop/sales/forms/customer.yaml" in html.replace("%2F", "/")
    assert re.search(r'data-step="undo"[^>]*disabled', html) and re.search(r'data-step="redo"[^>]*disabled', html)
    assert cards(html)[:3] == ["name", "grade", "email"]  # the shop's customer form has no layout: all unplaced
    chinese = client.get("/design/forms/customer", headers={"accept-language": "zh-CN"}).text
    assert "选择一个字段来编辑它" in chinese and "单行文本" in chinese and ">基础</h2>" in chinese


def test_only_administrators_design(shop) -> None:  # type: ignore[no-untyped-def]
    add_user(shop, "bob", admin=False)
    with TestClient(create_app(shop), base_url="http://testserver", headers=EN) as c:
        c.headers["x-csrf-token"] = sign_in(c, "bob")
        assert c.get("/design/forms/customer").status_code == 403
        assert op(c, {"op": "set_layout", "layout": [["name"]]}).status_code == 403
        assert c.post("/design/forms/customer/undo").status_code == 403
        assert c.get("/design/forms/customer/publish").status_code == 403
    assert client_missing_form(shop) == 404


def client_missing_form(shop) -> int:  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver", headers=EN) as c:
        sign_in(c)
        return c.get("/design/forms/nothing_here").status_code


def test_values_that_do_not_convert_need_the_losses_accepted(client: TestClient, shop) -> None:  # type: ignore[no-untyped-def]
    from engine.records.model import Actor

    for name, notes in (("甲", "12.5"), ("乙", "call back"), ("丙", "ask for Li")):
        shop.records.create(Actor(user_id=1, is_admin=True), "customer", {"name": name, "notes": notes})
    client.get("/design/forms/customer")
    shop.drafts.edit(CUSTOMER, 1, {"op": "change_type", "id": "notes", "type": "number"})
    dialog = client.get("/design/forms/customer/publish").text
    assert 'name="accept_losses"' in dialog and "2 of 3 values of Notes do not convert to Number" in dialog
    assert not re.search(r'id="publish-go"[^>]*disabled', dialog)
    refused = client.post("/design/forms/customer/publish", data={"note": "notes become numbers"})
    assert refused.status_code == 422 and "Tick “Clear the values that do not convert”" in refused.text
    assert shop.definitions.forms["customer"].field("notes").type == "textarea"
    done = client.post("/design/forms/customer/publish", data={"note": "notes become numbers", "accept_losses": "1"})
    assert done.status_code == 200 and "Published." in done.text
    assert shop.definitions.forms["customer"].field("notes").type == "number"
    chinese = client.get("/design/forms/customer/publish", headers={"accept-language": "zh-CN"}).text
    assert "数据库不需要变化" in chinese or "新增列" in chinese


def test_operations_change_the_draft_not_the_published_form(client: TestClient, shop) -> None:  # type: ignore[no-untyped-def]
    answer = op(client, {"op": "add_field", "field": {"type": "number"}, "layout": [["name", "__new__"], ["email"]]})
    assert answer.status_code == 200, answer.text
    new_id = placed(answer.text)[1]
    assert placed(answer.text) == ["name", new_id, "email"] and new_id.startswith("number")
    assert "Draft saved" in answer.text and 'id="design-state"' in answer.text and 'hx-swap-oob="true"' in answer.text
    assert not re.search(r'data-step="undo"[^>]*disabled', answer.text)
    assert op(client, {"op": "set_layout", "layout": [["email", "name"], [new_id]]}).status_code == 200
    assert shop.definitions.forms["customer"].field(new_id) is None  # published form untouched
    again = client.get("/design/forms/customer").text  # leaving and coming back shows the draft
    assert placed(again) == ["email", "name", new_id] and "Draft saved" in again
    assert placed(client.get("/design/forms/customer/canvas").text) == ["email", "name", new_id]


def test_a_palette_drop_is_labelled_with_its_type_and_may_stay_unplaced(client: TestClient) -> None:
    answer = op(client, {"op": "add_field", "field": {"type": "date", "label": "<b>x</b>"}})
    assert answer.status_code == 200
    assert cards(answer.text)[-1].startswith("date") and placed(answer.text) == []
    assert ">Date</span>" in answer.text and "<b>x</b>" not in answer.text


def test_undo_redo_and_an_undoable_delete(client: TestClient) -> None:
    op(client, {"op": "set_layout", "layout": [["name", "grade"]]})
    deleted = op(client, {"op": "remove_field", "id": "grade"})
    assert "grade" not in cards(deleted.text)
    undone = client.post("/design/forms/customer/undo")
    assert undone.status_code == 200 and placed(undone.text) == ["name", "grade"]
    assert not re.search(r'data-step="redo"[^>]*disabled', undone.text)
    undone = client.post("/design/forms/customer/undo")
    assert placed(undone.text) == []
    assert re.search(r'data-step="undo"[^>]*disabled', undone.text)
    redone = client.post("/design/forms/customer/redo")
    assert placed(redone.text) == ["name", "grade"]
    redone = client.post("/design/forms/customer/redo")
    assert "grade" not in cards(redone.text) and re.search(r'data-step="redo"[^>]*disabled', redone.text)


def test_duplicate_places_the_copy_after_the_original(client: TestClient) -> None:
    op(client, {"op": "set_layout", "layout": [["name", "email"]]})
    answer = op(client, {"op": "duplicate_field", "id": "email"})
    assert answer.status_code == 200
    ids = cards(answer.text)
    assert ids.count("email") == 1 and any(i.startswith("email_") for i in ids)


def test_discard_returns_to_the_published_form(client: TestClient) -> None:
    op(client, {"op": "set_layout", "layout": [["name", "grade"]]})
    answer = client.post("/design/forms/customer/discard")
    assert answer.status_code == 200 and placed(answer.text) == []
    assert "The draft was discarded" in answer.text and "Same as the published form" in answer.text
    assert placed(client.get("/design/forms/customer").text) == []


@pytest.mark.parametrize("posted, status, message", [
    ("{not json", 400, "not valid JSON"),
    ('{"op": "drop_table"}', 400, "drop_table"),
    ('["set_layout"]', 400, "Not an operation"),
    ('{"op": "change_field", "id": "name", "set": {"label": "x"}}', 400, "change_field"),
    ('{"op": "add_field", "field": {"type": "no_such_type"}}', 400, "no such field type"),
    ('{"op": "add_field", "field": "text"}', 400, "no such field type"),
    ("[" * 100_001 + "]" * 100_001, 400, "too large"),
    ("[" * 50_000 + "]" * 50_000, 400, "not valid JSON"),
])
def test_forged_operations_are_refused_with_a_message(client: TestClient, posted: str, status: int,
                                                     message: str) -> None:
    answer = op(client, posted)
    assert answer.status_code == status and message in answer.text
    assert answer.headers["hx-retarget"] == "#canvas-message"
    assert re.search(r'data-step="undo"[^>]*disabled', client.get("/design/forms/customer").text)  # no step saved


@pytest.mark.parametrize("layout", [
    [["name", "nope"]],  # an unknown field
    [["name"], ["name"]],  # placed twice
    [["name", "grade", "email", "since", "owner", "notes", "tags"]],  # seven in a row
    [{"section": {"zh": "甲", "en": "A"}, "rows": [["name"]]}, ["name"]],
])
def test_a_refused_operation_says_why_at_the_canvas(client: TestClient, layout: Any) -> None:
    answer = op(client, {"op": "set_layout", "layout": layout})
    assert 400 <= answer.status_code < 500 and answer.headers["hx-retarget"] == "#canvas-message"
    assert "could not be made" in answer.text and "Traceback" not in answer.text
    assert re.search(r'data-step="undo"[^>]*disabled', client.get("/design/forms/customer").text)


def test_sections_and_tabs_show_on_the_canvas(client: TestClient) -> None:
    layout = [["name"], {"section": {"zh": "联系", "en": "Contact"}, "rows": [["email", "grade"]]},
              {"tab": {"zh": "甲", "en": "First"}, "layout": [["since"]]},
              {"tab": {"zh": "乙", "en": "Second"}, "layout": [{"section": {"zh": "丙", "en": "Inner"}, "rows": [["owner"]]}]}]
    answer = op(client, {"op": "set_layout", "layout": layout})
    assert answer.status_code == 200, answer.text
    html = answer.text
    assert placed(html) == ["name", "email", "grade", "since", "owner"]
    assert html.count('data-kind="tabs"') == 1 and html.count('role="tab"') == 2  # consecutive tabs: one strip
    assert 'data-title=\'{"zh": "联系", "en": "Contact"}\'' in html or "Contact" in html
    assert ">Inner</h3>" in html and ">Second</button>" in html


def test_publish_shows_the_plan_and_publishes_with_a_note(client: TestClient, shop) -> None:  # type: ignore[no-untyped-def]
    added = op(client, {"op": "add_field", "field": {"type": "number"}, "layout": [["name", "__new__"]]})
    new_id = placed(added.text)[1]
    dialog = client.get("/design/forms/customer/publish")
    assert dialog.status_code == 200
    text = dialog.text
    assert "Publish “Customer”" in text and "Column added: Number" in text and "Added" in text
    assert not re.search(r'id="publish-go"[^>]*disabled', text)
    done = client.post("/design/forms/customer/publish", data={"note": "a number for the customer"})
    assert done.status_code == 200 and "Published." in done.text
    assert 'href="/apps/sales/customer"' in done.text and done.headers["hx-trigger"] == "draft-changed"
    assert shop.definitions.forms["customer"].field(new_id) is not None
    assert new_id in client.get("/apps/sales/customer").text or "Number" in client.get("/apps/sales/customer").text
    assert re.search(r'data-step="undo"[^>]*disabled', client.get("/design/forms/customer").text)  # draft done


def test_nothing_invalid_can_be_published(client: TestClient, shop) -> None:  # type: ignore[no-untyped-def]
    added = op(client, {"op": "add_field", "field": {"type": "formula"}, "layout": [["__new__"]]})
    assert added.status_code == 200
    formula_id = placed(added.text)[0]
    assert 'class="canvas-card has-problem"' in added.text and "card-problem" in added.text
    dialog = client.get("/design/forms/customer/publish").text
    assert "Fix these problems before publishing" in dialog and f'data-select-field="{formula_id}"' in dialog
    assert re.search(r'id="publish-go"[^>]*disabled', dialog)
    refused = client.post("/design/forms/customer/publish", data={"note": "x"})
    assert refused.status_code == 422 and "Fix these problems" in refused.text
    assert shop.definitions.forms["customer"].field(formula_id) is None


def test_a_conflicting_publish_is_refused_with_the_other_change_named(shop) -> None:  # type: ignore[no-untyped-def]
    carol = add_user(shop, "carol")
    with TestClient(create_app(shop), base_url="http://testserver", headers=EN) as alice:
        alice.headers["x-csrf-token"] = sign_in(alice)
        alice.get("/design/forms/customer")  # alice's draft starts from the published form
        shop.drafts.edit(CUSTOMER, carol, {"op": "change_field", "id": "email", "set": {"label": {"zh": "电邮", "en": "Mail"}}})
        shop.drafts.publish(CUSTOMER, carol, "carol's change")
        assert op(alice, {"op": "duplicate_field", "id": "email"}).status_code == 200
        assert op(alice, {"op": "remove_field", "id": "email"}).status_code == 200
        dialog = alice.get("/design/forms/customer/publish").text
        assert "carol published this form" in dialog and "Mail" in dialog and "cannot be published" in dialog
        refused = alice.post("/design/forms/customer/publish", data={"note": "mine"})
        assert refused.status_code == 409 and "Publishing was refused" in refused.text and "carol" in refused.text
        assert shop.definitions.forms["customer"].field("email") is not None


def test_changes_to_other_fields_are_merged(shop) -> None:  # type: ignore[no-untyped-def]
    carol = add_user(shop, "carol")
    with TestClient(create_app(shop), base_url="http://testserver", headers=EN) as alice:
        alice.headers["x-csrf-token"] = sign_in(alice)
        alice.get("/design/forms/customer")
        shop.drafts.edit(CUSTOMER, carol, {"op": "change_field", "id": "email", "set": {"label": {"zh": "电邮", "en": "Mail"}}})
        shop.drafts.publish(CUSTOMER, carol, "carol's change")
        added = op(alice, {"op": "add_field", "field": {"type": "text"}, "layout": [["name", "__new__"]]})
        new_id = placed(added.text)[1]
        dialog = alice.get("/design/forms/customer/publish").text
        assert "carol published this form" in dialog and "will be merged" in dialog
        done = alice.post("/design/forms/customer/publish", data={"note": "mine"})
        assert done.status_code == 200, done.text
        form = shop.definitions.forms["customer"]
        assert form.field(new_id) is not None and form.field("email").label["en"] == "Mail"


def test_every_canvas_text_is_in_chinese_and_english() -> None:
    from web.texts.designer_canvas import TEXTS

    assert all(entry.get("zh") and entry.get("en") for entry in TEXTS.values())
    placeholders = [(key, re.findall(r"{\w+}", e["zh"]), re.findall(r"{\w+}", e["en"])) for key, e in TEXTS.items()]
    assert all(sorted(zh) == sorted(en) for _, zh, en in placeholders), placeholders
