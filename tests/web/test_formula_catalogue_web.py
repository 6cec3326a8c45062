"""The formula editor's function help: the catalogue served to designers in their language (autocomplete notes
and the help under the formula), refused to others."""

from __future__ import annotations

from starlette.testclient import TestClient

from engine.formulas import FUNCTIONS
from tests.conftest import add_user
from tests.web.test_design_props import EN, ZH
from tests.web.test_web import client, sign_in  # noqa: F401  (fixture)

URL = "/design/formula-functions"


def test_designers_get_every_function_in_their_language(client: TestClient) -> None:  # noqa: F811
    sign_in(client)
    zh = client.get(URL, headers=ZH)
    assert zh.status_code == 200 and zh.headers["content-type"].startswith("application/json")
    functions = {f["name"]: f for f in zh.json()["functions"]}
    assert set(functions) == set(FUNCTIONS)
    assert functions["RMBCAP"] == {
        "name": "RMBCAP", "signature": "RMBCAP(amount)", "result": "文本", "category": "数学",
        "description": "人民币金额大写(按票据填写规范,含“整”和“零”)", "example": "RMBCAP(amount)",
        "returns": '"壹仟贰佰叁拾肆元伍角"'}
    assert zh.json()["labels"] == {"example": "示例"}
    en = {f["name"]: f for f in client.get(URL, headers=EN).json()["functions"]}
    assert en["VLOOKUP"]["signature"] == "VLOOKUP(value, table, column, [approximate])"
    assert en["VLOOKUP"]["description"].startswith("Looks the value up in a table's first column")
    assert en["SUM"]["category"] == "Maths" and en["SUM"]["example"] == "SUM(items.qty)"
    assert (en["SPLIT"]["result"], functions["SPLIT"]["result"]) == ("list of text", "文本列表")
    assert (en["ISTEXT"]["result"], functions["ISTEXT"]["result"]) == ("yes/no", "是/否")


def test_others_are_refused(client: TestClient) -> None:  # noqa: F811
    assert client.get(URL, follow_redirects=False).status_code == 303  # signed out: to the login page
    add_user(client.app.state.ws, "carol", admin=False)  # type: ignore[attr-defined]
    sign_in(client, "carol")
    assert client.get(URL).status_code == 403
