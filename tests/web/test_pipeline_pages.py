"""Stage pipelines on the web: the stage bar with days per stage, moving by its buttons, a refused move's reasons,
a refused kanban drop and the stage report — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.conftest import add_user
from tests.engine.test_pipelines import DEALS
from tests.web.test_web import sign_in
from web.app import create_app

ME = Actor(user_id=1, is_admin=True)


@pytest.fixture
def client(fresh_workspace, clock):  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    ws.publish(DEALS)
    add_user(ws, "alice")
    start = clock.now
    deal = ws.records.create(ME, "deal", {"name": "Acme renewal"}, via="web")
    clock.now = start + timedelta(days=3)
    ws.records.update(ME, "deal", deal.id, {"stage": "qualified"}, version=deal.version, via="web")
    clock.now = start + timedelta(days=12)
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        c.ws = ws  # type: ignore[attr-defined]
        c.deal = deal.id  # type: ignore[attr-defined]
        yield c


def _bar(html: str) -> str:
    match = re.search(r'<section class="card pipeline-bar" id="pipeline-deal_flow".*?</section>', html, re.S)
    assert match, html[:3000]
    return match.group(0)


def _stage(bar: str, value: str) -> str:
    match = re.search(rf'<li class="stage [^"]*"[^>]*data-stage="{value}">.*?</li>', bar, re.S)
    assert match, bar
    return match.group(0)


def _version(ws: Any, record_id: int) -> int:
    return int(ws.records.get(ME, "deal", record_id).version)


def test_the_record_page_shows_the_stage_bar(client: TestClient) -> None:
    sign_in(client)
    html = client.get(f"/apps/deals/deal/{client.deal}", headers={"accept-language": "en"}).text  # type: ignore[attr-defined]
    bar = _bar(html)
    assert 'aria-current="step" data-stage="qualified"' in bar
    assert "stage-visited" in _stage(bar, "lead") and "3.0 d" in _stage(bar, "lead")
    assert "stage-current" in _stage(bar, "qualified") and "9.0 d" in _stage(bar, "qualified")
    assert "stage-ahead" in _stage(bar, "won") and " d<" not in _stage(bar, "won")
    assert "Stalled" in bar  # 9 days in a stage with stall_days 7
    buttons = re.findall(r'<button type="submit" name="stage" value="(\w+)"', bar)
    assert buttons == ["lead", "proposal", "lost"]
    assert "/apps/deals/deal/pipelines/deal_flow" in bar


def test_a_move_button_moves_the_record(client: TestClient) -> None:
    csrf = sign_in(client)
    ws, deal = client.ws, client.deal  # type: ignore[attr-defined]
    response = client.post(f"/apps/deals/deal/{deal}/stage", data={
        "csrf_token": csrf, "pipeline": "deal_flow", "stage": "lead", "version": str(_version(ws, deal))},
        follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith(f"/{deal}#pipeline-deal_flow")
    record = ws.records.get(ME, "deal", deal)
    assert record["stage"] == "lead" and str(record["chance"]) == "10"
    assert ws.records.history(ME, "deal", deal)[0]["via"] == "web"


def test_a_refused_move_says_what_is_missing(client: TestClient) -> None:
    csrf = sign_in(client)
    ws, deal = client.ws, client.deal  # type: ignore[attr-defined]
    response = client.post(f"/apps/deals/deal/{deal}/stage", data={
        "csrf_token": csrf, "pipeline": "deal_flow", "stage": "proposal", "version": str(_version(ws, deal))},
        headers={"accept-language": "en"})
    assert response.status_code == 422
    bar = _bar(response.text)
    assert "Cannot move to &#39;Proposal&#39;:" in bar
    assert "Amount is required to enter &#39;Proposal&#39;" in bar
    assert "Close date is required to enter &#39;Proposal&#39;" in bar
    assert f"/apps/deals/deal/{deal}/edit" in bar
    assert ws.records.get(ME, "deal", deal)["stage"] == "qualified"
    # a stage the bar does not offer is refused by the engine all the same
    refused = client.post(f"/apps/deals/deal/{deal}/stage", data={
        "csrf_token": csrf, "pipeline": "deal_flow", "stage": "won", "version": str(_version(ws, deal))})
    assert refused.status_code == 422 and "只能改为:线索、报价、输单" in _bar(refused.text)
    stale = client.post(f"/apps/deals/deal/{deal}/stage", data={
        "csrf_token": csrf, "pipeline": "deal_flow", "stage": "lead", "version": "1"})
    assert stale.status_code == 409 and "记录已被他人修改" in _bar(stale.text)
    unknown = client.post(f"/apps/deals/deal/{deal}/stage", data={
        "csrf_token": csrf, "pipeline": "deal_flow", "stage": "nowhere", "version": "1"})
    assert unknown.status_code == 400


def test_a_kanban_drop_outside_the_transitions_is_refused(client: TestClient) -> None:
    csrf = sign_in(client)
    ws, deal = client.ws, client.deal  # type: ignore[attr-defined]
    response = client.post("/apps/deals/deal/kanban/move?by=stage", data={
        "id": str(deal), "version": str(_version(ws, deal)), "value": "won"},
        headers={"X-CSRF-Token": csrf, "accept-language": "en", "accept": "application/json"})
    assert response.status_code == 422
    assert "Stage cannot move from 'Qualified' to 'Won'; allowed: Lead, Proposal, Lost" in response.json()["message"]
    allowed = client.post("/apps/deals/deal/kanban/move?by=stage", data={
        "id": str(deal), "version": str(_version(ws, deal)), "value": "lost"},
        headers={"X-CSRF-Token": csrf, "accept-language": "en", "accept": "application/json"})
    assert allowed.status_code == 422 and "Lost reason is required to enter 'Lost'" in allowed.json()["message"]
    other = client.post("/apps/deals/deal/kanban/move?by=kind", data={
        "id": str(deal), "version": str(_version(ws, deal)), "value": "renewal"},
        headers={"X-CSRF-Token": csrf, "accept": "application/json"})
    assert other.status_code == 200  # a board over another field knows no transitions


def test_the_stage_report_page(client: TestClient) -> None:
    sign_in(client)
    ws = client.ws  # type: ignore[attr-defined]
    ws.records.create(ME, "deal", {"name": "Fresh lead"}, via="web")
    listing = client.get("/apps/deals/deal", headers={"accept-language": "en"}).text
    assert 'href="/apps/deals/deal/pipelines/deal_flow"' in listing
    html = client.get("/apps/deals/deal/pipelines/deal_flow", headers={"accept-language": "en"}).text
    rows = dict(re.findall(r'<tr data-stage="(\w+)">\s*<th scope="row"><a [^>]*>[^<]*</a></th>\s*<td>(\d+)</td>', html))
    assert rows == {"lead": "1", "qualified": "1", "proposal": "0", "won": "0", "lost": "0"}
    lead = re.search(r'<tr data-stage="lead">.*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "<td>3.0</td>" in lead  # one stay of three days: mean and median
    stalled = re.search(r'<section class="card" id="stalled">.*?</section>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "Acme renewal" in stalled and "Fresh lead" not in stalled
    assert client.get("/apps/deals/deal/pipelines/nope").status_code == 404
    assert client.get("/apps/deals/deal/pipelines/deal_flow", headers={"accept-language": "zh"}).text.count("阶段报表") >= 1
