"""The dashboard designer's filter components and text blocks edited in place: the kinds and fields offered (by
label), a component's label, default and the reports it filters; a text block's title and text; refusals."""

from __future__ import annotations

from starlette.testclient import TestClient

from engine.org.users import user_id_by_name
from tests.web.reports.test_report_designer import EN
from tests.web.test_web import sign_in

URL = "/design/dashboards/overview"


def _draft_text(web: TestClient) -> str:
    ws = web.sales.ws  # type: ignore[attr-defined]
    with ws.reading() as conn:
        alice = user_id_by_name(conn, "alice")
    draft = ws.drafts.find("sales/dashboards/overview.yaml", alice)
    assert draft is not None
    return draft.text


def test_components_are_added_by_kind_and_field_and_edited(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    headers = {**EN, "X-CSRF-Token": csrf, "HX-Request": "true"}
    page = web.get(URL, headers=EN).text
    # the fields each kind fits in the board's reports, by label; the components' defaults by label
    assert 'value="date_range:opened_on">Opened on<' in page and 'value="select:stage">Stage<' in page
    assert 'value="owner:owner">Owner<' in page and ">Not filtered<" in page
    added = web.post(f"{URL}/settings", headers=headers, data={"what": "component", "kind_field": "date_range:opened_on",
                                                              "label_zh": "开始", "label_en": "Opened"})
    assert added.status_code == 200 and "Opened" in added.text
    assert "  - {id: opened_on, type: date_range, field: opened_on, label: {zh: 开始, en: Opened}}" in _draft_text(web)
    edited = web.post(f"{URL}/settings", headers=headers, data={
        "what": "component_edit", "index": "3", "field": "stage", "label_zh": "阶段", "label_en": "Stage",
        "default": "won", "reports": ["pipeline", "monthly", "clients"], "has_pipeline": "1", "has_monthly": "1",
        "apply_pipeline": "stage", "apply_monthly": "", "apply_clients": ""})
    assert edited.status_code == 200
    text = _draft_text(web)
    assert "default: won" in text and "apply: {monthly: false}" in text and "clients" not in text.split("id: stage")[1].split("items:")[0]
    board = web.get(URL, headers=EN).text
    assert '<option value="won" selected>Won</option>' in board  # the default shown by its label
    bad = web.post(f"{URL}/settings", headers=headers, data={"what": "component", "kind_field": ""})
    assert bad.status_code == 422 and "choose what to filter by" in bad.text
    bad = web.post(f"{URL}/settings", headers=headers, data={"what": "component", "kind_field": "colour:stage"})
    assert bad.status_code == 422 and "unknown filter kind" in bad.text


def test_text_blocks_are_added_and_edited_in_their_box(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    headers = {**EN, "X-CSRF-Token": csrf, "HX-Request": "true"}
    added = web.post(f"{URL}/settings", headers=headers, data={
        "what": "text", "title_zh": "说明", "title_en": "Notes", "text_zh": "第一行\n第二行", "text_en": "Line one\nLine two"})
    assert added.status_code == 200 and "Edit the text" in added.text and "Line one\nLine two" in added.text
    edited = web.post(f"{URL}/settings", headers=headers, data={
        "what": "text_edit", "index": "0", "text_zh": "跟进大客户", "text_en": "Follow up key accounts"})
    assert edited.status_code == 200
    text = _draft_text(web)
    assert "  - {text: {zh: 跟进大客户, en: Follow up key accounts}, w: 12, h: 1}" in text
    assert "title: {zh: 说明, en: Notes}" in text
    empty = web.post(f"{URL}/settings", headers=headers, data={"what": "text_edit", "index": "0", "text_en": " "})
    assert empty.status_code == 422 and "needs some text" in empty.text
    ghost = web.post(f"{URL}/settings", headers=headers, data={"what": "text_edit", "index": "40", "text_en": "x"})
    assert ghost.status_code == 422 and "no item at that position" in ghost.text


def test_a_titled_text_block_shows_on_the_published_dashboard(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    headers = {**EN, "X-CSRF-Token": csrf, "HX-Request": "true"}
    web.post(f"{URL}/settings", headers=headers, data={"what": "text_edit", "index": "0", "title_en": "This week",
                                                       "title_zh": "本周", "text_en": "Call A\nCall B", "text_zh": "甲\n乙"})
    assert web.post(f"{URL}/publish", headers=headers, data={"note": "titled"}).status_code == 200
    board = web.get("/apps/sales/dashboards/overview", headers=EN).text
    assert '<h2 class="board-title">This week</h2>' in board and "Call A\nCall B" in board
