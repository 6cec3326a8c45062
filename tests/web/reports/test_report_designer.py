"""The report and dashboard designers over the web: who may open them (403, 404), an operation's round trip with
the live preview, problems at their place, new documents from the app page, publishing, history and rollback."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from engine.org.users import user_id_by_name
from engine.gallery.catalog import find
from engine.gallery.install import install
from tests.conftest import add_user, open_workspace
from web.app import create_app
from tests.web.test_web import sign_in

EN = {"accept-language": "en"}


def op(client: TestClient, csrf: str, url: str, operation: dict[str, Any]) -> Any:
    return client.post(url, data={"op": json.dumps(operation)}, headers={**EN, "X-CSRF-Token": csrf, "HX-Request": "true"})


def test_only_designers_open_the_designers(web: TestClient) -> None:
    csrf = sign_in(web, "mona")
    for url in ("/design/reports/monthly", "/design/dashboards/overview"):
        assert web.get(url, headers=EN).status_code == 403
    assert op(web, csrf, "/design/reports/monthly/ops", {"op": "report_remove_dimension", "index": 0}).status_code == 403
    board = web.get("/apps/sales/dashboards/overview", headers=EN)
    assert board.status_code == 200 and "design-link" not in board.text  # no Design button for a non-designer
    sign_in(web, "alice")
    assert web.get("/design/reports/ghost", headers=EN).status_code == 404
    assert web.get("/design/dashboards/ghost", headers=EN).status_code == 404
    page = web.get("/design/reports/monthly", headers=EN)
    assert page.status_code == 200
    assert 'data-drop="dimensions"' in page.text and "Live preview" in page.text
    assert 'data-path="client.industry"' in page.text  # one hop through the relation
    assert web.get("/design/dashboards/overview", headers=EN).status_code == 200


def test_an_operation_answers_the_designer_with_the_preview(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    answer = op(web, csrf, "/design/reports/monthly/ops", {"op": "report_remove_dimension", "index": 1})
    assert answer.status_code == 200
    assert 'id="design-canvas"' in answer.text and 'hx-swap-oob="true"' in answer.text
    # a pivot needs two dimensions: the chart's problem is said at the chart and the preview says why it is not run
    assert "a pivot chart needs 2 to 3 dimension(s)" in answer.text and "rd-cannot" in answer.text
    # only charts that fit one dimension are offered
    offered = set(re.findall(r'data-chart-type="(\w+)"', answer.text))
    assert {"bar", "line", "pie"} <= offered and "scatter" in offered and "gauge" not in offered
    answer = op(web, csrf, "/design/reports/monthly/ops", {"op": "report_set_chart", "type": "bar", "options": {}})
    assert "rd-cannot" not in answer.text and 'class="chart chart-bar"' in answer.text
    refused = op(web, csrf, "/design/reports/monthly/ops", {"op": "set_form", "set": {}})
    assert refused.status_code == 400 and refused.headers["HX-Retarget"] == "#canvas-message"
    refused = op(web, csrf, "/design/reports/monthly/ops", {"op": "report_add_dimension", "dimension": {}})
    assert refused.status_code == 422 and "needs a field" in refused.text


def test_settings_forms_become_operations(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    headers = {**EN, "X-CSRF-Token": csrf, "HX-Request": "true"}
    answer = web.post("/design/reports/monthly/settings", headers=headers, data={
        "what": "measure", "index": "1", "aggregate": "avg", "field": "amount", "format": "money", "label_en": "Average"})
    assert answer.status_code == 200, answer.text[:500]
    answer = web.post("/design/reports/monthly/settings", headers=headers,
                      data={"what": "more", "sort_by": "amount", "desc": "1", "limit": "5", "others": "1",
                            "label_zh": "月度", "label_en": "Monthly"})
    assert answer.status_code == 200
    op(web, csrf, "/design/reports/monthly/ops", {"op": "report_add_filter", "filter": {"field": "amount", "op": "not_empty"}})
    answer = web.post("/design/reports/monthly/filter", headers=headers, data={"index": "0", "op": "gt", "value": "1000"})
    assert answer.status_code == 200
    ws = web.sales.ws  # type: ignore[attr-defined]
    with ws.reading() as conn:
        alice = user_id_by_name(conn, "alice")
    draft = ws.drafts.find("sales/reports/monthly.yaml", alice)
    assert draft is not None
    text = draft.text
    assert "  - {id: amount, label: {zh: Average, en: Average}, aggregate: avg, field: amount, format: money}" in text
    assert "filters:\n  - {field: amount, op: gt, value: 1000}" in text
    assert "sort:\n  - {by: amount, desc: true}\nlimit: 5\n" in text
    assert text.startswith("report: monthly\nlabel: {zh: 月度, en: Monthly}\n")
    bad = web.post("/design/reports/monthly/settings", headers=headers, data={"what": "measure", "index": "1", "aggregate": "median"})
    assert bad.status_code == 422


def test_publish_history_and_rollback_of_a_report(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    op(web, csrf, "/design/reports/monthly/ops", {"op": "report_remove_dimension", "index": 1})
    dialog = web.get("/design/reports/monthly/publish", headers=EN)
    assert "a pivot chart needs" in dialog.text and 'id="publish-go" disabled' in dialog.text
    op(web, csrf, "/design/reports/monthly/ops", {"op": "report_set_chart", "type": "line", "options": {}})
    dialog = web.get("/design/reports/monthly/publish", headers=EN)
    assert "the dimensions" in dialog.text and "the chart" in dialog.text
    done = web.post("/design/reports/monthly/publish", headers={**EN, "X-CSRF-Token": csrf}, data={"note": "by month"})
    assert done.status_code == 200 and 'href="/apps/sales/reports/monthly"' in done.text
    ws = web.sales.ws  # type: ignore[attr-defined]
    assert ws.definitions.reports["monthly"].chart.type == "line"
    history = web.get("/design/history?path=sales/reports/monthly.yaml", headers=EN)
    assert history.status_code == 200 and "by month" in history.text
    back = web.post("/design/history/restore", headers={**EN, "X-CSRF-Token": csrf},
                    data={"path": "sales/reports/monthly.yaml", "version": "1"}, follow_redirects=False)
    assert back.status_code == 303
    assert ws.definitions.reports["monthly"].chart.type == "pivot"
    page = web.get("/apps/sales/reports/monthly", headers=EN)
    assert 'href="/design/reports/monthly"' in page.text  # the report page offers the designer to designers


def test_new_report_and_dashboard_from_the_app_page(web: TestClient) -> None:
    csrf = sign_in(web, "alice")
    assert "5 reports · 1 dashboards" in web.get("/design", headers=EN).text
    app_page = web.get("/design/apps/sales", headers=EN)
    assert "New report" in app_page.text and "New dashboard" in app_page.text and "monthly" in app_page.text
    made = web.post("/design/apps/sales/reports", headers=EN, follow_redirects=False, data={
        "csrf_token": csrf, "kind": "report", "id": "by_owner", "label_en": "By owner", "form": "deal"})
    assert made.status_code == 303 and made.headers["location"] == "/design/reports/by_owner"
    assert "by_owner" in web.get("/design/apps/sales", headers=EN).text  # listed among the drafts
    taken = web.post("/design/apps/sales/reports", headers=EN, data={
        "csrf_token": csrf, "kind": "report", "id": "monthly", "label_en": "X", "form": "deal"})
    assert taken.status_code == 400 and "is taken" in taken.text
    op(web, csrf, "/design/reports/by_owner/ops", {"op": "report_add_dimension", "dimension": {"field": "owner"}})
    op(web, csrf, "/design/reports/by_owner/ops", {"op": "report_set_chart", "type": "bar", "options": {}})
    assert web.post("/design/reports/by_owner/publish", headers={**EN, "X-CSRF-Token": csrf}, data={}).status_code == 200
    assert web.get("/apps/sales/reports/by_owner", headers=EN).status_code == 200
    made = web.post("/design/apps/sales/dashboards", headers=EN, follow_redirects=False,
                    data={"csrf_token": csrf, "kind": "dashboard", "id": "gone", "label_en": "Gone"})
    dropped = web.post("/design/dashboards/gone/discard", headers={**EN, "X-CSRF-Token": csrf, "HX-Request": "true"})
    assert dropped.headers["HX-Redirect"] == "/design/apps/sales"  # a never-published draft is gone with it
    assert web.get("/design/dashboards/gone", headers=EN).status_code == 404
    made = web.post("/design/apps/sales/dashboards", headers=EN, follow_redirects=False,
                    data={"csrf_token": csrf, "kind": "dashboard", "id": "mine", "label_en": "Mine"})
    assert made.status_code == 303
    answer = op(web, csrf, "/design/dashboards/mine/ops", {"op": "dashboard_add_item", "item": {"report": "by_owner"}})
    assert 'class="chart chart-bar"' in answer.text
    op(web, csrf, "/design/dashboards/mine/ops", {"op": "dashboard_place_item", "index": 0, "w": 8, "h": 4})
    answer = web.post("/design/dashboards/mine/settings", headers={**EN, "X-CSRF-Token": csrf, "HX-Request": "true"},
                      data={"what": "text", "text_en": "Hello"})
    assert answer.status_code == 200
    refused = op(web, csrf, "/design/dashboards/mine/ops", {"op": "dashboard_place_item", "index": 0, "w": 14})
    assert refused.status_code == 422
    assert web.post("/design/dashboards/mine/publish", headers={**EN, "X-CSRF-Token": csrf}, data={}).status_code == 200
    board = web.get("/apps/sales/dashboards/mine", headers=EN)
    assert board.status_code == 200 and "gw-8 gh-4" in board.text and "Hello" in board.text
    assert 'href="/design/dashboards/mine"' in board.text


def test_every_crm_report_and_dashboard_opens_in_its_designer(tmp_path: Path, clock: Any) -> None:
    ws = open_workspace(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path / "ws", clock)
    template = find("crm")
    assert template is not None
    install(ws, template)
    add_user(ws, "alice")
    try:
        with TestClient(create_app(ws), base_url="http://testserver") as client:
            sign_in(client, "alice")
            for kind, items in (("report", ws.definitions.reports), ("dashboard", ws.definitions.dashboards)):
                for doc_id in items:
                    answer = client.get(f"/design/{kind}s/{doc_id}", headers=EN)
                    assert answer.status_code == 200, (doc_id, answer.text[-2000:])
                    assert "rd-cannot" not in answer.text, doc_id  # a published report runs in the preview
            for kind, items in (("report", ws.definitions.reports), ("dashboard", ws.definitions.dashboards)):
                for doc_id in items:  # opening stores an untouched draft: nothing to publish, nothing changed
                    draft = ws.drafts.find(items[doc_id].source.file, 1)
                    assert draft is None or not draft.can_undo
    finally:
        ws.close()


def test_an_app_administrator_designs_its_reports_and_sees_their_history(web: TestClient) -> None:
    ws = web.sales.ws  # type: ignore[attr-defined]
    text = ws.sources()["sales/app.yaml"]
    ws.publish({"sales/app.yaml": text.rstrip("\n") + "\nadmins: [manager]\n"})
    csrf = sign_in(web, "mona")
    assert web.get("/design/reports/monthly", headers=EN).status_code == 200
    assert 'href="/design/reports/monthly"' in web.get("/apps/sales/reports/monthly", headers=EN).text
    op(web, csrf, "/design/reports/monthly/ops", {"op": "report_set_chart", "type": "table", "options": {}})
    assert web.post("/design/reports/monthly/publish", headers={**EN, "X-CSRF-Token": csrf}, data={}).status_code == 200
    assert web.get("/design/history?path=sales/reports/monthly.yaml", headers=EN).status_code == 200
    assert web.get("/design/history?path=sales/dashboards/overview.yaml", headers=EN).status_code == 200
