"""The designer shows definition problems and formula errors in the viewer's language (zh by default, en)."""

from __future__ import annotations

import html

from starlette.testclient import TestClient

from tests.web.test_design_props import EN, ZH, panel_inputs, post
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)


def test_the_formula_check_speaks_the_viewers_language(client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    url = "/design/forms/order/formula?input=k.formula"
    zh = html.unescape(post(client, url, token, {"k.formula": "total + totl"}, ZH).text)
    assert "未知字段“totl”,是否想写“total”?" in zh and "unknown field" not in zh
    en = html.unescape(post(client, url, token, {"k.formula": "total + totl"}, EN).text)
    assert "unknown field 'totl' (did you mean 'total'?)" in en and "未知字段" not in en


def test_a_draft_problem_is_chinese_in_the_panel_the_canvas_and_the_publish_dialog(
        client: TestClient) -> None:  # noqa: F811
    token = sign_in(client)
    data = panel_inputs(client.get("/design/forms/order/fields/customer", headers=ZH).text)
    answer = post(client, "/design/forms/order/fields/customer", token, {**data, "k.to": "nowhere"}, ZH)
    prop = html.unescape(answer.text.split('data-prop="to"', 1)[1].split('data-prop="', 1)[0])
    assert "未知表单“nowhere”" in prop and "unknown form" not in prop
    canvas = html.unescape(client.get("/design/forms/order", headers=ZH).text)
    assert "未知表单“nowhere”" in canvas and "unknown form" not in canvas
    dialog = html.unescape(client.get("/design/forms/order/publish", headers=ZH).text)
    assert "未知表单“nowhere”" in dialog and "unknown form" not in dialog
    english = html.unescape(client.get("/design/forms/order/publish", headers=EN).text)
    assert "unknown form 'nowhere'" in english and "未知表单" not in english
