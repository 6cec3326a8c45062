"""Live form previews, subform rows, the address cascade, comments and related lists, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.records.model import Actor
from engine.storage.system import comments, history, outbox
from tests.web.test_web import sign_in
from web.app import create_app

ADDRESS_APP = {
    "places/places/app.yaml": "app: places\nlabel: {zh: 地点, en: Places}\nforms: [site]\n",
    "places/places/forms/site.yaml": (
        "form: site\nlabel: {zh: 网点, en: Site}\nfields:\n"
        "  - {id: name, type: text, label: {zh: 名称, en: Name}, required: true}\n"
        "  - {id: where, type: address, label: {zh: 地址, en: Address}}\n"
    ),
}


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    actor = Actor(user_id=1, is_admin=True)
    customer = shop.records.create(actor, "customer", {"name": "华联电子", "grade": "A"})
    shop.records.create(actor, "customer", {"name": "Other Co", "grade": "C"})
    shop.records.create(actor, "product", {"name": "Widget", "price": "5"})
    order = shop.records.create(actor, "order", {"customer": customer.id, "items": [
        {"product": 1, "quantity": 2, "price": "5"}]})
    shop.records.create(actor, "payment", {"order": order.id, "amount": "3"})
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        yield c


def _counts(ws: Any) -> tuple[int, int, int]:
    rt = ws.records.runtime("order")
    with ws.engine.connect() as conn:
        return tuple(int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                     for t in (rt.main, history, outbox))  # type: ignore[return-value]


def _order_form(token: str, **extra: str) -> dict[str, str]:
    data = {"csrf_token": token, "customer": "1", "status": "new", "ordered_on": "2024-03-15", "ship_by": "",
            "cancel_reason": "", "discount": "", "items.rows": "2",
            "items[0].product": "1", "items[0].quantity": "3", "items[0].price": "2.5",
            "items[1].product": "", "items[1].quantity": "", "items[1].price": ""}
    data.update(extra)
    return data


def _oob(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no #{element_id} in {html[:2000]}"
    return match.group(0)


def test_preview_computes_formulas_rules_and_errors_without_writing(client: TestClient) -> None:
    token = sign_in(client)
    before = _counts(client.ws)  # type: ignore[attr-defined]
    response = client.post("/apps/sales/order/preview", data=_order_form(token), headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.text
    assert "7.50" in _oob(html, "calc-items-0-subtotal") and "7.50" in _oob(html, "calc-total")
    assert "A" in _oob(html, "calc-grade")  # lookup through the customer relation
    assert 'data-hidden="1"' in _oob(html, "state-cancel_reason")
    assert 'hx-swap-oob="true"' in _oob(html, "state-cancel_reason")
    cancelled = client.post("/apps/sales/order/preview", data=_order_form(token, status="cancelled"),
                            headers={"accept-language": "en"}).text
    state = _oob(cancelled, "state-cancel_reason")
    assert 'data-hidden="0"' in state and 'data-required="1"' in state
    assert "Cancel reason is required" in _oob(cancelled, "err-cancel_reason")
    bad = client.post("/apps/sales/order/preview", headers={"accept-language": "zh-CN"},
                      data=_order_form(token, **{"items[0].quantity": "0", "ship_by": "2024-03-01"})).text
    assert "数量不能小于 1" in _oob(bad, "err-items-0-quantity")
    assert "发货期限不能早于下单日期" in _oob(bad, "err-ship_by")
    assert _counts(client.ws) == before  # type: ignore[attr-defined]


def test_preview_maps_rows_after_a_blank_one_and_of_an_existing_record(client: TestClient) -> None:
    token = sign_in(client)
    data = _order_form(token, **{"items.rows": "3", "items[0].product": "", "items[0].quantity": "",
                                 "items[0].price": "", "items[2].product": "1", "items[2].quantity": "4",
                                 "items[2].price": "1"})
    html = client.post("/apps/sales/order/preview", data=data).text
    assert "4.00" in _oob(html, "calc-items-2-subtotal") and "4.00" not in _oob(html, "calc-items-0-subtotal")
    edit = client.post("/apps/sales/order/preview?record=1", data=_order_form(token)).text
    assert "7.50" in _oob(edit, "calc-total") and "3.00" in _oob(edit, "calc-paid")
    assert client.post("/apps/sales/order/preview?record=99", data=_order_form(token)).status_code == 404
    assert client.post("/apps/sales/order/preview", data={"customer": "1"}).status_code == 403  # no CSRF token


def test_new_form_shows_computed_fields_and_hides_by_rule(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/apps/sales/order/new").text
    assert re.search(r'data-field="cancel_reason"[^>]*hidden', page)
    assert 'id="calc-total"' in page and 'hx-post="/apps/sales/order/preview"' in page
    assert "data-row-template" in page and 'name="items.rows" value="1"' in page


def test_subform_rows_keep_their_order_when_saved(client: TestClient) -> None:
    token = sign_in(client)
    data = _order_form(token, **{"items.rows": "3", "items[1].product": "1", "items[1].quantity": "1",
                                 "items[1].price": "9", "items[2].product": "1", "items[2].quantity": "5",
                                 "items[2].price": "1"})
    response = client.post("/apps/sales/order/new", data={**data, "submit_token": "t1"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    record_id = int(response.headers["location"].rsplit("/", 1)[1])
    saved = client.ws.records.get(Actor(user_id=1, is_admin=True), "order", record_id)  # type: ignore[attr-defined]
    assert [row["quantity"] for row in saved["items"]] == [3, 1, 5]
    edit = client.get(f"/apps/sales/order/{record_id}/edit").text
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)  # type: ignore[union-attr]
    moved = {"csrf_token": token, "version": version, "customer": "1", "status": "new", "ordered_on": "2024-03-15",
             "items.rows": "2", "items[0].product": "1", "items[0].quantity": "5", "items[0].price": "1",
             "items[1].product": "1", "items[1].quantity": "3", "items[1].price": "2.5"}
    response = client.post(f"/apps/sales/order/{record_id}/edit", data=moved, follow_redirects=False)
    assert response.status_code == 303, response.text
    saved = client.ws.records.get(Actor(user_id=1, is_admin=True), "order", record_id)  # type: ignore[attr-defined]
    assert [row["quantity"] for row in saved["items"]] == [5, 3] and str(saved["total"]) == "12.50"
    assert 'name="items.rows" value="2"' in client.get(f"/apps/sales/order/{record_id}/edit").text
    shown = client.get(f"/apps/sales/order/{record_id}", headers={"accept-language": "en"}).text
    assert "<del>3 rows</del> → <ins>2 rows</ins>" in shown and "<del>¥21.50</del> → <ins>¥12.50</ins>" in shown


@pytest.fixture
def places(client: TestClient) -> TestClient:
    ws = client.ws  # type: ignore[attr-defined]
    ws.publish(ADDRESS_APP)
    return TestClient(create_app(ws), base_url="http://testserver")


def test_address_cascade_offers_the_cities_of_the_chosen_province(places: TestClient) -> None:
    token = sign_in(places)
    page = places.get("/apps/places/site/new").text
    assert "广东省" in page and 'hx-get="/regions?field=where' in page and 'hx-target="find .regions"' in page
    fragment = places.get("/regions", params={"field": "where", "level": "detail", "where.province": "广东省",
                                              "where.city": "杭州市"}).text
    assert "深圳市" in fragment and "杭州市" not in fragment and "南山区" not in fragment
    fragment = places.get("/regions", params={"field": "where", "where.province": "广东省",
                                              "where.city": "深圳市", "where.district": "南山区"}).text
    assert re.search(r'<option value="南山区" selected>', fragment)
    assert places.get("/regions", params={"field": "bad\"name"}).status_code == 400
    wrong = places.post("/apps/places/site/new", headers={"accept-language": "en"}, data={
        "csrf_token": token, "submit_token": "a1", "name": "HQ", "where.province": "浙江省", "where.city": "深圳市",
        "where.district": "", "where.detail": "8 Keji Rd"})
    assert wrong.status_code == 422 and "深圳市" in wrong.text and "Address" in wrong.text
    right = places.post("/apps/places/site/new", follow_redirects=False, data={
        "csrf_token": token, "submit_token": "a2", "name": "HQ", "where.province": "广东省", "where.city": "深圳市",
        "where.district": "南山区", "where.detail": "8 Keji Rd"})
    assert right.status_code == 303, right.text
    assert "广东省深圳市南山区8 Keji Rd" in places.get(right.headers["location"]).text


def test_comments_are_escaped_refused_when_empty_and_need_csrf(client: TestClient) -> None:
    token = sign_in(client)
    url = "/apps/sales/customer/1/comments"
    assert client.post(url, data={"body": "hello"}).status_code == 403
    empty = client.post(url, data={"csrf_token": token, "body": "   "}, headers={"accept-language": "en"})
    assert empty.status_code == 422 and "Comment is required" in empty.text
    long = client.post(url, data={"csrf_token": token, "body": "x" * 2001}, headers={"accept-language": "en"})
    assert long.status_code == 422 and "at most 2000" in long.text
    response = client.post(url, data={"csrf_token": token, "body": "<script>alert(1)</script> ok"},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/apps/sales/customer/1").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ok" in page and "<script>alert(1)" not in page
    assert client.post("/apps/sales/customer/99/comments", data={"csrf_token": token, "body": "x"}).status_code == 404
    with client.ws.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute(sa.select(sa.func.count()).select_from(comments)).scalar_one() == 1


def test_timeline_is_newest_first_with_changes_and_comments(client: TestClient, clock: Any) -> None:
    from datetime import timedelta

    token = sign_in(client)
    ws = client.ws  # type: ignore[attr-defined]
    clock.now += timedelta(minutes=1)
    ws.records.update(Actor(user_id=1, is_admin=True), "customer", 1, {"grade": "B"}, version=1)
    clock.now += timedelta(minutes=1)
    client.post("/apps/sales/customer/1/comments", data={"csrf_token": token, "body": "called them"})
    page = client.get("/apps/sales/customer/1", headers={"accept-language": "en"}).text
    comments = page[page.index('class="timeline comments"'):page.index('data-panel="timeline"')]
    assert "called them" in comments and re.search(r'<label for="rtab-comments"[^>]*>Comments <span class="count">1<', page)
    timeline = page[page.index('data-panel="timeline"'):]
    assert "called them" not in timeline
    assert timeline.index("changed") < timeline.index("created the record")
    assert "Grade: <del>A</del> → <ins>B</ins>" in timeline
    assert re.search(r'added\s*<a href="/apps/sales/order/1">Order SO-', timeline)


def test_related_lists_show_records_pointing_here_with_a_prefilled_new_link(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/apps/sales/customer/1", headers={"accept-language": "en"}).text
    related = page[page.index('data-related="order.customer"'):]
    assert "SO-" in related and 'href="/apps/sales/order/new?customer=1"' in related
    assert re.search(r'class="count">1<', related)
    assert 'data-related="order.customer"' not in client.get("/apps/sales/customer/2").text.split("timeline")[0] \
        or 'class="count">0<' in client.get("/apps/sales/customer/2").text
    order_page = client.get("/apps/sales/order/1").text
    assert 'data-related="payment.order"' in order_page and 'href="/apps/sales/payment/new?order=1"' in order_page


def test_new_record_prefills_relations_from_the_query_safely(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/apps/sales/order/new?customer=1").text
    assert re.search(r'name="customer" value="1"', page) and "华联电子" in page
    assert 'id="calc-grade"' in page and re.search(r'id="calc-grade"[^>]*>A<', page)
    for bad in ("?customer=999", "?customer=abc", "?status=paid&customer=-1", "?customer=1%3Cb%3E"):
        html = client.get(f"/apps/sales/order/new{bad}").text
        assert not re.search(r'name="customer" value="[^"]', html), bad
        assert '<option value="paid" selected' not in html


def test_computed_money_is_shown_as_money_on_the_record_page_its_form_and_the_list(client: TestClient) -> None:
    """A formula whose result is money and a rollup summing money read like a money field: ¥1,234.50, not 1234.5."""
    ws = client.ws  # type: ignore[attr-defined]
    path = next(p for p in ws.sources() if p.endswith("forms/order.yaml"))
    ws.publish({path: ws.sources()[path].replace("  - {id: contract,", (
        "  - {id: gross, type: formula, result: money, label: {zh: 毛额, en: Gross}, formula: \"total * 150.0\"}\n"
        "  - {id: contract,"))})
    ws.records.create(Actor(user_id=1, is_admin=True), "payment", {"order": 1, "amount": "1231.5"})
    sign_in(client)
    en = {"accept-language": "en"}
    record = client.get("/apps/sales/order/1", headers=en).text
    for field_id, shown in (("gross", "¥1,500.00"), ("paid", "¥1,234.50")):
        cell = record.split(f'data-field="{field_id}"', 1)[1].split("</div>\n", 2)[1]
        assert shown in cell, (field_id, cell)
    edit = client.get("/apps/sales/order/1/edit", headers=en).text
    assert '<output class="computed" id="calc-paid">¥1,234.50</output>' in edit
    assert '<output class="computed" id="calc-gross">¥1,500.00</output>' in edit
    listing = client.get("/apps/sales/order?cols=code,gross,paid", headers=en).text
    assert re.search(r"<td[^>]*>¥1,500.00</td>", listing) and re.search(r"<td[^>]*>¥1,234.50</td>", listing)


def test_an_empty_value_on_the_record_page_shows_a_dash(client: TestClient) -> None:
    sign_in(client)
    record = client.get("/apps/sales/order/1", headers={"accept-language": "en"}).text
    discount = record.split('data-field="discount"', 1)[1].split('data-field="', 1)[0]
    assert '<div class="field-value"><span class="none">—</span></div>' in discount  # no discount given
    total = record.split('data-field="total"', 1)[1].split('data-field="', 1)[0]
    assert "—" not in total and "¥10.00" in total


def test_a_formula_ending_in_an_error_is_saved_empty_and_says_why_on_the_form_and_the_record_page(
        client: TestClient) -> None:
    """`total / discount` with no discount is #DIV/0!: the field is stored empty, and the live form and the record
    page show the error in the reader's language instead of a blank."""
    ws = client.ws  # type: ignore[attr-defined]
    path = next(p for p in ws.sources() if p.endswith("forms/order.yaml"))
    ws.publish({path: ws.sources()[path].replace("  - {id: contract,", (
        "  - {id: ratio, type: number, label: {zh: 比率, en: Ratio}, formula: \"total / discount\"}\n"
        "  - {id: contract,"))})
    actor = Actor(user_id=1, is_admin=True)
    order = ws.records.create(actor, "order", {"customer": 1, "items": [{"product": 1, "quantity": 2, "price": "5"}]})
    assert ws.records.get(actor, "order", order.id).values.get("ratio") is None  # saved empty
    token = sign_in(client)
    preview = client.post("/apps/sales/order/preview", data=_order_form(token), headers={"accept-language": "en"})
    shown = _oob(preview.text, "calc-ratio")
    assert "division by zero (#DIV/0!)" in shown and "formula-error" in shown
    fine = client.post("/apps/sales/order/preview", data=_order_form(token, discount="50"),
                       headers={"accept-language": "en"}).text
    assert "#DIV/0!" not in _oob(fine, "calc-ratio")
    for lang, message in (("en", "division by zero (#DIV/0!)"), ("zh-CN", "除数为零 (#DIV/0!)")):
        record = client.get(f"/apps/sales/order/{order.id}", headers={"accept-language": lang}).text
        cell = record.split('data-field="ratio"', 1)[1].split('data-field="', 1)[0]
        assert message in cell, cell
    total = client.get(f"/apps/sales/order/{order.id}").text.split('data-field="total"', 1)[1]
    assert "#DIV/0!" not in total.split('data-field="', 1)[0]


