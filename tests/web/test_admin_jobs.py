"""/admin/jobs: counts by status, failed jobs first, retry and discard (audited, only where the queue allows),
the JSON progress of a long job, and 403 for anyone but an administrator — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.jobs import queue
from engine.jobs.context import PermanentError
from engine.jobs.listing import children, jobs_by_key, list_jobs, progress_of, status_counts
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app
from web.views.admin_jobs import ROUTES


def boom(job):  # type: ignore[no-untyped-def]
    raise PermanentError(f"smtp refused {job.key}\nline two: 550 mailbox unavailable")


@pytest.fixture
def ws(shop):  # type: ignore[no-untyped-def]
    shop.jobs.handle("test.boom", boom)
    shop.jobs.handle("test.ok", lambda job: {"ok": True})
    return shop


@pytest.fixture
def client(ws):  # type: ignore[no-untyped-def]
    with TestClient(create_app(ws), base_url="http://testserver") as c:
        yield c


def enqueue(ws, key: str, kind: str = "test.boom", *, at=None, parent: str | None = None) -> None:  # type: ignore[no-untyped-def]
    with write_transaction(ws.engine) as conn:
        queue.enqueue(conn, key, kind, {"n": 1}, now=ws.now(), at=at, label=f"label of {key}", parent=parent)


def job(ws, key: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    found = ws.jobs.get(key)
    assert found is not None
    return found


def audit(ws, action: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with read_transaction(ws.engine) as conn:
        return list_audit(conn, AuditFilter(actions=(action,)))


def test_listing_counts_pages_and_children(ws, clock) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        enqueue(ws, f"fail-{n}")
        clock.now += timedelta(seconds=1)
    enqueue(ws, "ok-1", "test.ok")
    enqueue(ws, "child-1", "test.ok", at=ws.now() + timedelta(days=1), parent="fail-0")
    ws.jobs.drain()
    with read_transaction(ws.engine) as conn:
        assert status_counts(conn) == {"queued": 1, "running": 0, "retry": 0, "done": 1, "failed": 3, "discarded": 0}
        first = list_jobs(conn, "failed", page=1, per_page=2)
        second = list_jobs(conn, "failed", page=2, per_page=2)
        assert [j["key"] for j in first.jobs] == ["fail-2", "fail-1"] and first.more
        assert [j["key"] for j in second.jobs] == ["fail-0"] and not second.more
        assert "payload" not in first.jobs[0]  # lists carry no payloads
        assert [j["key"] for j in children(conn, ["fail-0", "fail-1"])["fail-0"]] == ["child-1"]
        assert children(conn, ["fail-1"]) == {"fail-1": []}
        assert set(jobs_by_key(conn, ["ok-1", "missing"])) == {"ok-1"}
        assert progress_of(conn, "missing") is None
        assert progress_of(conn, "fail-0")["status"] == "failed"  # type: ignore[index]


def test_failed_jobs_are_shown_first_with_their_error(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    enqueue(ws, "mail:1")
    enqueue(ws, "fine", "test.ok")
    ws.jobs.drain()
    sign_in(client)
    html = client.get("/admin/jobs").text
    assert "后台任务" in html and "自动化" in html  # the admin tabs
    assert "label of mail:1" in html and "smtp refused mail:1" in html and "550 mailbox unavailable" in html
    assert "1/5" in html  # one try of five: a permanent error does not retry
    assert "label of fine" not in html
    assert 'action="/admin/jobs/retry"' in html and 'action="/admin/jobs/discard"' in html
    done = client.get("/admin/jobs?status=done").text
    assert "label of fine" in done and 'action="/admin/jobs/retry"' not in done  # nothing to do with a done job
    assert "没有等待重试的任务" in client.get("/admin/jobs?status=retry").text
    assert "label of mail:1" in client.get("/admin/jobs?status=nonsense").text  # an unknown status: failed


def test_retry_resets_a_failed_job_to_queued_and_is_audited(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    enqueue(ws, "mail:1")
    ws.jobs.drain()
    assert job(ws, "mail:1")["status"] == "failed"
    token = sign_in(client)
    response = client.post("/admin/jobs/retry", data={"csrf_token": token, "key": "mail:1"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/jobs?status=failed&done=retried"
    row = job(ws, "mail:1")
    assert (row["status"], row["attempts"], row["finished_at"]) == ("queued", 0, None)
    entries = audit(ws, "job_retried")
    assert len(entries) == 1 and entries[0]["target"] == "mail:1" and entries[0]["actor_id"] == 1
    assert entries[0]["detail"] == {"kind": "test.boom", "label": "label of mail:1", "status": "failed"}
    assert "任务已重新排队" in client.get(response.headers["location"]).text
    # a queued job cannot be retried: nothing changes and nothing is audited
    response = client.post("/admin/jobs/retry", data={"csrf_token": token, "key": "mail:1", "next": "/admin/jobs?status=queued"},
                           follow_redirects=False)
    assert response.headers["location"] == "/admin/jobs?status=queued&done=job_unchanged"
    assert len(audit(ws, "job_retried")) == 1
    ws.jobs.drain()  # it runs again (and fails again, as this handler always does)
    assert job(ws, "mail:1")["attempts"] == 1


def test_discard_a_failed_or_waiting_job_but_not_a_done_one(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    enqueue(ws, "broken")
    enqueue(ws, "fine", "test.ok")
    ws.jobs.drain()
    enqueue(ws, "later", "test.ok", at=ws.now() + timedelta(hours=1))
    token = sign_in(client)
    for key in ("broken", "later"):
        response = client.post("/admin/jobs/discard", data={"csrf_token": token, "key": key}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].endswith("done=discarded")
        assert job(ws, key)["status"] == "discarded"
    response = client.post("/admin/jobs/discard", data={"csrf_token": token, "key": "fine"}, follow_redirects=False)
    assert response.headers["location"].endswith("done=job_unchanged") and job(ws, "fine")["status"] == "done"
    assert sorted(e["target"] for e in audit(ws, "job_discarded")) == ["broken", "later"]
    discarded = client.get("/admin/jobs?status=discarded").text
    assert "label of broken" in discarded and 'action="/admin/jobs/retry"' in discarded  # a discarded job can come back
    assert client.post("/admin/jobs/discard", data={"csrf_token": token, "key": "nope"}).status_code == 404
    ws.jobs.drain()
    assert job(ws, "later")["status"] == "discarded"  # it never runs


def test_the_audit_log_names_job_actions(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    enqueue(ws, "mail:1")
    ws.jobs.drain()
    token = sign_in(client)
    client.post("/admin/jobs/retry", data={"csrf_token": token, "key": "mail:1"})
    html = client.get("/admin/audit?action=job_retried").text
    assert "重试后台任务" in html and "label of mail:1" in html and "原状态: 失败" in html


def test_progress_of_a_long_job_as_json(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    enqueue(ws, "import:big", "test.ok")
    with write_transaction(ws.engine) as conn:
        claim = queue.claim(conn, "import:big", ws.now(), timedelta(minutes=5))
        assert claim is not None
        queue.progress(conn, claim, 40, "已导入 400/1000 行")
    sign_in(client)
    response = client.get("/api/jobs/import:big")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert response.json() == {"status": "running", "progress": 40, "progress_text": "已导入 400/1000 行", "error": None}
    running = client.get("/admin/jobs?status=running").text
    assert 'data-job-progress="/api/jobs/import%3Abig"' in running and 'value="40"' in running
    assert client.get("/api/jobs/import%3Abig").json()["progress"] == 40
    missing = client.get("/api/jobs/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_everything_is_refused_to_non_administrators(ws, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    enqueue(ws, "mail:1")
    ws.jobs.drain()
    add_user(ws, "carl", admin=False, roles=("clerk",))
    token = sign_in(client, "carl")
    assert 'href="/admin/jobs"' not in client.get("/").text
    checked = 0
    for route in ROUTES:
        path = route.path.replace("{key:path}", "mail:1")  # type: ignore[attr-defined]
        for method in sorted(route.methods or {"GET"}):  # type: ignore[attr-defined]
            if method == "HEAD":
                continue
            response = client.request(method, path, data={"csrf_token": token, "key": "mail:1"}, follow_redirects=False)
            assert response.status_code == 403, (method, path)
            checked += 1
    assert checked == 4
    assert client.get("/api/jobs/mail:1").json()["error"]["code"] == "forbidden"
    assert "你没有权限" in client.get("/admin/jobs").text
    assert job(ws, "mail:1")["status"] == "failed" and not audit(ws, "job_retried") and not audit(ws, "job_discarded")
