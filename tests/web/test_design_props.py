"""The designer's property panel: generated for every field type, a change is one operation on the draft (its
YAML shows it), options pasted as a list, bad input refused at its input, problems shown at their key, the
formula check with the error's position, serial numbering with a live example, subform columns, form settings."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.fields.registry import field_type, type_names
from engine.i18n import text
from tests.conftest import add_user
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)
from web.texts.designer_props import ENUMS, KEYS

ORDER = "shop/sales/forms/order.yaml"
ZH = {"accept-language": "zh-CN"}
EN = {"accept-language": "en"}


def draft_text(c: TestClient) -> str:
    ws = c.app.state.ws  # type: ignore[attr-defined]
    return str(ws.drafts.open(ORDER, 1).text)


def post(c: TestClient, url: str, token: str, data: Mapping[str, object],
         headers: dict[str, str] | None = None) -> Any:
    return c.post(url, data={"csrf_token": token, **data}, headers=headers or ZH)


def panel_inputs(html: str) -> dict[str, object]:
    """What a browser would post from the panel as drawn: every named input's value (checked boxes only)."""
    found: dict[str, object] = {}
    form = html.split("<template", 1)[0] + html.split("</template>", 1)[-1] if "<template" in html else html
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag or 'type="radio"' in tag:
            if " checked" not in tag:
                continue
        value = re.search(r'value="([^"]*)"', tag)
        v = value.group(1) if value else ""
        if tag.startswith("<select"):
            continue
        existing = found.get(name.group(1))
        found[name.group(1)] = [*existing, v] if isinstance(existing, list) else [existing, v] \
            if existing is not None else v
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        found[name] = chosen.group(1) if chosen else (re.findall(r'<option value="([^"]*)"', body) or [""])[0]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        found[name] = body
    return found


