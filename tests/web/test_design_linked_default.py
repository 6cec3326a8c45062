"""The property panel's "from a related record" default: the relation of this form, then a field of its form whose
type fits; written as `default: {from: …, field: …}`, shown again as chosen, anything else refused at the key."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.test_design_props import EN, ZH, draft_text, panel_inputs, post
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)

URL = "/design/forms/order/fields/cancel_reason"


def field_options(html: str, relation: str) -> list[str]:
    """The fields the panel offers for one relation."""
    body = re.search(rf'<select name="k.default.field.{relation}"[^>]*>(.*?)</select>', html, re.S)
    assert body, html[-3000:]
    return [v for v in re.findall(r'<option value="([^"]*)"', body.group(1)) if v]


def test_the_panel_offers_the_relations_and_the_fields_that_fit(client: TestClient) -> None:  # noqa: F811
    sign_in(client)
    page = client.get(URL, headers=ZH).text
    assert '<option value="from">关联记录的字段</option>' in page
    assert re.search(r'<select name="k.default.from" data-default-from[^>]*>.*<option value="customer">客户</option>',
                     page, re.S)
    offered = field_options(page, "customer")  # a text field takes text, email, phone…, never a date or a number
    assert {"name", "email", "notes"} <= set(offered) and not {"since", "rating", "owner"} & set(offered)
    english = client.get("/design/forms/order/fields/ship_by", headers=EN).text
    assert '<option value="from">From a related record</option>' in english
    assert field_options(english, "customer") == ["since"]  # a date takes a date


def test_choosing_them_writes_the_default_and_shows_it_chosen(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    data = {**panel_inputs(client.get(URL).text), "k.default.mode": "from", "k.default.from": "customer",
            "k.default.field.customer": "email"}
    answer = post(client, URL, token, data)
    assert answer.status_code == 200 and answer.headers["hx-trigger"] == "draft-changed"
    line = next(x for x in draft_text(client).splitlines() if "cancel_reason" in x)
    assert "default: {from: customer, field: email}" in line
    assert '<option value="from" selected>' in answer.text
    assert '<option value="customer" selected>' in answer.text and '<option value="email" selected>' in answer.text
    again = post(client, URL, token, panel_inputs(answer.text))  # posting the panel as drawn changes nothing
    assert again.status_code == 200 and "hx-trigger" not in again.headers
    cleared = post(client, URL, token, {**panel_inputs(answer.text), "k.default.mode": ""})
    assert cleared.status_code == 200 and "default:" not in next(
        x for x in draft_text(client).splitlines() if "cancel_reason" in x)


def test_a_field_that_does_not_fit_is_refused_at_the_default(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    before = draft_text(client)
    for field_id in ("since", "", "nope"):
        data = {**panel_inputs(client.get(URL).text), "k.default.mode": "from", "k.default.from": "customer",
                "k.default.field.customer": field_id}
        answer = post(client, URL, token, data, headers=EN)
        assert answer.status_code == 400 and "Choose the relation field and the field to copy" in answer.text
    assert draft_text(client) == before


def test_a_select_keeps_a_related_record_default_written_in_yaml(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    ws = client.app.state.ws  # type: ignore[attr-defined]
    ws.drafts.edit("shop/sales/forms/order.yaml", 1, {"op": "add_field", "field": {
        "type": "select", "id": "tier", "options": ["A", "B", "C"], "default": {"from": "customer", "field": "grade"}}})
    page = client.get("/design/forms/order/fields/tier").text
    answer = post(client, "/design/forms/order/fields/tier", token, {**panel_inputs(page), "k.label.zh": "等级"})
    assert answer.status_code == 200
    tier = draft_text(client).split("id: tier", 1)[1]
    assert re.match(r"(?s).*?default:\s*(\{from: customer, field: grade\}|\n\s+from: customer\n\s+field: grade)", tier)
    assert "等级" in tier
