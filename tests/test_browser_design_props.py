"""Real Chromium on the designer's property panel and the draft's preview: a pasted option list, formula
autocomplete with the live check, the preview of a field not yet published with a show rule working, at desktop
and phone width. Screenshots go to /tmp/formwork-design-props for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, settled, sign_in  # noqa: F401  (fixture)

ORDER = "shop/sales/forms/order.yaml"
SHOTS = Path("/tmp/formwork-design-props")


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    ws.drafts.edit(ORDER, 1, {"op": "add_field", "field": {
        "type": "textarea", "id": "gift_note", "label": {"zh": "礼品留言", "en": "Gift note"}}})
    ws.drafts.edit(ORDER, 1, {"op": "add_rule", "rule": {"show": ["gift_note"], "when": "status = 'paid'"}})
    with live_server(ws) as url:
        yield url, ws
    ws.close()


def open_panel(page: Any, url: str, root: str = ".props-panel") -> None:
    """The panel as the canvas page hosts it: an <aside id="design-props"> filled by htmx, with the designer's
    scripts (the canvas page itself is built apart)."""
    page.goto("/settings")
    page.evaluate("""() => { const aside = document.createElement('aside');
        aside.id = 'design-props'; aside.className = 'card'; aside.style.maxWidth = '560px';
        document.querySelector('main').prepend(aside); }""")
    for script in ("/static/vendor/sortablejs/Sortable.min.js", "/static/js/designer-props.js",
                   "/static/js/formula-editor.js"):
        page.add_script_tag(url=script)
    page.evaluate(f"() => htmx.ajax('GET', '{url}', {{target: '#design-props', swap: 'innerHTML'}})")
    expect(page.locator(f"#design-props {root}")).to_be_visible()


def test_options_pasted_and_a_formula_typed_with_autocomplete(chromium: Any, site: tuple[str, Any]) -> None:  # noqa: F811
    url, ws = site
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    open_panel(page, "/design/forms/order/fields/status")
    expect(page.locator(".option-row:not(template .option-row)")).to_have_count(3)
    page.locator(".option-paste summary").click()
    page.locator("textarea[name='opt.paste']").fill("退款\n返修")
    page.locator("[data-option-paste]").click()
    expect(page.locator("#design-props .props-saved")).to_be_visible()
    expect(page.locator("#design-props [data-option-rows] > li")).to_have_count(5)
    assert "- 退款" in ws.drafts.open(ORDER, 1).text and "- 返修" in ws.drafts.open(ORDER, 1).text
    settled(page)  # the panel drawn anew takes changes once htmx has settled it
    with page.expect_response(lambda r: r.url.endswith("/fields/status") and r.request.method == "POST"):
        page.locator("#design-props [data-option-rows] > li").first.locator("select").select_option("green")
    expect(page.locator("#design-props [data-option-rows] > li select.app-color-green")).to_have_count(1)
    assert "{value: new, label: {zh: 新建, en: New}, color: green}" in ws.drafts.open(ORDER, 1).text
    page.locator("#design-props").screenshot(path=str(SHOTS / "panel-options-1280.png"), caret="initial")

    open_panel(page, "/design/forms/order/fields/net")
    formula = page.locator("#design-props textarea[name='k.formula']")
    expect(page.locator("#design-props .formula-ok")).to_contain_text("数字")  # the stored formula checks out
    formula.fill("")
    formula.press_sequentially("tot")
    suggestion = page.locator(".formula-suggest [role=option]").first
    expect(suggestion).to_contain_text("total")
    formula.press("Enter")
    assert formula.input_value() == "total"
    formula.press_sequentially(" * 2 +")
    expect(page.locator("#design-props .formula-caret")).to_be_visible()
    expect(page.locator("#design-props .formula-check .error")).to_contain_text("第 12 个字符")
    formula.press_sequentially(" dis")
    expect(page.locator(".formula-suggest [role=option]").first).to_contain_text("discount")
    formula.press("Tab")
    expect(page.locator("#design-props .formula-ok")).to_be_visible()
    page.locator("#design-props").screenshot(path=str(SHOTS / "panel-formula-1280.png"), caret="initial")
    formula.blur()  # leaving the editor saves the formula to the draft
    expect(page.locator("#design-props .props-saved")).to_be_visible()
    net = next(line for line in ws.drafts.open(ORDER, 1).text.splitlines() if "id: net" in line)
    assert "total * 2 + discount" in net, net
    assert errors == [], "\n".join(errors)

    phone = new_page(chromium, url, width=375, height=800, errors=errors)
    sign_in(phone)
    open_panel(phone, "/design/forms/order/fields/status")
    phone.locator("#design-props").screenshot(path=str(SHOTS / "panel-375.png"), caret="initial")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert errors == []


def test_the_preview_runs_the_drafts_rules(chromium: Any, site: tuple[str, Any]) -> None:  # noqa: F811
    url, ws = site
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    page.goto("/design/forms/order/preview")
    expect(page.locator(".preview-banner")).to_contain_text("草稿预览")
    expect(page.locator(".record-form button[type=submit]")).to_be_disabled()
    gift = page.locator(".cell[data-field='gift_note']")
    expect(gift).to_be_hidden()  # not published yet, and hidden until the order is paid
    page.select_option("#status", "paid")
    expect(gift).to_be_visible()
    page.locator("#gift_note").fill("生日快乐")
    page.select_option("#status", "cancelled")
    expect(gift).to_be_hidden()
    expect(page.locator(".cell[data-field='cancel_reason']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "preview-1280.png"), full_page=True, caret="initial")
    page.locator("[data-preview-width=phone]").click()
    expect(page.locator("[data-preview-switch]")).to_have_attribute("data-width", "phone")
    assert page.evaluate("document.querySelector('.record-form').getBoundingClientRect().width") == 375
    page.screenshot(path=str(SHOTS / "preview-phone-frame-1280.png"), full_page=True, caret="initial")
    assert "gift_note" not in (ws.definitions.forms["order"].field_ids())  # nothing was published or saved
    assert errors == []

    phone = new_page(chromium, url, width=375, height=800, errors=errors)
    sign_in(phone)
    phone.goto("/design/forms/order/preview?width=phone")
    phone.select_option("#status", "paid")
    expect(phone.locator(".cell[data-field='gift_note']")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "preview-375.png"), full_page=True, caret="initial")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert errors == []


def test_a_rule_is_added_and_a_bad_condition_shown_at_it(chromium: Any, site: tuple[str, Any]) -> None:  # noqa: F811
    url, ws = site
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = new_page(chromium, url, locale="en-US", errors=errors)
    sign_in(page)
    page.goto("/lang/en")
    open_panel(page, "/design/forms/order/rules", ".rules-panel")
    new = page.locator(".rule-new")
    new.locator("summary").click()
    new.locator("select[name=kind]").select_option("check")
    expect(new.locator("textarea[name=check]")).to_be_visible()  # a check's formula and message appear
    new.locator("textarea[name=check]").fill("discount <= 50")
    new.locator("label.choice", has_text="Discount").locator("input").check()
    new.locator("input[name='message.en']").fill("At most 50% off")
    new.locator("input[name='message.zh']").fill("折扣不能超过 50%")
    new.locator("button[type=submit]").click()
    expect(page.locator(".rule-card")).to_have_count(5)
    assert "check: discount <= 50" in ws.drafts.open(ORDER, 1).text
    when = page.locator(".rule-card[data-rule='0'] textarea[name=when]")
    when.fill("staus = 'cancelled'")
    expect(page.locator("#rule-0-when-check")).to_contain_text("did you mean 'status'")
    when.blur()  # saved: the rule shows the draft's problem until it is fixed
    expect(page.locator(".rule-card.invalid[data-rule='0'] .prop-problem")).to_contain_text("unknown field 'staus'")
    page.locator("#design-props").screenshot(path=str(SHOTS / "rules-1280.png"), caret="initial")
    assert errors == [], "\n".join(errors)
