"""Real Chromium: picking a new order's customer fills the fields that default from it (数据联动), until the user
types into one; at desktop and phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.records.model import Actor
from tests.conftest import add_user, open_workspace
from tests.engine.test_linked_defaults import linked_sources
from tests.web.browser import chromium, live_server, new_page, settled, sign_in  # noqa: F401  (fixture)

SHOTS = Path("/tmp/formwork-linked-default")  # screenshots for a person to look at; nothing asserts on them


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    ws.publish({f"shop/{k}": v for k, v in linked_sources().items()})
    add_user(ws, "alice")
    alice = Actor(user_id=1, is_admin=True)
    ws.records.create(alice, "customer", {"name": "华联电子", "grade": "A", "email": "buy@hualian.cn"})
    ws.records.create(alice, "customer", {"name": "联想", "grade": "C", "email": "ops@lenovo.com"})
    with live_server(ws) as url:
        yield url, ws
    ws.close()


def pick(page: Any, name: str) -> None:
    customer = page.locator("#customer")
    customer.fill(name[:2])
    page.locator("#customer-options [role=option]", has_text=name).click()


@pytest.mark.parametrize("width", [1280, 375])
def test_picking_the_customer_fills_its_grade_and_email_until_typed_over(
        chromium: Any, site: tuple[str, Any], width: int) -> None:  # noqa: F811
    url, ws = site
    errors: list[str] = []
    page = new_page(chromium, url, width=width, height=900, errors=errors)
    sign_in(page)
    page.goto("/apps/sales/order/new")
    grade, email = page.locator("select[name=customer_grade]"), page.locator("input[name=reply_to]")
    expect(grade).to_have_value("")
    pick(page, "华联电子")
    expect(grade).to_have_value("A")
    expect(email).to_have_value("buy@hualian.cn")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"linked-default-{width}.png"), full_page=True)

    page.locator("input[name=reply_to]").fill("me@example.com")  # typed over: stays the user's
    pick(page, "联想")
    expect(grade).to_have_value("C")  # not typed into: follows the new customer
    expect(page.locator("#customer")).to_have_value("联想")
    page.wait_for_load_state("networkidle")
    expect(page.locator("input[name=reply_to]")).to_have_value("me@example.com")

    page.locator("button[type=submit]").last.click()
    page.wait_for_url(lambda u: u.rstrip("/").split("/")[-1].isdigit())
    saved = ws.records.get(Actor(user_id=1, is_admin=True), "order", int(page.url.rstrip("/").split("/")[-1]))
    assert saved.values["customer_grade"] == "C" and saved.values["reply_to"] == "me@example.com"
    assert errors == []


def test_the_designer_writes_the_default_once_the_relation_and_its_field_are_chosen(
        chromium: Any, site: tuple[str, Any]) -> None:  # noqa: F811
    from tests.test_browser_design_props import open_panel

    url, ws = site
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    open_panel(page, "/design/forms/order/fields/cancel_reason")
    page.locator("#design-props select[name='k.default.mode']").select_option("from")
    relation = page.locator("#design-props select[name='k.default.from']")
    expect(relation).to_be_visible()
    relation.select_option("customer")  # nothing posted yet: the field to copy is still to choose
    field = page.locator("#design-props select[name='k.default.field.customer']")
    expect(field).to_be_visible()
    assert "default" not in cancel_reason_line(ws)
    settled(page)
    with page.expect_response(lambda r: r.url.endswith("/fields/cancel_reason") and r.request.method == "POST"):
        field.select_option("email")
    expect(page.locator("#design-props .props-saved")).to_be_visible()
    assert "default: {from: customer, field: email}" in cancel_reason_line(ws)
    expect(page.locator("#design-props select[name='k.default.field.customer']")).to_have_value("email")
    page.locator("#design-props").screenshot(path=str(SHOTS / "designer-default-from-1280.png"))
    page.set_viewport_size({"width": 375, "height": 900})
    page.locator("#design-props").screenshot(path=str(SHOTS / "designer-default-from-375.png"))
    assert errors == []


def cancel_reason_line(ws: Any) -> str:
    return next(x for x in ws.drafts.open("shop/sales/forms/order.yaml", 1).text.splitlines() if "cancel_reason" in x)
