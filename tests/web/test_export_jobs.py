"""A big export from the list page and the API: it runs as a background job whose page shows the rows done and a
progress bar (also after a reload), then a download link for the user who asked only; a failed one says why and
can be retried; without the export right nothing is queued — SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.jobs.tables import jobs
from engine.records.model import Actor
from engine.settings import Settings
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import role_members
from tests.conftest import add_user
from tests.web.test_export import ROLES, XLSX
from tests.web.test_web import csrf_of, sign_in
from web.app import create_app

ADMIN = Actor(user_id=1, is_admin=True)
EN = {"accept-language": "en-US"}
ZH = {"accept-language": "zh-CN"}
ROLES_WITH_EXPORTER = ROLES + """  - id: exporter
    label: Exporter
    permissions:
      customer: {operations: [read, export], scope: all}
"""


@pytest.fixture
def big(shop):  # type: ignore[no-untyped-def]
    """Seven customers; exports of more than three records run in the background. Carl and Ed may export
    customers (Carl without their email), Vera may not."""
    shop.settings = Settings({**shop.settings.values, "export_background_rows": "3"})
    shop.publish({"shop/roles.yaml": ROLES_WITH_EXPORTER})
    users = {"carl": add_user(shop, "carl", admin=False, roles=("clerk",)),
             "ed": add_user(shop, "ed", admin=False, roles=("exporter",)),
             "vera": add_user(shop, "vera", admin=False, roles=("viewer",))}
    shop.records.create_many(ADMIN, "customer", [{"name": f"客户{i}", "email": f"c{i}@example.com"} for i in range(7)])
    with TestClient(create_app(shop), base_url="http://testserver") as client:
        yield client, shop, users


def started(client: TestClient, url: str) -> str:
    """Ask for an export the list page's way; the job's page it redirects to."""
    response = client.get(url, headers=EN, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    assert re.fullmatch(r"/exports/[0-9a-f]{32}", location)
    return location


def test_a_big_export_shows_its_progress_then_downloads(big) -> None:  # type: ignore[no-untyped-def]
    client, ws, users = big
    sign_in(client, "carl")
    small = client.get("/apps/sales/customer/export?format=csv&f=name:eq:客户1", headers=EN)
    assert small.status_code == 200 and small.headers["content-type"].startswith("text/csv")  # still at once
    job_url = started(client, "/apps/sales/customer/export?format=xlsx&sort=name&dir=desc")
    page = client.get(job_url, headers=EN)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "<progress" in page.text and "0 of 7 records exported" in page.text and 'hx-trigger="every 2s"' in page.text
    assert "Export of Customer" in page.text
    assert client.get(job_url + "/download", headers=EN).status_code == 409  # not ready yet
    ws.jobs.drain()
    polled = client.get(job_url, headers={**EN, "hx-request": "true"})
    assert polled.status_code == 200 and "<html" not in polled.text and "hx-trigger" not in polled.text
    assert "Export finished: 7 records" in polled.text and f'href="{job_url}/download"' in polled.text
    reloaded = client.get(job_url, headers=ZH)  # a reload, in Chinese
    assert "导出完成:7 条记录" in reloaded.text and "下载文件" in reloaded.text
    download = client.get(job_url + "/download")
    assert download.status_code == 200 and download.headers["content-type"] == XLSX
    assert "attachment" in download.headers["content-disposition"] and download.headers["cache-control"] == "no-store"
    rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Name" and "Email" not in rows[0]
    assert [r[0] for r in rows[1:]] == [f"客户{i}" for i in reversed(range(7))]
    with read_transaction(ws.engine) as conn:
        entries = list_audit(conn, AuditFilter(actions=("export",)))
    assert [(e["actor_id"], e["detail"]["format"], e["detail"]["rows"]) for e in entries] == [
        (users["carl"], "xlsx", 7), (users["carl"], "csv", 1)]


def test_only_the_user_who_asked_sees_and_downloads_it(big) -> None:  # type: ignore[no-untyped-def]
    client, ws, users = big
    sign_in(client, "carl")
    job_url = started(client, "/apps/sales/customer/export?format=csv")
    ws.jobs.drain()
    client.cookies.clear()
    sign_in(client, "ed")  # may export customers too, but this export is Carl's
    for url in (job_url, job_url + "/download"):
        refused = client.get(url, headers=EN)
        assert refused.status_code == 403 and "belongs to someone else" in refused.text
    token = job_url.rsplit("/", 1)[1]
    assert client.get(f"/api/v1/exports/{token}").status_code == 403
    assert client.get("/exports/" + "0" * 32, headers=EN).status_code == 404


def test_without_the_export_right_nothing_is_queued(big) -> None:  # type: ignore[no-untyped-def]
    client, ws, users = big
    sign_in(client, "vera")
    assert client.get("/apps/sales/customer/export?format=xlsx", follow_redirects=False).status_code == 403
    assert client.get("/api/v1/customer/export").status_code == 403
    with read_transaction(ws.engine) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(jobs).where(jobs.c.kind == "records.export")).scalar() == 0


def test_a_failed_export_says_why_and_can_be_retried(big) -> None:  # type: ignore[no-untyped-def]
    client, ws, users = big
    csrf = sign_in(client, "ed")
    job_url = started(client, "/apps/sales/customer/export?format=xlsx")
    with write_transaction(ws.engine) as conn:  # the right is withdrawn before the job runs
        conn.execute(sa.delete(role_members).where(role_members.c.user_id == users["ed"]))
    ws.jobs.drain()
    failed = client.get(job_url, headers=EN)
    assert "The export failed: You may no longer export this form" in failed.text and "Try again" in failed.text
    assert "hx-trigger" not in failed.text and "Traceback" not in failed.text
    with write_transaction(ws.engine) as conn:
        conn.execute(sa.insert(role_members).values(user_id=users["ed"], role="exporter"))
    retried = client.post(job_url + "/retry", data={"csrf_token": csrf_of(failed.text) or csrf},
                          follow_redirects=False)
    assert retried.status_code == 303 and retried.headers["location"] == job_url
    assert 'hx-trigger="every 2s"' in client.get(job_url, headers=EN).text  # waiting again
    ws.jobs.drain()
    assert client.get(job_url + "/download").status_code == 200


def test_the_api_answers_a_big_export_with_its_status(big) -> None:  # type: ignore[no-untyped-def]
    client, ws, users = big
    sign_in(client, "ed")
    answer = client.get("/api/v1/customer/export?format=csv", headers=EN)
    assert answer.status_code == 202 and answer.headers["location"] == answer.json()["status"]
    status = client.get(answer.json()["status"]).json()
    assert status["status"] == "queued" and status["rows_total"] == 7 and status["download"] is None
    ws.jobs.drain()
    done = client.get(answer.json()["status"]).json()
    assert done["status"] == "done" and done["rows_done"] == 7 and done["progress"] == 100
    data = client.get(done["download"]).content.decode("utf-8-sig").splitlines()
    assert data[0].startswith("Name,") and len(data) == 8