@pytest.mark.parametrize("type_name", type_names())
def test_a_panel_is_generated_for_every_field_type(client: TestClient, type_name: str) -> None:  # noqa: F811
    sign_in(client)
    ws = client.app.state.ws  # type: ignore[attr-defined]
    op = {"op": "add_field", "field": {"type": type_name, "id": "probe"}}
    ws.drafts.edit(ORDER, 1, op)
    for lang, headers in (("zh", ZH), ("en", EN)):
        page = client.get("/design/forms/order/fields/probe", headers=headers)
        assert page.status_code == 200, page.text[-2000:]
        assert 'data-field="probe"' in page.text
        ftype = field_type(type_name)
        assert f'<option value="{type_name}" selected>{text(ftype.label, lang)}</option>' in page.text
        for key, schema in ftype.props_schema.items():
            assert f'data-prop="{key}"' in page.text and KEYS[key][lang] in html.unescape(page.text), (type_name, key)
            for value in schema.get("enum", []):
                assert (ENUMS.get(key, {}).get(value, {}).get(lang) or text(field_type(value).label, lang)) \
                    in page.text
        assert "{{" not in page.text and "Undefined" not in page.text
    # posting the panel as drawn changes nothing
    page = client.get("/design/forms/order/fields/probe")
    before = draft_text(client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    again = post(client, "/design/forms/order/fields/probe", token, panel_inputs(page.text))
    assert again.status_code == 200, again.text[-1500:]
    assert draft_text(client) == before, type_name


def test_every_schema_key_and_enum_value_has_words() -> None:
    for name in type_names():
        for key, schema in field_type(name).props_schema.items():
            assert key in KEYS, (name, key)
            for value in schema.get("enum", []):
                assert value in ENUMS.get(key, {}) or value in type_names(), (name, key, value)


def test_a_change_is_one_operation_on_the_draft(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    page = client.get("/design/forms/order/fields/cancel_reason")
    data = {**panel_inputs(page.text), "k.label.zh": "取消的原因", "k.required": "1", "k.max_length": "80"}
    answer = post(client, "/design/forms/order/fields/cancel_reason", token, data)
    assert answer.status_code == 200 and answer.headers["hx-trigger"] == "draft-changed"
    assert "已保存到草稿" in answer.text and 'value="取消的原因"' in answer.text
    yaml = draft_text(client)
    line = next(x for x in yaml.splitlines() if "cancel_reason" in x)
    assert "label: {zh: 取消的原因, en: Cancel reason}" in line and "required: true" in line \
        and "max_length: 80" in line
    ws = client.app.state.ws  # type: ignore[attr-defined]
    assert ws.definitions.forms["order"].field("cancel_reason").required is False  # published form unchanged
    assert ws.drafts.undo(ORDER, 1).text.count("取消的原因") == 0  # one step: one undo takes it all back


def test_change_type_and_rename_an_unpublished_field(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    ws = client.app.state.ws  # type: ignore[attr-defined]
    ws.drafts.edit(ORDER, 1, {"op": "add_field", "field": {"type": "text", "id": "note", "max_length": 20}})
    data = panel_inputs(client.get("/design/forms/order/fields/note").text)
    answer = post(client, "/design/forms/order/fields/note", token, {**data, "type": "textarea"})
    assert answer.status_code == 200 and '<option value="textarea" selected>' in answer.text
    assert re.search(r"\{id: note, type: textarea, .*max_length: 20", draft_text(client))
    data = panel_inputs(answer.text)
    renamed = post(client, "/design/forms/order/fields/note", token, {**data, "new_id": "remark"})
    assert renamed.status_code == 200 and 'data-field="remark"' in renamed.text
    assert "id: remark" in draft_text(client)
    published = panel_inputs(client.get("/design/forms/order/fields/status").text)
    refused = post(client, "/design/forms/order/fields/status", token, {**published, "new_id": "state"})
    assert refused.status_code == 400 and "已发布" in refused.text
    assert "id: state" not in draft_text(client)


def test_options_paste_colour_and_default(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    data = panel_inputs(client.get("/design/forms/order/fields/status").text)
    data.update({"opt.colour": ["green", "", "red"], "opt.default": "paid", "opt.paste": "退款\n\n返修\npaid\n"})
    answer = post(client, "/design/forms/order/fields/status", token, data)
    assert answer.status_code == 200
    yaml = draft_text(client)
    assert "{value: new, label: {zh: 新建, en: New}, color: green}" in yaml
    assert "{value: cancelled, label: {zh: 已取消, en: Cancelled}, color: red}" in yaml
    assert "- 退款" in yaml and "- 返修" in yaml and yaml.count("value: paid") == 1  # a pasted duplicate is skipped
    assert "default: paid" in yaml
    assert answer.text.count('name="opt.value"') == 5 + 1  # five rows and the template of a new one
    # removing a row and reordering: the rows as posted are the options
    data = panel_inputs(answer.text)
    data.update({"opt.value": ["返修", "new", "paid"], "opt.zh": ["返修", "新建", "已付款"],
                 "opt.en": ["返修", "New", "Paid"], "opt.colour": ["", "green", ""], "opt.paste": ""})
    post(client, "/design/forms/order/fields/status", token, data)
    options = draft_text(client).split("options:", 1)[1].split("- {id: cancel_reason", 1)[0]
    assert options.index("返修") < options.index("value: new") < options.index("value: paid")
    assert "cancelled" not in options and "退款" not in options


def test_bad_input_is_refused_at_its_input(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    before = draft_text(client)
    data = panel_inputs(client.get("/design/forms/order/fields/discount").text)
    answer = post(client, "/design/forms/order/fields/discount", token, {**data, "k.decimals": "12"}, EN)
    assert answer.status_code == 400
    prop = answer.text.split('data-prop="decimals"', 1)[1].split('data-prop="', 1)[0]
    assert "“Decimal places” cannot be more than 10" in prop
    answer = post(client, "/design/forms/order/fields/discount", token, {**data, "k.min": "ten"}, EN)
    assert answer.status_code == 400 and "“Minimum” must be a number" in answer.text
    assert draft_text(client) == before
    assert post(client, "/design/forms/order/fields/discount", token, {**data, "type": "nope"}, EN).status_code == 400
    assert draft_text(client) == before


def test_a_post_from_an_older_panel_is_not_applied(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    old = panel_inputs(client.get("/design/forms/order/fields/discount").text)
    assert post(client, "/design/forms/order/fields/discount", token, {**old, "k.max": "90"}).status_code == 200
    before = draft_text(client)
    stale = post(client, "/design/forms/order/fields/discount", token, {**old, "k.min": "5"}, EN)
    assert stale.status_code == 409 and "The draft changed elsewhere" in stale.text
    assert draft_text(client) == before and 'name="k.max" value="90"' in stale.text  # shown as it is now


def test_problems_of_the_draft_are_shown_at_their_key(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    data = panel_inputs(client.get("/design/forms/order/fields/customer").text)
    answer = post(client, "/design/forms/order/fields/customer", token, {**data, "k.to": "nowhere"}, EN)
    assert answer.status_code == 200  # saved: a draft may be invalid while it is edited
    prop = answer.text.split('data-prop="to"', 1)[1].split('data-prop="', 1)[0]
    assert "unknown form" in prop and "nowhere" in prop
    assert "to: nowhere" in draft_text(client)


def test_formula_check_gives_the_type_or_the_error_position(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    url = "/design/forms/order/formula?input=k.formula"
    ok = post(client, url, token, {"k.formula": "ROUND(total * 2, 1)"}, EN)
    assert ok.status_code == 200 and "The formula is valid; it gives number" in ok.text
    bad = post(client, url, token, {"k.formula": "total + totl"}, EN)
    assert "Error at character 9:" in bad.text and "totl" in bad.text and "did you mean" in bad.text
    assert 'data-position="8"' in bad.text and "<mark>t</mark>otl" in bad.text
    row = post(client, "/design/forms/order/formula?input=f&parent=items", token, {"f": "quantity * price"}, EN)
    assert "it gives number" in row.text  # a column's formula sees the row's columns
    ws = client.app.state.ws  # type: ignore[attr-defined]
    ws.drafts.edit(ORDER, 1, {"op": "add_field", "field": {"type": "number", "id": "weight"}})
    fresh = post(client, url, token, {"k.formula": "weight * 2"}, EN)
    assert "it gives number" in fresh.text  # checked against the draft, not the published form
    page = client.get("/design/forms/order/fields/net")
    assert "&#34;ROUND&#34;" in page.text and "&#34;weight&#34;" in page.text  # autocomplete data


def test_serial_pattern_with_a_live_example(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    page = client.get("/design/forms/order/fields/code")
    assert 'value="SO-{YYYY}{MM}-{seq:04}"' in page.text and "SO-202403-0001" in page.text
    example = post(client, "/design/forms/order/fields/code/numbering?example=1", token,
                   {"numbering": "{YYYY}-{status}-{seq:3}"})
    assert example.text.strip() == "2024-new-001"  # the fixture's clock; a field part takes its first option
    saved = post(client, "/design/forms/order/fields/code/numbering", token, {"numbering": "{YYYY}-{status}-{seq:3}"})
    assert saved.status_code == 200 and saved.headers["hx-trigger"] == "draft-changed"
    assert "numbering: {field: code, pattern: '{YYYY}-{status}-{seq:3}'}" in draft_text(client)


def test_subform_columns_add_open_order_remove(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    page = client.get("/design/forms/order/fields/items")
    assert "/design/forms/order/fields/quantity?parent=items" in page.text
    added = post(client, "/design/forms/order/fields/items/columns?do=add", token, {"column_type": "text"})
    assert added.status_code == 200 and "?parent=items" in added.text  # the new column's own panel
    new_id = re.search(r'data-field="([a-z0-9_]+)"', added.text).group(1)  # type: ignore[union-attr]
    items = draft_text(client).split("id: items", 1)[1]
    assert f"id: {new_id}, type: text" in items
    column = panel_inputs(added.text)
    changed = post(client, f"/design/forms/order/fields/{new_id}?parent=items", token,
                   {**column, "k.label.zh": "备注", "k.label.en": "Note"})
    assert changed.status_code == 200 and "label: {zh: 备注, en: Note}" in draft_text(client)
    order = ["price", "product", "quantity", "subtotal", new_id]
    post(client, "/design/forms/order/fields/items/columns?do=order", token, {"order": order})
    items = draft_text(client).split("id: items", 1)[1].split("id: total", 1)[0]
    assert items.index("id: price") < items.index("id: product") < items.index("id: quantity")
    post(client, f"/design/forms/order/fields/items/columns?do=remove&column={new_id}", token, {})
    assert f"id: {new_id}" not in draft_text(client)


def test_form_settings(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    page = client.get("/design/forms/order/settings")
    assert page.status_code == 200 and 'value="订单"' in page.text
    data = {"label.zh": "销售订单", "label.en": "Order", "title": "label", "search": ["code", "cancel_reason"],
            "numbering.code": "SO-{YYYY}{MM}-{seq:04}"}
    saved = post(client, "/design/forms/order/settings", token, data)
    assert saved.status_code == 200 and saved.headers["hx-trigger"] == "draft-changed"
    yaml = draft_text(client)
    assert "label: {zh: 销售订单, en: Order}" in yaml and "title: label" in yaml
    assert "search: [code, cancel_reason]" in yaml
    refused = post(client, "/design/forms/order/settings", token, {**data, "label.zh": "", "label.en": ""})
    assert refused.status_code == 400 and "销售订单" in draft_text(client)


def test_only_administrators_design(client: TestClient) -> None:  # noqa: F811
    ws = client.app.state.ws  # type: ignore[attr-defined]
    add_user(ws, "carol", admin=False)
    sign_in(client, "carol")
    for url in ("/design/forms/order/fields/status", "/design/forms/order/rules", "/design/forms/order/settings",
                "/design/forms/order/preview"):
        assert client.get(url).status_code == 403
    assert client.get("/design/forms/nowhere/fields/x").status_code in (403,)


def test_an_app_administrator_designs_the_forms_of_their_app(client: TestClient) -> None:  # noqa: F811
    ws = client.app.state.ws  # type: ignore[attr-defined]
    ws.publish({"shop/sales/app.yaml": ws.sources()["shop/sales/app.yaml"] + "admins: [clerk]\n"})
    clerk = add_user(ws, "dora", admin=False, roles=("clerk",))
    token = sign_in(client, "dora")
    page = client.get("/design/forms/order/fields/cancel_reason")
    assert page.status_code == 200
    answer = post(client, "/design/forms/order/fields/cancel_reason", token,
                  {**panel_inputs(page.text), "k.required": "1"})
    assert answer.status_code == 200
    assert "required: true" in ws.drafts.open(ORDER, clerk).text  # the clerk's own draft
    assert "required: true" not in next(line for line in draft_text(client).splitlines() if "cancel_reason" in line)


def test_unknown_form_and_field(client: TestClient) -> None:  # noqa: F811
    sign_in(client)
    assert client.get("/design/forms/nowhere/fields/x").status_code == 404
    assert client.get("/design/forms/order/fields/nowhere").status_code == 404
    assert client.get("/design/forms/order/fields/quantity?parent=nowhere").status_code == 404


def test_preview_of_the_draft(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    ws = client.app.state.ws  # type: ignore[attr-defined]
    ws.drafts.edit(ORDER, 1, {"op": "add_field", "field": {"type": "text", "id": "gift_note",
                                                          "label": {"zh": "礼品留言", "en": "Gift note"}}})
    ws.drafts.edit(ORDER, 1, {"op": "add_rule", "rule": {"show": ["gift_note"], "when": "status = 'paid'"}})
    page = client.get("/design/forms/order/preview", headers=EN)
    assert page.status_code == 200
    assert "Preview of the draft: nothing entered here is saved." in page.text
    assert 'data-field="gift_note"' in page.text and "Gift note" in page.text
    assert 'hx-post="/design/forms/order/preview/live"' in page.text
    assert re.search(r'<button type="submit" disabled[^>]*>Save</button>', page.text)
    live = post(client, "/design/forms/order/preview/live", token, {"status": "paid"}, EN)
    assert re.search(r'id="state-gift_note" data-hidden="0"', live.text)
    hidden = post(client, "/design/forms/order/preview/live", token, {"status": "new"}, EN)
    assert re.search(r'id="state-gift_note" data-hidden="1"', hidden.text)
    assert "gift_note" not in ws.definitions.forms["order"].field_ids()
    assert client.get("/apps/sales/order/new").text.count("gift_note") == 0  # the real form is untouched
    layout = [{"tab": {"zh": "基本", "en": "Basics"}, "layout": [["code", "customer"], ["status", "gift_note"]]},
              {"tab": {"zh": "明细", "en": "Lines"}, "layout": [["items"], ["total", "discount", "net"]]}]
    ws.drafts.edit(ORDER, 1, {"op": "set_layout", "layout": layout})
    tabs = client.get("/design/forms/order/preview", headers=EN)
    assert 'class="tab-list"' in tabs.text and "Basics" in tabs.text and "Lines" in tabs.text  # the draft's tabs
    ws.drafts.edit(ORDER, 1, {"op": "change_field", "id": "gift_note", "set": {"formula": "nowhere + 1"}})
    broken = client.get("/design/forms/order/preview", headers=EN)
    assert broken.status_code == 200 and "The draft has problems; fix them to preview it:" in broken.text
    assert "nowhere" in broken.text


def test_bad_posts_are_4xx_never_500(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    before = draft_text(client)
    bad = [
        ("/design/forms/order/fields/items/columns?do=order", {"order": ["nope", "product"]}),
        ("/design/forms/order/fields/items/columns?do=remove&column=nope", {}),
        ("/design/forms/order/fields/items/columns?do=add", {"column_type": "subform"}),
        ("/design/forms/order/fields/items/columns?do=explode", {}),
        ("/design/forms/order/fields/code/numbering", {"numbering": "x" * 500}),
        ("/design/forms/order/rules?do=move&index=0", {"to": "99"}),
        ("/design/forms/order/rules?do=change&index=999999999", {"kind": "show", "fields": ["code"]}),
    ]
    for url, data in bad:
        answer = post(client, url, token, data, EN)
        assert 400 <= answer.status_code < 500, (url, answer.status_code)
    huge = post(client, "/design/forms/order/formula?input=f", token, {"f": "(" * 5000}, EN)
    assert huge.status_code == 200 and "Error at character" in huge.text
    assert draft_text(client) == before


def test_an_empty_formula_says_once_to_enter_one_in_the_viewers_language(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    for headers, words, other in ((EN, "enter a formula", "请输入公式"), (ZH, "请输入公式", "enter a formula")):
        data = panel_inputs(client.get("/design/forms/order/fields/label", headers=headers).text)
        answer = post(client, "/design/forms/order/fields/label", token, {**data, "k.formula": ""}, headers)
        problems = re.findall(r'class="error prop-problem"[^>]*>([^<]*)<', answer.text)
        assert problems == [words], problems
        prop = answer.text.split('data-prop="formula"', 1)[1].split('data-prop="', 1)[0]
        assert words in prop and other not in answer.text and "required property" not in answer.text
