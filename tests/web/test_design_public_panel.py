"""The designer's public form panel: turning the link on for a form, choosing its fields (only the eligible ones,
the others say why), texts, fixed and pre-filled values, where a post goes; each change is one operation on the
draft and is published with it; switching off and a new token; the QR code (PNG, SVG) and the embed snippet."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import add_user
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)

CUSTOMER = "shop/sales/forms/customer.yaml"
URL = "/design/forms/customer/public"
ZH = {"accept-language": "zh-CN"}
EN = {"accept-language": "en"}


def draft_public(c: TestClient) -> Any:
    ws = c.app.state.ws  # type: ignore[attr-defined]
    return ws.drafts.open(CUSTOMER, 1).doc.get("public")


def post(c: TestClient, token: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return c.post(URL, data={"csrf_token": token, **data}, headers=headers or ZH)


def publish(c: TestClient, token: str) -> None:
    response = c.post("/design/forms/customer/publish", data={"csrf_token": token, "note": "public"}, headers=ZH)
    assert response.status_code == 200, response.text[-2000:]


def test_the_panel_turns_the_link_on_with_the_eligible_fields_and_says_why_others_are_not(
        client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    first = client.get(URL, headers=ZH)
    assert first.status_code == 200 and "开启公开表单" in first.text
    on = post(client, token, {"action": "create"})
    assert on.status_code == 200 and on.headers.get("hx-trigger") == "draft-changed"
    public = draft_public(client)
    assert public["enabled"] is True and re.fullmatch(r"[A-Za-z0-9_-]{16,64}", public["token"])
    assert public["fields"] == ["name", "grade", "email", "since", "notes", "tags", "rating", "profile"]
    for why in ("由系统计算", "选择人员、部门或记录会让访客看到它们", "公开表单不接受文件", "这种字段不能在公开页面上填写"):
        assert why in on.text
    assert 'name="fields" value="owner"' not in on.text and 'name="fields" value="photo"' not in on.text
    english = client.get(URL, headers=EN)
    assert "public forms take no files" in english.text and "Public form" in english.text


def test_a_change_is_one_edit_of_the_draft_and_bad_input_is_refused_at_once(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    post(client, token, {"action": "create"})
    saved = post(client, token, {"fields": ["name", "email", "owner"], "title.zh": "联系我们", "title.en": "Contact us",
                                 "success.zh": "谢谢", "prefill": ["email", "grade"], "fixed.grade": "A",
                                 "redirect": "https://www.example.cn/thanks",
                                 "origins": "https://www.example.cn/\nhttps://shop.example.cn"})
    assert saved.status_code == 200 and "已保存到草稿" in saved.text
    public = draft_public(client)
    assert public["fields"] == ["name", "email"]  # a user field is not offered, so not taken
    assert public["title"] == {"zh": "联系我们", "en": "Contact us"} and public["success"] == {"zh": "谢谢"}
    assert public["prefill"] == ["email"] and public["fixed"] == {"grade": "A"}
    assert public["redirect"] == "https://www.example.cn/thanks"
    assert public["origins"] == ["https://www.example.cn", "https://shop.example.cn"]
    for bad, said in (({"fields": ["owner"]}, "请至少选择一个字段"),
                      ({"fields": ["name"], "redirect": "javascript:alert(1)"}, "跳转网址须以 http:// 或 https:// 开头"),
                      ({"fields": ["name"], "origins": "example.cn"}, "“example.cn”不是网站地址")):
        refused = post(client, token, bad)
        assert refused.status_code == 400 and said in refused.text
        assert draft_public(client)["fields"] == ["name", "email"]  # nothing half-written


def test_published_with_the_draft_then_switched_off_and_given_a_new_token(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    post(client, token, {"action": "create"})
    post(client, token, {"fields": ["name", "email"]})
    plan = client.get("/design/forms/customer/publish", headers=ZH)
    assert "公开表单" in plan.text  # the publish plan names the change
    ws = client.app.state.ws  # type: ignore[attr-defined]
    assert ws.definitions.forms["customer"].public is None  # nothing is live before publishing
    assert client.get(URL + "/qr.png").status_code == 404
    publish(client, token)
    live = ws.definitions.forms["customer"].public
    assert live is not None and live.fields == ("name", "email")
    panel = client.get(URL, headers=ZH)
    assert f"http://127.0.0.1:8000/f/{live.token}" in panel.text
    assert f'&lt;iframe src="http://127.0.0.1:8000/f/{live.token}"' in panel.text
    png, svg = client.get(URL + "/qr.png?download"), client.get(URL + "/qr.svg")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG") and "attachment" in \
        png.headers["content-disposition"]
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    anonymous = TestClient(client.app, base_url="http://testserver")
    assert anonymous.get(f"/f/{live.token}").status_code == 200
    assert anonymous.get(URL + "/qr.png", follow_redirects=False).status_code == 303  # the designer right only

    post(client, token, {"action": "off"})
    publish(client, token)
    assert anonymous.get(f"/f/{live.token}").status_code == 403  # closed
    assert client.get(URL + "/qr.svg").status_code == 404  # no QR code of a closed link
    assert "链接开启并发布后才有二维码" in client.get(URL, headers=ZH).text

    post(client, token, {"action": "on"})
    post(client, token, {"action": "regenerate"})
    publish(client, token)
    new = ws.definitions.forms["customer"].public
    assert new is not None and new.enabled and new.token != live.token
    assert anonymous.get(f"/f/{live.token}").status_code == 404
    assert anonymous.get(f"/f/{new.token}").status_code == 200


def test_only_designers_of_the_form_see_the_panel(client: TestClient) -> None:  # noqa: F811
    ws = client.app.state.ws  # type: ignore[attr-defined]
    add_user(ws, "carol", admin=False)
    token = sign_in(client, "carol")
    assert client.get(URL).status_code == 403
    assert post(client, token, {"action": "create"}).status_code == 403
    assert client.get(URL + "/qr.png").status_code == 403
