"""Real Chromium, the designer from end to end: an administrator creates an app (names, icon, colour) and a blank
form in it, drags ten field types onto the canvas and names them in the property panel, adds a formula field
with the formula editor, a show rule and a require rule with its message in both languages, tries the rules and
the formula in the preview at phone width, and publishes with a note; a sales rep then fills the form and sees
the show rule, the formula and the require rule work, and saves a record with the computed value.

Screenshots at 1280 and 375 px go to /tmp/formwork-flow-build for a person to look at; nothing asserts on them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import add_user, open_workspace
from tests.web.browser import chromium, drag, live_server, new_page, sign_in  # noqa: F401  (fixture)

SHOTS = Path("/tmp/formwork-flow-build")
IDLE = "#designer:not(.busy)"
# (type, id, zh, en, starts a row): ten types dragged from the palette, in the order they are dropped; the form's
# rows are then [name, contact], [quantity, price, total], [follow_up, follow_up_on], [email, phone, rating], [notes]
FIELDS = [
    ("text", "contact", "联系人", "Contact", False),
    ("integer", "quantity", "数量", "Quantity", True),
    ("money", "price", "单价", "Price", False),
    ("formula", "total", "合计", "Total", False),
    ("boolean", "follow_up", "需要回访", "Follow up", True),
    ("date", "follow_up_on", "回访日期", "Follow-up date", False),
    ("email", "email", "客户邮箱", "Customer email", True),
    ("phone", "mobile", "手机", "Mobile", False),
    ("rating", "rating", "满意度", "Satisfaction", False),
    ("textarea", "notes", "备注", "Notes", True),
]
NOTES_REQUIRED = {"zh": "金额超过 1000 时请写明备注", "en": "Orders over 1000 need a note"}
# The rep's role, published as a roles document (the designer edits apps and forms, not roles).
ROLES = """roles:
  - id: field_rep
    label: {zh: 外勤销售, en: Field rep}
    permissions:
      visit: {operations: [create, read], scope: own}