def test_a_subform_row_formula_error_shows_in_its_own_row_after_a_blank_one(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    path = next(p for p in ws.sources() if p.endswith("forms/order.yaml"))
    line = '      - {id: subtotal, type: money, label: {zh: 小计, en: Subtotal}, formula: "quantity * price"}\n'
    ws.publish({path: ws.sources()[path].replace(line, line + (
        '      - {id: share, type: number, label: {zh: 份额, en: Share}, formula: "price / (quantity - 3)"}\n'))})
    token = sign_in(client)
    data = _order_form(token, **{"items.rows": "3", "items[0].product": "", "items[0].quantity": "",
                                 "items[0].price": "", "items[2].product": "1", "items[2].quantity": "3",
                                 "items[2].price": "1"})
    html = client.post("/apps/sales/order/preview", data=data, headers={"accept-language": "zh-CN"}).text
    assert "除数为零 (#DIV/0!)" in _oob(html, "calc-items-2-share")
    assert "#DIV/0!" not in _oob(html, "calc-items-0-share")


def _header(html: str) -> str:
    return html[html.index('<header class="card record-head">'):html.index("</header>", html.index("record-head"))]


def _fields(html: str) -> str:
    return html[html.index('<div class="record">'):html.index('class="card record-tabs"')]


def test_a_field_a_show_rule_hides_for_this_record_is_not_on_its_page(client: TestClient) -> None:
    """cancel_reason shows only when the order is cancelled (the form's show rule), as on the form."""
    ws = client.ws  # type: ignore[attr-defined]
    sign_in(client)
    assert 'data-field="cancel_reason"' not in _fields(client.get("/apps/sales/order/1").text)
    actor = Actor(user_id=1, is_admin=True)
    version = ws.records.get(actor, "order", 1).version
    ws.records.update(actor, "order", 1, {"status": "cancelled", "cancel_reason": "out of stock"}, version=version)
    shown = _fields(client.get("/apps/sales/order/1").text)
    assert 'data-field="cancel_reason"' in shown and "out of stock" in shown


def test_empty_values_and_an_empty_subform_show_a_dash(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    order = ws.records.create(Actor(user_id=1, is_admin=True), "order", {"customer": 1})
    sign_in(client)
    fields = _fields(client.get(f"/apps/sales/order/{order.id}", headers={"accept-language": "en"}).text)
    items = fields.split('data-field="items"', 1)[1].split('data-field="', 1)[0]
    assert '<span class="none">—</span>' in items and "<table" not in items
    ship_by = fields.split('data-field="ship_by"', 1)[1].split('data-field="', 1)[0]
    assert '<span class="none">—</span>' in ship_by


def _with_header(ws: Any) -> None:
    """The shop's order declares its status field (options with colours) and two key fields."""
    path = next(p for p in ws.sources() if p.endswith("forms/order.yaml"))
    source = ws.sources()[path].replace("title: code\n", "title: code\nstatus: status\nkey_fields: [total, ordered_on]\n")
    source = source.replace("{value: new, label: {zh: 新建, en: New}}", "{value: new, label: {zh: 新建, en: New}, color: blue}")
    ws.publish({path: source})


def test_the_header_shows_title_status_in_its_colour_owner_and_key_fields(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    sign_in(client)
    plain = _header(client.get("/apps/sales/order/1", headers={"accept-language": "en"}).text)
    assert "status-tag" not in plain and 'data-key="total"' not in plain  # nothing declared: no status, no keys
    _with_header(ws)
    header = _header(client.get("/apps/sales/order/1", headers={"accept-language": "en"}).text)
    assert re.search(r"<h1>SO-\d{6}-0001</h1>", header)
    assert re.search(r'class="status-tag option-badge app-color-blue" data-status="status">New<', header)
    assert re.search(r'data-key="owner"><dt>Owner</dt><dd>Alice', header)
    assert re.search(r'data-key="total"><dt>Total</dt><dd>¥10.00</dd>', header)
    assert re.search(r'data-key="ordered_on"><dt>Ordered on</dt><dd>[A-Z][a-z]{2} \d{1,2}, \d{4}</dd>', header)
    zh = _header(client.get("/apps/sales/order/1", headers={"accept-language": "zh-CN"}).text)
    assert ">新建<" in zh and "<dt>负责人</dt>" in zh and "new<" not in zh


def test_related_tabs_count_the_records_the_viewer_may_read(client: TestClient) -> None:
    """Alice sees both orders of the customer, the clerk (orders: own scope) only hers."""
    from tests.conftest import add_user

    ws = client.ws  # type: ignore[attr-defined]
    carol = add_user(ws, "carol", admin=False, roles=("clerk",))
    ws.records.create(Actor(user_id=1, is_admin=True), "order", {"customer": 1}, owner_id=carol)
    tab = r'<label for="rtab-related-order-customer"[^>]*>Order <span class="count">{}</span>'
    sign_in(client)
    assert re.search(tab.format(2), client.get("/apps/sales/customer/1", headers={"accept-language": "en"}).text)
    client.cookies.clear()
    sign_in(client, "carol")
    page = client.get("/apps/sales/customer/1", headers={"accept-language": "en"}).text
    assert re.search(tab.format(1), page)
    panel = page[page.index('data-related="order.customer"'):page.index('data-panel="comments"')]
    assert panel.count('href="/apps/sales/order/') == 2  # her one order, and the "new" button


def test_a_related_list_without_records_is_an_add_line_only_for_users_who_may_add(client: TestClient) -> None:
    from tests.conftest import add_user

    ws = client.ws  # type: ignore[attr-defined]
    sign_in(client)
    page = client.get("/apps/sales/customer/2", headers={"accept-language": "en"}).text  # no order yet
    assert 'data-related="order.customer"' not in page and 'id="rtab-related-order-customer"' not in page
    assert re.search(r'data-add-related="order.customer" href="/apps/sales/order/new\?customer=2">\+ Order<', page)
    path = next(p for p in ws.sources() if p.endswith("roles.yaml"))
    ws.publish({path: ws.sources()[path].replace("order: {operations: [create, read, update]",
                                                 "order: {operations: [read]")})
    add_user(ws, "dave", admin=False, roles=("clerk",))
    client.cookies.clear()
    sign_in(client, "dave")
    page = client.get("/apps/sales/customer/2", headers={"accept-language": "en"}).text
    assert 'data-related="order.customer"' not in page and "data-add-related" not in page
    assert "/apps/sales/order/new" not in page
