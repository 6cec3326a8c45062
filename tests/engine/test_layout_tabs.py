"""Tabs in form layouts: parsed into LayoutTab, checked like rows and sections (known ids, each placed once), an
empty tab reported at its path, and the schema refusing what a tab may not hold."""

from __future__ import annotations

from pathlib import Path

from engine.definitions.loader import load_sources, read_directory
from engine.definitions.model import LayoutSection, LayoutTab, layout_cells

FIXTURES = Path(__file__).parents[1] / "fixtures"
ORDER = "sales/forms/order.yaml"
SHOP_LAYOUT = "  - {section: {zh: 明细, en: Items}, rows: [[items], [total, discount, net]]}\n"


def with_layout(lines: str) -> list[str]:
    """Problems of the shop with the order form's section replaced by `lines` (YAML layout items)."""
    sources = read_directory(FIXTURES / "shop")
    assert SHOP_LAYOUT in sources[ORDER]
    sources[ORDER] = sources[ORDER].replace(SHOP_LAYOUT, lines)
    return [str(p) for p in load_sources(sources).problems]


TABS = (
    "  - tab: {zh: 明细, en: Items}\n"
    "    layout:\n"
    "      - [items]\n"
    "      - {section: {zh: 金额, en: Amounts}, rows: [[total, discount, net]]}\n"
    "  - {tab: {zh: 状态, en: Status}, layout: [[status, cancel_reason]]}\n"
)


def test_tabs_parse_into_layout_tabs_holding_rows_and_sections() -> None:
    sources = read_directory(FIXTURES / "shop")
    sources[ORDER] = sources[ORDER].replace(SHOP_LAYOUT, TABS)
    result = load_sources(sources)
    assert [str(p) for p in result.problems] == []
    layout = result.definitions.form("order").layout
    assert layout[0] == ("code", "customer")
    assert layout[1] == LayoutTab({"zh": "明细", "en": "Items"}, (
        ("items",), LayoutSection({"zh": "金额", "en": "Amounts"}, (("total", "discount", "net"),))))
    assert layout[2] == LayoutTab({"zh": "状态", "en": "Status"}, (("status", "cancel_reason"),))
    assert list(layout_cells(layout)) == [
        ("/0/0", "code"), ("/0/1", "customer"), ("/1/layout/0/0", "items"), ("/1/layout/1/rows/0/0", "total"),
        ("/1/layout/1/rows/0/1", "discount"), ("/1/layout/1/rows/0/2", "net"), ("/2/layout/0/0", "status"),
        ("/2/layout/0/1", "cancel_reason")]


def test_an_unknown_id_in_a_tab_names_its_path_line_and_the_closest_field() -> None:
    problems = with_layout(TABS.replace("[[status, cancel_reason]]", "[[status, cancel_reson]]"))
    assert problems == ["sales/forms/order.yaml:41 /layout/2/layout/0/1: unknown field 'cancel_reson' "
                        "(did you mean 'cancel_reason'?)"], problems


def test_a_field_in_a_section_of_a_tab_that_is_unknown_is_reported_there() -> None:
    problems = with_layout(TABS.replace("[[total, discount, net]]", "[[total, discont, net]]"))
    assert len(problems) == 1 and "/layout/1/layout/1/rows/0/1: unknown field 'discont'" in problems[0], problems


def test_a_field_placed_in_two_tabs_or_in_a_tab_and_a_row_is_reported_once_at_the_second_place() -> None:
    twice = with_layout(TABS.replace("[[status, cancel_reason]]", "[[status, total]]"))
    assert twice == ["sales/forms/order.yaml:41 /layout/2/layout/0/1: field 'total' is placed twice in the layout"]
    in_row = with_layout(TABS.replace("[[status, cancel_reason]]", "[[status, code]]"))
    assert in_row == ["sales/forms/order.yaml:41 /layout/2/layout/0/1: field 'code' is placed twice in the layout"]


def test_a_tab_that_places_no_field_is_a_problem_at_its_path() -> None:
    problems = with_layout(TABS + "  - {tab: {zh: 空, en: Nothing yet}, layout: [{section: {zh: 空, en: Empty}, rows: []}]}\n"
                           "  - {tab: {zh: 也空, en: Also empty}, layout: []}\n")
    assert problems == ["sales/forms/order.yaml:42 /layout/3: tab 'Nothing yet' holds no fields",
                        "sales/forms/order.yaml:43 /layout/4: tab 'Also empty' holds no fields"], problems


def test_the_schema_refuses_tabs_inside_tabs_a_tab_without_layout_and_unknown_keys() -> None:
    nested = with_layout("  - {tab: {zh: 外, en: Outer}, layout: [{tab: {zh: 内, en: Inner}, layout: [[items]]}]}\n")
    assert "sales/forms/order.yaml:37 /layout/1/layout/0/tab: unknown property 'tab'" in nested, nested
    missing = with_layout("  - {tab: {zh: 明细, en: Items}, rows: [[items]]}\n")
    assert "sales/forms/order.yaml:37 /layout/1: missing required property 'layout'" in missing, missing
    typo = with_layout("  - {tab: {zh: 明细, en: Items}, layout: [[items]], icon: box}\n")
    assert typo == ["sales/forms/order.yaml:37 /layout/1/icon: unknown property 'icon'"], typo
    wide = with_layout("  - {tab: {zh: 明细, en: Items}, layout: [[items, total, discount, net, paid, outstanding, label]]}\n")
    assert len(wide) == 1 and wide[0].startswith("sales/forms/order.yaml:37 /layout/1/layout/0:") and "too long" in wide[0]


def test_rows_and_sections_are_checked_as_before() -> None:
    problems = with_layout("  - {section: {zh: 明细, en: Items}, rows: [[items], [total, customer]]}\n")
    assert problems == ["sales/forms/order.yaml:37 /layout/1/rows/1/1: field 'customer' is placed twice in the layout"]


def test_a_designer_draft_with_tabs_publishes_and_an_empty_tab_is_a_problem_at_its_path(shop) -> None:  # type: ignore[no-untyped-def]
    product, alice = "shop/sales/forms/product.yaml", 1
    tabbed = [{"tab": {"zh": "基本", "en": "Basics"}, "layout": [["name"]]},
              {"tab": {"zh": "价格", "en": "Pricing"}, "layout": [{"section": {"zh": "单价", "en": "Price"}, "rows": [["price"]]}]},
              {"tab": {"zh": "以后", "en": "Later"}, "layout": []}]
    draft = shop.drafts.edit(product, alice, {"op": "set_layout", "layout": tabbed})
    assert [(p.pointer, p.text("en")) for p in shop.drafts.problems(draft)] == [("/layout/2", "tab 'Later' holds no fields")]
    draft = shop.drafts.edit(product, alice, {"op": "set_layout", "layout": tabbed[:2]})
    assert shop.drafts.problems(draft) == []
    shop.drafts.publish(product, alice, "tabs")
    assert shop.definitions.forms["product"].layout == (
        LayoutTab({"zh": "基本", "en": "Basics"}, (("name",),)),
        LayoutTab({"zh": "价格", "en": "Pricing"}, (LayoutSection({"zh": "单价", "en": "Price"}, (("price",),)),)))
