"""Exports from a dashboard: a report box's workbook under the dashboard's filters and linkage holds the numbers
the box shows; the whole dashboard as a PDF, in grid order, with the filters in words, each viewer seeing their
own data, a report that cannot run for them as its message; 403 and 404 as for the page."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from engine.definitions.loader import read_directory
from engine.org.users import user_by_id, user_id_by_name
from engine.records.model import Actor
from engine.reports.board import choices, report_on_board
from engine.reports.run import run_report
from tests.conftest import add_user
from tests.engine.reports.conftest import FIXTURE
from tests.web.exports.pdfs import pdf_text
from tests.web.test_web import sign_in
from web.app import create_app
from web.session import actor_of

BY_STAGE = """report: by_stage
label: {zh: 阶段商机, en: Deals by stage}
form: deal
dimensions: [{field: stage}]
measures: [{id: deals, aggregate: count, label: {zh: 商机数, en: Deals}}]
chart: {type: table}
"""
COSTS = """report: costs
label: {zh: 成本分布, en: Costs}
form: deal
dimensions: [{field: stage}]
measures: [{id: cost, aggregate: sum, field: cost}]
chart: {type: bar}
"""
TEAM = """dashboard: team
label: {zh: 团队看板, en: Team}
items:
  - {report: costs, w: 6, h: 3, x: 6, y: 4}
  - {report: by_stage, w: 6, h: 3, x: 0, y: 4}
  - {text: {zh: 本周目标:每人三单, en: "Goal: three deals each"}, w: 12, h: 1, x: 0, y: 0}
"""
EXTRA = {"sales/reports/by_stage.yaml": BY_STAGE, "sales/reports/costs.yaml": COSTS,
         "sales/dashboards/team.yaml": TEAM}
BOARD = "/apps/sales/dashboards"


@pytest.fixture
def client(sales):  # type: ignore[no-untyped-def]
    ws = sales.ws
    ws.publish({**read_directory(FIXTURE), **EXTRA})
    add_user(ws, "alice")
    add_user(ws, "mona", admin=False, roles=("manager",), department_id=sales.departments["sales"])
    rita = add_user(ws, "rita", admin=False, roles=("rep",), department_id=sales.departments["east"])
    add_user(ws, "nobody", admin=False)
    system = Actor.system_actor()
    for i, stage in enumerate(("qualify", "qualify", "won")):
        ws.records.create(system, "deal", {"name": f"Rita {i}", "stage": stage, "amount": 100, "owner": rita})
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        c.sales = sales  # type: ignore[attr-defined]
        yield c


def actor_named(client: TestClient, username: str) -> Actor:
    with client.sales.ws.reading() as conn:  # type: ignore[attr-defined]
        return actor_of(user_by_id(conn, int(user_id_by_name(conn, username) or 0)) or {}, "zh")


def box_link(page: str, report: str, fmt: str) -> str:
    """The export link of a report's box on a dashboard page."""
    box = page[page.index(f'data-report="{report}"'):]
    found = re.search(rf'class="box-export" data-format="{fmt}" href="([^"]+)"', box)
    assert found, box[:2000]
    return html.unescape(found.group(1))


def sheet_rows(content: bytes) -> list[list[Any]]:
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.iter_rows()]


def test_a_box_exports_the_numbers_it_shows_under_the_dashboards_filters(client: TestClient) -> None:
    sign_in(client, "mona")
    sales = client.sales  # type: ignore[attr-defined]
    ws = sales.ws
    east = str(sales.departments["east"])
    query = urlencode({"period": "custom", "period-from": "2023-11-01", "period-to": "2024-12-31", "dept": east,
                       "link-from": "pipeline", "link-keys": json.dumps({"stage": "won"})})
    page = client.get(f"{BOARD}/overview?{query}").text
    url = box_link(page, "by_industry", "xlsx")
    assert url.startswith("/apps/sales/reports/by_industry/export.xlsx?board=overview&")
    answer = client.get(url)
    assert answer.status_code == 200, answer.text[:2000]
    board = ws.definitions.dashboards["overview"]
    chosen = choices(ws.records, board, {"period": "2023-11-01..2024-12-31", "dept": east})
    link = (ws.definitions.reports["pipeline"], {"stage": "won"})
    shown = run_report(ws.records, actor_named(client, "mona"),
                       report_on_board(ws.records, ws.definitions.reports["by_industry"], chosen, link))
    everything = run_report(ws.records, actor_named(client, "mona"), ws.definitions.reports["by_industry"])
    rows = sheet_rows(answer.content)
    head = next(i for i, r in enumerate(rows) if r[0] == "行业")
    body = rows[head + 1:]
    n = shown.column_index("deals")
    assert [r[n] for r in body[:-1]] == [row[n] for row in shown.rows]
    assert body[-1][0] == "合计" and body[-1][n] == shown.totals["deals"] < everything.totals["deals"]
    words = " ".join(str(c) for r in rows[:head] for c in r if c)
    assert "部门:华东" in words and "成交时间:2023-11-01 – 2024-12-31" in words and "按 销售漏斗: 赢单 筛选" in words
    pdf = client.get(box_link(page, "by_industry", "pdf"))
    assert pdf.status_code == 200 and "部门:华东" in pdf_text(pdf.content)


