"""The designer's print templates page: a template typed, previewed on a chosen record (not saved), saved to the
draft as a YAML block, published with the form, deleted; a template that does not parse or fails is refused with
the reason, never a server error; only designers get in."""

from __future__ import annotations

from markupsafe import escape
from starlette.testclient import TestClient

from tests.conftest import add_user
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)

BASE = "/design/forms/customer/print"
CUSTOMER = "shop/sales/forms/customer.yaml"
CARD = {"id": "card", "label.zh": "客户名片", "label.en": "Card",
        "html": "<style>.c { color: #1d4ed8; }</style>\n<h1 class=\"c\">{{ fields.name }}</h1>\n"
                "<p>{{ labels.grade }}:{{ fields.grade }}</p>\n"}


def _draft(c: TestClient) -> str:
    return str(c.app.state.ws.drafts.open(CUSTOMER, 1).text)  # type: ignore[attr-defined]


def test_a_template_is_previewed_saved_to_the_draft_published_and_printed(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    editor = client.get(BASE)
    assert editor.status_code == 200 and "还没有打印模板" in editor.text and '<option value="1">华联电子</option>' in editor.text
    shown = client.post(f"{BASE}/preview", data={"csrf_token": token, "record": "1", **CARD})
    assert shown.status_code == 200 and '<h1 class="c">华联电子</h1>' in shown.text and "等级:C" in shown.text
    assert "'unsafe-inline'" in shown.headers["content-security-policy"]
    assert "print_templates" not in _draft(client)  # a preview saves nothing

    saved = client.post(BASE, data={"csrf_token": token, **CARD}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"{BASE}?template=card&done=saved"
    draft = _draft(client)
    assert "print_templates:\n  - id: card\n    label: {zh: 客户名片, en: Card}\n    html: |\n" in draft
    assert '      <h1 class="c">{{ fields.name }}</h1>\n' in draft
    ws = client.app.state.ws  # type: ignore[attr-defined]
    assert ws.definitions.forms["customer"].print_templates == ()  # published only when the designer publishes
    page = client.get(f"{BASE}?template=card&done=saved").text
    assert "已保存到草稿" in page and str(escape('<h1 class="c">{{ fields.name }}</h1>')) in page

    published = client.post("/design/forms/customer/publish", data={"csrf_token": token, "note": "名片"})
    assert published.status_code == 200, published.text
    printed = client.get("/apps/sales/customer/1/print", params={"template": "card"})
    assert printed.status_code == 200 and '<h1 class="c">华联电子</h1>' in printed.text


def test_a_template_that_does_not_parse_is_refused_and_kept_as_typed(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    broken = {**CARD, "html": "<h1>{% if fields.name %}</h1>"}
    refused = client.post(BASE, data={"csrf_token": token, **broken})
    assert refused.status_code == 400 and "模板第 1 行有错误" in refused.text
    assert str(escape("<h1>{% if fields.name %}</h1>")) in refused.text
    assert "print_templates" not in _draft(client)
    preview = client.post(f"{BASE}/preview", data={"csrf_token": token, "record": "1", **broken})
    assert preview.status_code == 422 and "模板无法生成" in preview.text


def test_bad_ids_names_and_failing_templates_say_why(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    for changes, words in (({"id": "Card!"}, "不是有效的标识"), ({"label.zh": "", "label.en": ""}, "打印模板需要名称"),
                           ({"html": "  "}, "打印模板的 HTML 不能为空"), ({"id": "default"}, "默认打印版式")):
        response = client.post(BASE, data={"csrf_token": token, **CARD, **changes})
        assert response.status_code == 400 and words in response.text, changes
    sandboxed = client.post(f"{BASE}/preview", data={"csrf_token": token, "record": "1", **CARD,
                                                     "html": "{{ fields.name.__class__.__mro__ }}"})
    assert sandboxed.status_code == 422 and "模板无法生成" in sandboxed.text
    missing = client.post(f"{BASE}/preview", data={"csrf_token": token, "record": "999", **CARD})
    assert missing.status_code == 422 and "找不到这条记录" in missing.text


def test_a_template_is_deleted_from_the_draft(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    client.post(BASE, data={"csrf_token": token, **CARD})
    assert "print_templates" in _draft(client)
    gone = client.post(BASE, data={"csrf_token": token, "_remove": "card"}, follow_redirects=False)
    assert gone.status_code == 303 and "print_templates" not in _draft(client)
    again = client.post(BASE, data={"csrf_token": token, "_remove": "card"})
    assert again.status_code == 400 and "没有这个打印模板" in again.text


def test_only_designers_edit_print_templates(client: TestClient) -> None:  # noqa: F811
    add_user(client.app.state.ws, "carol", admin=False)  # type: ignore[attr-defined]
    token = sign_in(client, "carol")
    assert client.get(BASE).status_code == 403
    assert client.post(BASE, data={"csrf_token": token, **CARD}).status_code == 403
    assert client.post(f"{BASE}/preview", data={"csrf_token": token, "record": "1", **CARD}).status_code == 403
