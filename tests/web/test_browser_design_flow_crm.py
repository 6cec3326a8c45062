"""Real Chromium through a change of the CRM's client form and its rollback: an administrator adds a coloured option
to the client's grade and a "WeChat ID" field in the designer, publishes with a note after reading the plan; a
client entered with both shows them in the list (the option as a badge of its colour) and on its record page;
one click in the history restores the old form, the record and its stored WeChat ID stay, and restoring the newer
version shows the value again. Screenshots at 1280 and 375 px go to /tmp/formwork-flow-crm for a person to see."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.records.model import Actor
from tests.conftest import add_user, open_workspace
from tests.web.browser import chromium, live_server, new_page, settled, sign_in  # noqa: F401  (fixture)

SHOTS = Path("/tmp/formwork-flow-crm")  # for a person to look at; nothing asserts on them
PATH = "crm/client/forms/client.yaml"
IDLE = "#designer:not(.busy)"
ADMIN = Actor(user_id=1, is_admin=True)
PURPLE = "rgb(147, 51, 234)"  # app.css: .app-color-purple


@pytest.fixture
def crm(tmp_path: Path, clock) -> Iterator[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path / "ws", clock)
    template = find("crm")
    assert template is not None
    install(ws, template)  # no sample data: the test enters its own client
    add_user(ws, "alice")
    with live_server(ws) as url:
        yield url, ws
    ws.close()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


def phone_shot(chromium: Any, url: str, where: str, name: str, errors: list[str]) -> None:  # noqa: F811
    """The same page at 375 px: a screenshot, and no sideways scrolling."""
    phone = new_page(chromium, url, locale="en-US", width=375, height=800, errors=errors)
    sign_in(phone)
    phone.goto(where)
    shoot(phone, name)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    phone.context.close()
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at 375px"


def stored(ws: Any, record_id: int, column: str) -> Any:
    """A column of the client's row as the database holds it (a removed field's column is kept)."""
    table = ws.definitions.form("client").table
    with ws.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": record_id}).scalar()


def test_a_coloured_option_and_a_field_added_published_shown_and_rolled_back(chromium: Any, crm) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, ws = crm
    errors: list[str] = []
    page = new_page(chromium, url, locale="en-US", width=1280, errors=errors)
    page.on("dialog", lambda dialog: dialog.accept())  # the history's "restore this version?"
    sign_in(page)

    # -- the designer: from the apps to the client form's canvas ----------------------------------------------
    page.goto("/design")
    page.locator("a.design-app[href='/design/apps/client']").click()
    page.locator("a[href='/design/forms/client']").click()
    page.wait_for_url("**/design/forms/client")
    page.wait_for_selector(IDLE)

    # the grade's options: a new one, "Strategic", purple
    page.locator(".canvas-card[data-field=grade]").click()
    panel = page.locator("#design-props .props-panel[data-field=grade]")
    expect(panel.locator("[data-option-rows] > li")).to_have_count(2)
    panel.locator("[data-option-add]").click()

    def option_input(name: str) -> Any:
        return page.locator(f"#design-props [data-option-rows] > li").nth(2).locator(f"[name='opt.{name}']")

    for name, value in (("value", "strategic"), ("zh", "战略客户"), ("en", "Strategic")):
        settled(page)  # each change redraws the panel, which takes the next one once htmx has settled it
        with page.expect_response(lambda r: r.url.endswith("/fields/grade") and r.request.method == "POST"):
            option_input(name).fill(value)
            option_input(name).dispatch_event("change")
        expect(option_input(name)).to_have_value(value)
    settled(page)
    with page.expect_response(lambda r: r.url.endswith("/fields/grade") and r.request.method == "POST"):
        option_input("colour").select_option("purple")
    expect(option_input("colour")).to_have_class(re.compile(r"app-color-purple"))
    shoot(page, "option-1280")

    # a new field from the palette: a text, "WeChat ID"
    before = page.locator(".canvas-body .canvas-card").count()
    page.locator(".palette-item[data-type=text]").click()
    expect(page.locator(".canvas-body .canvas-card")).to_have_count(before + 1)
    page.wait_for_selector(IDLE)
    new_id = page.locator(".canvas-body .canvas-card").evaluate_all(
        "cards => cards.map(c => c.dataset.field).filter(id => id.startsWith('text'))")
    assert len(new_id) == 1, new_id
    field = new_id[0]
    page.locator(f".canvas-card[data-field={field}]").click()
    panel = page.locator(f"#design-props .props-panel[data-field={field}]")
    for lang, value in (("zh", "微信号"), ("en", "WeChat ID")):
        settled(page)
        with page.expect_response(lambda r: r.url.endswith(f"/fields/{field}") and r.request.method == "POST"):
            panel.locator(f"input[name='k.label.{lang}']").fill(value)
            panel.locator(f"input[name='k.label.{lang}']").dispatch_event("change")
    expect(page.locator(f".canvas-card[data-field={field}]")).to_contain_text("WeChat ID")
    shoot(page, "designer-1280")

    # publish: the plan names the new field and the changed grade
    page.click("#publish-open")
    dialog = page.locator("#design-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".publish-changes")).to_contain_text("WeChat ID")
    expect(dialog.locator(".publish-changes")).to_contain_text("Grade")
    expect(dialog.locator(".publish-steps")).to_contain_text("WeChat ID")
    expect(dialog.locator(".publish-changes")).to_contain_text("Changed the layout")  # the new row
    expect(dialog).not_to_contain_text("dc_")  # every line in words, no text key
    shoot(page, "plan-1280")
    dialog.locator("textarea[name=note]").fill("WeChat ID and strategic clients")
    dialog.locator("#publish-go").click()
    dialog.get_by_role("link", name="Open the form's list").click()
    page.wait_for_url("**/apps/client/client")
    assert ws.definitions.form("client").field(field) is not None

    # -- a client entered with both -----------------------------------------------------------------------------
    page.click("a[href='/apps/client/client/new']")
    form = page.locator("form.record-form")
    form.locator("input[name=name]").fill("Shanghai Blue Harbour Trading")
    form.locator("select[name=industry]").select_option(label="Retail")
    form.locator("select[name=grade]").select_option(label="Strategic")
    form.locator(f"input[name={field}]").fill("blueharbour_sh")
    form.locator("button[type=submit]", has_text="Save").click()
    page.wait_for_url(re.compile(r"/apps/client/client/\d+$"))
    record_id = int(page.url.rsplit("/", 1)[-1])
    record_url = page.url.replace(url, "")
    expect(page.locator(f".field-value >> text=blueharbour_sh")).to_be_visible()
    badge = page.locator(".cell[data-field=grade] .option-badge")
    expect(badge).to_have_text("Strategic")
    expect(badge).to_have_css("background-color", PURPLE)
    shoot(page, "record-1280")
    phone_shot(chromium, url, record_url, "record-375", errors)

    # the list: the grade is a default column; the WeChat ID is chosen in the column menu
    page.goto("/apps/client/client")
    row = page.locator("table.records tbody tr", has_text="Shanghai Blue Harbour Trading")
    strategic = row.locator(".option-badge", has_text="Strategic")
    expect(strategic).to_have_class(re.compile(r"app-color-purple"))
    expect(strategic).to_have_css("background-color", PURPLE)
    expect(row.locator(".option-badge", has_text="Potential")).to_have_class(re.compile(r"app-color-gray"))
    page.locator("details.column-choice summary").click()
    page.locator("details.column-choice label.choice", has_text="WeChat ID").locator("input").check()
    page.locator("details.column-choice button[type=submit]").click()
    expect(page.locator("table.records thead")).to_contain_text("WeChat ID")
    expect(row).to_contain_text("blueharbour_sh")
    shoot(page, "list-1280")
    phone_shot(chromium, url, page.url.replace(url, ""), "list-375", errors)

    # -- the history: what version 2 changed, and one click back to version 1 ---------------------------------
    page.goto("/design/forms/client")
    page.locator(".designer-actions a", has_text="History").click()
    page.wait_for_url(re.compile(r"/design/history\?path="))
    latest = page.locator("li#v2")
    expect(latest.locator(".badge")).to_be_visible()
    expect(latest.locator(".design-changes")).to_contain_text("WeChat ID")
    expect(latest.locator(".design-changes")).to_contain_text("Grade")
    expect(latest).to_contain_text("WeChat ID and strategic clients")
    shoot(page, "history-1280")
    phone_shot(chromium, url, page.url.replace(url, ""), "history-375", errors)
    page.locator("li#v1 form[action='/design/history/restore'] button").click()
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator("li#v3 .design-changes")).to_contain_text("WeChat ID")

    client = ws.definitions.form("client")
    assert client.field(field) is None
    assert "strategic" not in [o if isinstance(o, str) else o["value"] for o in client.field("grade").get("options")]
    page.goto("/design/forms/client")
    expect(page.locator(".canvas-card[data-field=grade]")).to_be_visible()
    expect(page.locator(f".canvas-card[data-field={field}]")).to_have_count(0)
    page.locator(".canvas-card[data-field=grade]").click()
    expect(page.locator("#design-props [data-option-rows] > li")).to_have_count(2)

    # the record is there, its WeChat ID kept in its column, and its grade shown sensibly
    record = ws.records.get(ADMIN, "client", record_id)
    assert record.values["name"] == "Shanghai Blue Harbour Trading" and record.values["grade"] == "strategic"
    assert stored(ws, record_id, field) == "blueharbour_sh"
    page.goto("/apps/client/client")
    expect(page.locator("table.records tbody tr", has_text="Shanghai Blue Harbour Trading")).to_contain_text("Strategic")
    page.goto(record_url)
    expect(page.locator("h1")).to_contain_text("Shanghai Blue Harbour Trading")
    expect(page.locator("main")).not_to_contain_text("WeChat ID")
    # no longer an option: shown by the label it last had, not by its stored code
    expect(page.locator(".cell[data-field=grade] .field-value")).to_have_text("Strategic")
    expect(page.locator("main")).not_to_contain_text("strategic")
    shoot(page, "record-rolled-back-1280")
    phone_shot(chromium, url, record_url, "record-rolled-back-375", errors)

    # forward again: version 2 restored, the value is back on the record page
    page.goto("/design/history?path=crm%2Fclient%2Fforms%2Fclient.yaml")
    page.locator("li#v2 form[action='/design/history/restore'] button").click()
    expect(page.locator(".notice")).to_be_visible()
    page.goto(record_url)
    expect(page.locator(".cell", has_text="WeChat ID")).to_contain_text("blueharbour_sh")
    expect(page.locator(".cell[data-field=grade] .option-badge")).to_have_text("Strategic")
    assert errors == [], "\n".join(errors)