"""


@pytest.fixture
def workspace(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'flow.db'}", tmp_path / "ws", clock)
    add_user(ws, "alice")
    add_user(ws, "rep", admin=False, roles=("field_rep",))
    yield ws
    ws.close()


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


def answered(page: Any, root: str, action: Callable[[], None], then: str = "") -> None:
    """Do something that posts a panel (`root`, a CSS selector) and wait until the server's answer replaced it
    (by `then`, when the answer is another panel), saved, and the canvas has caught up."""
    page.locator(root).evaluate("e => { e.dataset.stale = '1'; }")
    action()
    then = then or root
    page.locator(f"{then}:not([data-stale])").wait_for()
    expect(page.locator(f"{then} .props-saved")).to_be_visible()
    page.wait_for_selector(IDLE)


def set_input(page: Any, root: str, selector: str, value: str, then: str = "") -> None:
    """Type a value into an input of a panel and leave it: the change posts the panel."""
    def act() -> None:
        box = page.locator(f"{root} {selector}")
        box.fill(value)
        box.press("Tab")
    answered(page, root, act, then)


def open_field(page: Any, field_id: str) -> str:
    page.locator(f".canvas-body .canvas-card[data-field={field_id}]").click()
    root = f"#design-props .props-panel[data-field={field_id}]"
    expect(page.locator(root)).to_be_visible()
    return root


def name_field(page: Any, old_id: str, new_id: str, zh: str, en: str) -> None:
    """The label in both languages, then the id (a new field's id may still change)."""
    root = open_field(page, old_id)
    set_input(page, root, "input[name='k.label.zh']", zh)
    set_input(page, root, "input[name='k.label.en']", en)
    renamed = f"#design-props .props-panel[data-field={new_id}]"
    set_input(page, root, "#k-new-id", new_id, then=renamed)
    expect(page.locator(f".canvas-body .canvas-card.selected[data-field={new_id}]")).to_be_visible()
    expect(page.locator(f"{renamed} input[name='k.label.en']")).to_have_value(en)  # the panel stays open
    expect(page.locator(f".canvas-body .canvas-card[data-field={new_id}]")).to_contain_text(en)


def card_ids(page: Any) -> list[str]:
    return list(page.locator(".canvas-body .canvas-card").evaluate_all("cards => cards.map(c => c.dataset.field)"))


def drop(page: Any, ftype: str, new_row: bool) -> str:
    """Drag a type from the palette after the last card, in its row or in a new row below; the new field's id."""
    before = card_ids(page)
    source = page.locator(f".palette-item[data-type={ftype}]")
    if not before:
        drag(page, source, page.locator(".canvas-body > .canvas-items"), ".canvas-body .drag-ghost")
    elif new_row:  # just above the bottom edge of the canvas, below the last row
        items = page.locator(".canvas-body > .canvas-items")
        box = items.bounding_box()
        drag(page, source, items, ".canvas-body > .canvas-items > .drag-ghost:last-child",
             across=0.5, down=(box["height"] - 4) / box["height"])
    else:
        drag(page, source, page.locator(f".canvas-card[data-field={before[-1]}]"),
             f".canvas-card[data-field={before[-1]}] + .drag-ghost")
    cards = page.locator(".canvas-body .canvas-card")
    expect(cards).to_have_count(len(before) + 1)
    page.wait_for_selector(IDLE)
    added = [i for i in card_ids(page) if i not in before]
    assert len(added) == 1 and added[0].startswith(ftype + "_"), added
    return added[0]


def rows(page: Any) -> list[list[str]]:
    return list(page.locator(".canvas-body .canvas-cells").evaluate_all(
        "rows => rows.map(r => Array.from(r.children).map(c => c.dataset.field))"))


def build(page: Any) -> None:
    """Drag the ten types onto the canvas after the blank form's own field (a new form has it placed), then name
    each new field."""
    expect(page.locator(".canvas-body .canvas-card").first).to_have_attribute("data-field", "name")
    expect(page.locator(".canvas-unplaced .canvas-card")).to_have_count(0)
    dropped = [drop(page, ftype, new_row) for ftype, _, _, _, new_row in FIELDS]
    page.wait_for_selector(IDLE)
    shoot(page, "dropped-1280")
    for old_id, (_, new_id, zh, en, _) in zip(dropped, FIELDS):
        name_field(page, old_id, new_id, zh, en)
    assert rows(page) == [["name", "contact"], ["quantity", "price", "total"], ["follow_up", "follow_up_on"],
                          ["email", "mobile", "rating"], ["notes"]]


def write_formula(page: Any) -> None:
    """total = quantity * price, typed with the editor's autocomplete."""
    root = open_field(page, "total")
    formula = page.locator(f"{root} textarea[name='k.formula']")
    formula.click()
    formula.press_sequentially("quan")
    expect(page.locator(".formula-suggest [role=option]").first).to_contain_text("quantity")
    formula.press("Enter")
    formula.press_sequentially(" * pri")
    expect(page.locator(".formula-suggest [role=option]").first).to_contain_text("price")
    formula.press("Tab")
    assert formula.input_value() == "quantity * price"
    expect(page.locator(f"{root} .formula-ok")).to_be_visible()
    answered(page, root, formula.blur)
    shoot(page, "formula-1280")


def add_rules(page: Any) -> None:
    """The follow-up date shows only when a follow-up is wanted; notes are required over 1000."""
    page.locator(".designer-actions button", has_text="Rules").click()
    root = "#design-props .rules-panel"
    expect(page.locator(root)).to_be_visible()
    new = page.locator(f"{root} .rule-new")
    expect(new).to_have_attribute("open", "")
    new.locator("select[name=kind]").select_option(label="Show when")
    new.locator("label.choice", has_text="Follow-up date").locator("input").check()
    when = new.locator("textarea[name=when]")
    when.fill("follow_up")
    expect(new.locator(".formula-ok")).to_be_visible()
    answered(page, root, new.locator("button[type=submit]").click)
    expect(page.locator(f"{root} .rule-card")).to_have_count(1)

    new = page.locator(f"{root} .rule-new")
    new.locator("summary").click()
    new.locator("select[name=kind]").select_option(label="Required when")
    new.locator("label.choice", has_text="Notes").locator("input").check()
    new.locator("textarea[name=when]").fill("total > 1000")
    expect(new.locator(".formula-ok")).to_be_visible()
    new.locator("input[name='message.zh']").fill(NOTES_REQUIRED["zh"])
    new.locator("input[name='message.en']").fill(NOTES_REQUIRED["en"])
    answered(page, root, new.locator("button[type=submit]").click)
    expect(page.locator(f"{root} .rule-card")).to_have_count(2)
    expect(page.locator(f"{root} .rule-card.invalid")).to_have_count(0)
    shoot(page, "rules-1280")


def try_form(page: Any, *, preview: bool) -> None:
    """The rules and the formula at work on a new record (in the preview, or the real form)."""
    date_cell = page.locator(".record-form .cell[data-field=follow_up_on]")
    expect(date_cell).to_be_hidden()
    follow_up = page.locator(".record-form input[name=follow_up][type=checkbox]")
    follow_up.check()
    expect(date_cell).to_be_visible()
    follow_up.uncheck()
    expect(date_cell).to_be_hidden()
    follow_up.check()
    expect(date_cell).to_be_visible()
    page.locator(".record-form input[name=quantity]").fill("3")
    page.locator(".record-form input[name=price]").fill("500")
    page.locator(".record-form input[name=price]").blur()
    expect(page.locator("#calc-total")).to_have_text("1500")
    expect(page.locator("#state-notes")).to_have_attribute("data-required", "1")
    if preview:
        return
    page.locator(".record-form input[name=quantity]").fill("2")
    page.locator(".record-form input[name=quantity]").blur()
    expect(page.locator("#calc-total")).to_have_text("1000")
    expect(page.locator("#state-notes")).to_have_attribute("data-required", "0")
    page.locator(".record-form input[name=quantity]").fill("4")
    page.locator(".record-form input[name=quantity]").blur()
    expect(page.locator("#calc-total")).to_have_text("2000")


def test_an_admin_builds_a_form_and_a_rep_fills_it(chromium: Any, workspace) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    errors: list[str] = []
    with live_server(workspace) as url:
        page = new_page(chromium, url, locale="en-US", width=1280, errors=errors)
        sign_in(page)

        # the app: names, then its icon and colour
        page.goto("/design")
        new_app = page.locator("section.design-new")
        new_app.locator("input[name=id]").fill("fieldwork")
        new_app.locator("input[name=label_zh]").fill("外勤")
        new_app.locator("input[name=label_en]").fill("Field work")
        new_app.locator("button[type=submit]").click()
        page.wait_for_url("**/design/apps/fieldwork?done=created")
        settings = page.locator("form[action='/design/apps/fieldwork/settings']")
        settings.locator(".design-icons input[type=radio]").nth(3).check()
        icon = settings.locator(".design-icons input[type=radio]").nth(3).get_attribute("value")
        settings.locator("label.color-choice", has_text="Green").locator("input").check()
        settings.locator("button[type=submit]").click()
        page.wait_for_url("**/design/apps/fieldwork?done=saved")
        app = next(a for a in workspace.definitions.apps if a.id == "fieldwork")
        assert (app.label, app.icon, app.color) == ({"zh": "外勤", "en": "Field work"}, icon, "green")

        # a blank form in it, and its canvas
        add_form = page.locator("form[action='/design/apps/fieldwork/forms']")
        add_form.locator("input[name=id]").fill("visit")
        add_form.locator("input[name=label_zh]").fill("客户拜访")
        add_form.locator("input[name=label_en]").fill("Customer visit")
        add_form.locator("button[type=submit]").click()
        page.wait_for_url("**/design/apps/fieldwork?done=form_added")
        shoot(page, "app-1280")
        page.locator("li[data-form=visit] a", has_text="Design").click()
        page.wait_for_url("**/design/forms/visit")
        page.wait_for_selector(IDLE)

        build(page)
        write_formula(page)
        add_rules(page)
        shoot(page, "canvas-1280")

        # the preview, in the phone frame of the desktop page and on a phone itself
        page.locator(".designer-actions a", has_text="Preview").click()
        page.wait_for_url("**/design/forms/visit/preview")
        page.locator("[data-preview-width=phone]").click()
        expect(page.locator("[data-preview-switch]")).to_have_attribute("data-width", "phone")
        assert page.evaluate("document.querySelector('.record-form').getBoundingClientRect().width") == 375
        try_form(page, preview=True)
        shoot(page, "preview-phone-frame-1280")

        phone = new_page(chromium, url, locale="zh-CN", width=375, height=800, errors=errors)
        sign_in(phone)
        phone.goto("/design/forms/visit/preview?width=phone")
        expect(phone.locator(".preview-banner")).to_contain_text("草稿预览")
        try_form(phone, preview=True)
        shoot(phone, "preview-375")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.context.close()

        # publish with a note
        page.goto("/design/forms/visit")
        page.click("#publish-open")
        dialog = page.locator("#design-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.locator(".publish-changes")).to_contain_text("Total")
        expect(dialog.locator(".publish-changes")).to_contain_text("Changed the layout, the rules")
        shoot(page, "publish-1280")
        dialog.locator("textarea[name=note]").fill("customer visits: ten fields, a total and two rules")
        dialog.locator("#publish-go").click()
        expect(dialog.get_by_role("link", name="Open the form's list")).to_be_visible()
        form = workspace.definitions.forms["visit"]
        assert [f.id for f in form.fields] == ["name"] + [f[1] for f in FIELDS]
        assert next(f for f in form.fields if f.id == "total").formula == "quantity * price"
        assert [(r.kind, r.fields, r.when, r.message) for r in form.rules] == [
            ("show", ("follow_up_on",), "follow_up", None), ("require", ("notes",), "total > 1000", NOTES_REQUIRED)]
        workspace.publish({"fieldwork/roles.yaml": ROLES})  # the rep's role on the new form
        page.context.close()

        # the rep fills it
        rep = new_page(chromium, url, locale="en-US", width=1280, errors=errors)
        sign_in(rep, "rep")
        rep.goto("/apps/fieldwork/visit/new")
        record = rep.locator("form.record-form")
        record.locator("input[name=name]").fill("Ming's bakery")
        try_form(rep, preview=False)
        shoot(rep, "rep-form-1280")
        record.locator("button[type=submit]", has_text="Save").click()
        expect(rep.locator("#err-notes")).to_contain_text(NOTES_REQUIRED["en"])
        shoot(rep, "rep-refused-1280")
        rep.locator(".record-form textarea[name=notes]").fill("Wants a second oven")
        rep.locator(".record-form input[name=follow_up_on]").fill("2024-03-22")
        rep.locator(".record-form button[type=submit]", has_text="Save").click()
        rep.wait_for_url("**/apps/fieldwork/visit/*")
        total = rep.locator(".record .cell", has=rep.locator(".field-label", has_text="Total"))
        expect(total.locator(".field-value")).to_have_text("2000")
        expect(rep.locator("main")).to_contain_text("Wants a second oven")
        shoot(rep, "rep-record-1280")
        rep.set_viewport_size({"width": 375, "height": 800})
        shoot(rep, "rep-record-375")
        rep.context.close()
    assert errors == [], "\n".join(errors)
