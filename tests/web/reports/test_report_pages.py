"""Report and dashboard pages over the web: status codes (403, 404), the chart and its table, the empty state,
a hidden field's message, filters kept in the URL, linkage, drill-down links whose list counts the clicked
number, and the app menu — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from engine.definitions.loader import read_directory
from engine.org.users import user_by_id, user_id_by_name
from engine.records.model import Actor
from engine.reports.board import choices, report_on_board
from engine.reports.run import run_report
from tests.engine.reports.conftest import FIXTURE
from tests.web.test_web import sign_in
from web.session import actor_of

EN = {"accept-language": "en"}


def count_of(client: TestClient, url: str) -> int:
    """Follow a drill-down link to the list page and read how many records it says it has."""
    answer = client.get(url, headers=EN, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    location = answer.headers["location"]
    assert location.startswith("/apps/sales/deal?")
    page = client.get(location, headers=EN)
    assert page.status_code == 200, page.text[:3000]
    assert "filter-problem" not in page.text
    found = re.search(r'id="total">(\d+) ', page.text)
    assert found, page.text[:4000]
    return int(found.group(1))


def actor_named(client: TestClient, username: str) -> Actor:
    with client.sales.ws.reading() as conn:  # type: ignore[attr-defined]
        return actor_of(user_by_id(conn, int(user_id_by_name(conn, username) or 0)) or {}, "en")


def test_the_report_page_shows_the_chart_and_its_table(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/apps/sales/reports/pipeline", headers=EN)
    assert page.status_code == 200
    assert 'class="chart chart-funnel"' in page.text and "data-chart=" in page.text
    assert 'class="chart-table"' in page.text and "Qualify" in page.text
    assert 'data-drill="/apps/sales/reports/pipeline/drill?"' in page.text
    assert "/static/js/dashboard.js" in page.text


def test_unknown_ids_are_404_and_another_apps_too(web: TestClient) -> None:
    sign_in(web)
    assert web.get("/apps/sales/reports/nope").status_code == 404
    assert web.get("/apps/sales/dashboards/nope").status_code == 404
    assert web.get("/apps/other/reports/pipeline").status_code == 404
    assert web.get("/apps/other/dashboards/overview").status_code == 404


def test_viewers_without_access_get_403(web: TestClient) -> None:
    sign_in(web, "nobody")  # no role: no form of the app to read
    assert web.get("/apps/sales/reports/pipeline").status_code == 403
    assert web.get("/apps/sales/dashboards/overview").status_code == 403
    web.cookies.clear()
    sign_in(web, "reza")  # a rep: reads deals, but the dashboard is for managers
    assert web.get("/apps/sales/dashboards/overview").status_code == 403
    assert web.get("/apps/sales/reports/pipeline").status_code == 200


def test_a_report_using_a_field_hidden_from_the_viewer_says_so(web: TestClient) -> None:
    sign_in(web, "reza")
    sales = web.sales  # type: ignore[attr-defined]
    costs = {"sales/reports/costs.yaml": "report: costs\nlabel: {zh: 成本, en: Costs}\nform: deal\n"
             "dimensions: [{field: stage}]\nmeasures: [{id: cost, aggregate: sum, field: cost}]\nchart: {type: bar}\n"}
    board = {"sales/dashboards/reps.yaml": "dashboard: reps\nlabel: {zh: 代表, en: Reps}\n"
             "items:\n  - {report: costs, w: 6}\n  - {report: pipeline, w: 6}\n"}
    sales.ws.publish({**read_directory(FIXTURE), **costs, **board})  # reps may not see `cost`
    shown = web.get("/apps/sales/dashboards/reps", headers=EN)
    assert shown.status_code == 200  # one report that cannot run does not take the dashboard down
    assert "hidden from you" in shown.text and "No data: no records match" in shown.text  # reza owns no deal
    page = web.get("/apps/sales/reports/costs", headers=EN)
    assert page.status_code == 403
    assert "hidden from you" in page.text and "Cost" in page.text


def test_an_empty_report_shows_the_empty_state(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/apps/sales/dashboards/overview?" + urlencode({"period": "custom", "period-from": "2030-01-01"}),
                   headers=EN)
    assert page.status_code == 200
    assert "No data: no records match" in page.text


def test_the_dashboard_keeps_its_filters_in_the_url(web: TestClient) -> None:
    sign_in(web)
    sales = web.sales  # type: ignore[attr-defined]
    dept = sales.departments["east"]
    url = "/apps/sales/dashboards/overview?" + urlencode({"period": "last_12_months", "dept": dept, "stage": ""})
    page = web.get(url, headers=EN)
    assert page.status_code == 200
    assert '<option value="last_12_months" selected>' in page.text
    assert f'<option value="{dept}" selected>' in page.text
    assert 'class="board-grid"' in page.text and page.text.count('class="card board-item') == 5
    assert "This week: follow up key accounts" in page.text
    # the drill-down links carry the same filters
    assert "board=overview&amp;period=last_12_months&amp;dept=" in page.text
    partial = web.get(url, headers={**EN, "HX-Request": "true"})
    assert partial.text.lstrip().startswith("<div id=\"board\"")
    assert partial.headers["HX-Push-Url"].startswith("/apps/sales/dashboards/overview?period=last_12_months")


def test_an_unreadable_filter_value_is_named_not_a_500(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/apps/sales/dashboards/overview?period=next_decade&owner=bob", headers=EN)
    assert page.status_code == 200
    assert "next_decade" in page.text and "left out" in page.text


def test_linkage_filters_the_targets_and_shows_a_chip(web: TestClient) -> None:
    sign_in(web)
    query = urlencode({"link-from": "pipeline", "link-keys": json.dumps({"stage": "won"})})
    page = web.get(f"/apps/sales/dashboards/overview?{query}", headers=EN).text
    assert "Filtered by Pipeline: Won" in page and 'class="chip-clear"' in page
    assert page.count('class="board-linked"') == 2  # monthly and by_industry
    assert 'data-report="pipeline" data-drill=' in page and 'data-link-source="1"' in page
    # a link from a report that links nothing is ignored
    ignored = web.get("/apps/sales/dashboards/overview?" + urlencode({"link-from": "monthly", "link-keys": '{"month": 1}'}),
                      headers=EN).text
    assert "Filtered by" not in ignored


@pytest.mark.parametrize("who", ["alice", "mona"])
def test_drill_down_lists_exactly_the_clicked_number(web: TestClient, who: str) -> None:
    sign_in(web, who)
    sales = web.sales  # type: ignore[attr-defined]
    ws = sales.ws
    actor = actor_named(web, who)
    report = ws.definitions.reports["by_industry"]  # a path dimension (client.industry), top 2 and "others"
    ds = run_report(ws.records, actor, report)
    for row in ds.rows:
        keys = json.dumps({"client_industry": row[0].key})
        url = "/apps/sales/reports/by_industry/drill?" + urlencode({"keys": keys})
        assert count_of(web, url) == row[ds.column_index("deals")], row[0].key


def test_drill_down_under_dashboard_filters_and_linkage(web: TestClient) -> None:
    sign_in(web, "mona")
    sales = web.sales  # type: ignore[attr-defined]
    ws = sales.ws
    board = ws.definitions.dashboards["overview"]
    raw = {"period": "2023-11-01..2024-12-31", "dept": str(sales.departments["east"])}
    link = (ws.definitions.reports["pipeline"], {"stage": "won"})
    actor = actor_named(web, "mona")
    report = report_on_board(ws.records, ws.definitions.reports["monthly"], choices(ws.records, board, raw), link)
    ds = run_report(ws.records, actor, report)
    assert ds.rows
    params = {"board": "overview", "period": "custom", "period-from": "2023-11-01", "period-to": "2024-12-31",
              "dept": raw["dept"], "link-from": "pipeline", "link-keys": json.dumps({"stage": "won"})}
    for row in ds.rows:
        keys = json.dumps({"month": row[0].key, "stage": row[1].key})
        for measure in ("deals", "won"):
            url = "/apps/sales/reports/monthly/drill?" + urlencode({**params, "keys": keys, "measure": measure})
            assert count_of(web, url) == row[ds.column_index(measure)]


def test_a_number_without_one_list_is_a_clear_400(web: TestClient) -> None:
    sign_in(web)
    url = "/apps/sales/reports/monthly/drill?" + urlencode({"keys": json.dumps({"month": "2024-01-01", "stage": "won"}),
                                                            "measure": "win_rate"})
    answer = web.get(url, headers=EN)
    assert answer.status_code == 400 and "not one set of records" in answer.text
    assert web.get("/apps/sales/reports/monthly/drill?keys=nonsense", headers=EN).status_code == 400
    for keys in ({"nope": "2024-01-01"}, {"month": {"a": 1}, "stage": "won"}, ["won"]):
        url = "/apps/sales/reports/monthly/drill?" + urlencode({"keys": json.dumps(keys)})
        answer = web.get(url, headers=EN)
        assert answer.status_code == 400 and "not valid" in answer.text


def test_the_app_menu_lists_dashboards_and_reports_the_viewer_may_see(web: TestClient) -> None:
    sign_in(web, "mona")
    page = web.get("/", headers=EN).text
    assert 'href="/apps/sales/dashboards/overview">Sales overview</a>' in page
    assert 'href="/apps/sales/reports/pipeline">Pipeline</a>' in page
    assert ">Dashboards</li>" in page and ">Reports</li>" in page
    zh = web.get("/", headers={"accept-language": "zh"}).text
    assert ">仪表盘</li>" in zh and ">销售总览</a>" in zh
    web.cookies.clear()
    sign_in(web, "reza")
    page = web.get("/", headers=EN).text
    assert "/apps/sales/dashboards/overview" not in page  # not in the dashboard's roles
    assert 'href="/apps/sales/reports/pipeline"' in page


def test_a_list_url_may_name_a_path_or_a_system_field(web: TestClient) -> None:
    sign_in(web)
    sales = web.sales  # type: ignore[attr-defined]
    page = web.get("/apps/sales/deal?" + urlencode([("f", "client.industry:eq:it"), ("f", "created_at:this_year")]),
                   headers=EN)
    assert page.status_code == 200, page.text[:2000]
    assert "Client · Industry" in page.text and "Created at" in page.text
    it = sum(1 for r in sales.ws.records.list(sales.admin, "deal", _all()).records
             if r.values.get("client") in _clients(sales, "it"))
    assert re.search(rf'id="total">{it} ', page.text)
    refused = web.get("/apps/sales/deal?f=client.nope:eq:x", headers=EN)
    assert refused.status_code == 400
    assert web.get("/apps/sales/deal?f=deleted_at:not_empty", headers=EN).status_code == 400


def _all():  # type: ignore[no-untyped-def]
    from engine.records.model import Query
    return Query(limit=500)


def _clients(sales, industry: str) -> set[int]:  # type: ignore[no-untyped-def]
    from engine.records.model import Filter, Query
    page = sales.ws.records.list(sales.admin, "client", Query(filters=(Filter("industry", "eq", industry),), limit=50))
    return {r.id for r in page.records}


def test_subtotal_and_total_cells_drill_to_their_records(web: TestClient) -> None:
    sign_in(web)
    sales = web.sales  # type: ignore[attr-defined]
    ds = run_report(sales.ws.records, sales.admin, sales.ws.definitions.reports["monthly"])
    month = ds.rows[0][0].key
    in_month = sum(row[ds.column_index("deals")] for row in ds.rows if row[0].key == month)
    url = "/apps/sales/reports/monthly/drill?" + urlencode({"keys": json.dumps({"month": month})})
    assert count_of(web, url) == in_month
    url = "/apps/sales/reports/monthly/drill?" + urlencode({"keys": "{}", "measure": "won"})
    assert count_of(web, url) == ds.totals["won"]


def test_the_pages_offer_their_exports_with_the_dashboards_state(web: TestClient) -> None:
    sign_in(web)
    page = web.get("/apps/sales/reports/pipeline").text
    assert 'href="/apps/sales/reports/pipeline/export.xlsx" download>导出 Excel</a>' in page
    assert 'href="/apps/sales/reports/pipeline/export.pdf" download>导出 PDF</a>' in page
    english = web.get("/apps/sales/reports/pipeline", headers=EN).text
    assert ">Export to Excel</a>" in english and ">Export PDF</a>" in english
    dept = web.sales.departments["east"]  # type: ignore[attr-defined]
    state = urlencode({"period": "this_year", "dept": dept, "stage": ""})
    board = web.get(f"/apps/sales/dashboards/overview?{state}").text
    assert f'href="/apps/sales/dashboards/overview/export.pdf?{state.replace("&", "&amp;")}"' in board
    for report in ("pipeline", "monthly", "by_industry", "clients"):
        for fmt in ("xlsx", "pdf"):
            link = f'href="/apps/sales/reports/{report}/export.{fmt}?board=overview&amp;{state.replace("&", "&amp;")}"'
            assert link in board, (report, fmt)
    partial = web.get(f"/apps/sales/dashboards/overview?{state}", headers={"HX-Request": "true"}).text
    assert "/apps/sales/dashboards/overview/export.pdf?period=this_year" in partial  # the grid carries its links
