"""Real Chromium on the formula editor's function help: suggestions carry each function's description in the
viewer's language, and the help of the function the caret is in shows under the formula."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.test_browser_design_props import SHOTS, open_panel, site  # noqa: F401  (fixture)
from tests.web.browser import chromium, new_page, sign_in  # noqa: F401  (fixture)


def test_function_help_while_typing_a_formula(chromium: Any, site: tuple[str, Any]) -> None:  # noqa: F811
    url, _ws = site
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = new_page(chromium, url, errors=errors)
    sign_in(page)
    open_panel(page, "/design/forms/order/fields/net")
    formula = page.locator("#design-props textarea[name='k.formula']")
    formula.fill("")
    formula.press_sequentially("RMBC")
    suggestion = page.locator(".formula-suggest [role=option]").first
    expect(suggestion).to_contain_text("RMBCAP")
    expect(suggestion).to_contain_text("人民币金额大写")
    help_line = page.locator("#design-props .formula-fn-help")
    expect(help_line).to_contain_text("RMBCAP(amount) → 文本")
    formula.press("Enter")
    assert formula.input_value() == "RMBCAP("
    expect(help_line).to_contain_text("示例: RMBCAP(amount) = \"壹仟贰佰叁拾肆元伍角\"")
    formula.press_sequentially("ROUND(total, 2")
    expect(help_line).to_contain_text("ROUND(number, [digits]) → 数字")
    expect(help_line).to_contain_text("四舍五入")
    formula.press_sequentially(")")
    expect(help_line).to_contain_text("RMBCAP(amount)")  # back in RMBCAP's parentheses
    formula.press_sequentially(")")
    expect(help_line).to_be_hidden()
    expect(page.locator("#design-props .formula-ok")).to_contain_text("文本")
    formula.press("Home")
    formula.press("ArrowRight")
    formula.press("ArrowRight")
    formula.press("ArrowRight")
    formula.press("ArrowRight")
    formula.press("ArrowRight")
    formula.press("ArrowRight")
    formula.press("ArrowRight")
    expect(help_line).to_contain_text("RMBCAP(amount)")  # the caret moved into the call
    page.locator("#design-props").screenshot(path=str(SHOTS / "panel-formula-help-1280.png"), caret="initial")
    assert errors == [], "\n".join(errors)