def test_a_box_export_names_a_dashboard_the_viewer_may_see(client: TestClient) -> None:
    sign_in(client, "mona")
    assert client.get("/apps/sales/reports/pipeline/export.xlsx?board=nope").status_code == 404
    assert client.get("/apps/sales/reports/by_stage/export.xlsx?board=overview").status_code == 404  # not on it
    client.cookies.clear()
    sign_in(client, "rita")  # a rep: not in the overview's roles
    assert client.get("/apps/sales/reports/pipeline/export.xlsx?board=overview").status_code == 403
    assert client.get("/apps/sales/reports/by_stage/export.xlsx?board=team").status_code == 200


def test_the_dashboard_pdf_follows_the_grid_with_the_filters_in_words(client: TestClient) -> None:
    sign_in(client)
    east = str(client.sales.departments["east"])  # type: ignore[attr-defined]
    query = urlencode({"period": "last_12_months", "dept": east, "link-from": "pipeline",
                       "link-keys": json.dumps({"stage": "won"})})
    page = client.get(f"{BOARD}/overview?{query}").text
    link = html.unescape(re.search(r'class="button secondary-link board-export" href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    assert link.startswith(f"{BOARD}/overview/export.pdf?period=last_12_months&dept={east}&") and "link-keys" in link
    answer = client.get(link)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    words = pdf_text(answer.content)
    assert "销售总览" in words and "成交时间:最近 12 个月" in words and "部门:华东" in words
    assert "按 销售漏斗: 赢单 筛选" in words
    titles = ["本周重点", "销售漏斗", "月度成交", "行业分布", "客户行业"]
    body = words[words.index("筛选\n") + 3:]  # past the head, which names the clicked report
    at = [body.index(t) for t in titles]
    assert at == sorted(at)  # the text block first, then the reports in grid order


def test_each_viewer_gets_their_own_numbers_and_messages_in_place(client: TestClient) -> None:
    ws = client.sales.ws  # type: ignore[attr-defined]
    report = ws.definitions.reports["by_stage"]
    texts = {}
    for who in ("alice", "rita"):
        client.cookies.clear()
        sign_in(client, who)
        answer = client.get(f"{BOARD}/team/export.pdf")
        assert answer.status_code == 200
        texts[who] = pdf_text(answer.content)
    rita, alice = texts["rita"], texts["alice"]
    assert rita.index("本周目标") < rita.index("阶段商机") < rita.index("成本分布")  # y, then x
    assert "您无权查看此报表使用的字段“成本”" in rita  # costs: its message in its place
    assert "您无权查看" not in alice
    own = run_report(ws.records, actor_named(client, "rita"), report)
    assert own.totals["deals"] == 3
    assert re.search(r"合计\s*3\b", rita) and not re.search(r"合计\s*3\b", alice)
    total = run_report(ws.records, Actor.system_actor(), report).totals["deals"]
    assert re.search(rf"合计\s*{total}\b", alice) and str(total) not in rita


@pytest.mark.parametrize(("who", "url", "status"), [
    ("alice", f"{BOARD}/nope/export.pdf", 404),
    ("alice", "/apps/other/dashboards/overview/export.pdf", 404),
    ("nobody", f"{BOARD}/overview/export.pdf", 403),
    ("rita", f"{BOARD}/overview/export.pdf", 403),
])
def test_the_dashboard_pdf_answers_as_the_page_does(client: TestClient, who: str, url: str, status: int) -> None:
    sign_in(client, who)
    assert client.get(url).status_code == status
