"""Big exports as background jobs: the file written by the job holds every matching record (read back from the
xlsx), as the user who asked may see them; progress is reported; the file is deleted after its keeping time;
a job whose user lost the right fails with a message and can be retried — SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from engine.audit import AuditFilter, list_audit
from engine.jobs.tables import jobs
from engine.records import export_jobs
from engine.records.export import start_export
from engine.records.model import Actor, Filter, Query
from engine.settings import Settings
from engine.storage.database import read_transaction, write_transaction
from engine.storage.system import role_members
from tests.conftest import add_user

ADMIN = Actor(user_id=1, is_admin=True)
ROLES = """roles:
  - id: clerk
    label: {zh: 店员, en: Clerk}
    permissions:
      customer: {operations: [read, export], scope: all, fields: {email: hidden}}
"""
N = 23  # above the threshold the test sets, and more than one page of PAGE_ROWS = 10


@pytest.fixture
def many(shop, monkeypatch):  # type: ignore[no-untyped-def]
    """N customers, a clerk who may export them (without their email), exports above 5 rows as jobs."""
    monkeypatch.setattr("engine.records.export.PAGE_ROWS", 10)
    shop.settings = Settings({**shop.settings.values, "export_background_rows": "5", "export_keep_hours": "2"})
    shop.publish({"shop/roles.yaml": ROLES})
    clerk = add_user(shop, "carl", admin=False, roles=("clerk",))
    shop.records.create_many(ADMIN, "customer", [
        {"name": f"客户{i:02d}", "email": f"c{i}@example.com", "since": f"2024-01-{i % 28 + 1:02d}", "grade": "A"}
        for i in range(N)])
    return shop, Actor(user_id=clerk, roles=frozenset({"clerk"}), language="en")


def queue(ws, actor: Actor, fmt: str = "xlsx", query: Query = Query(sort=(("name", True),))) -> str:  # type: ignore[no-untyped-def]
    export = start_export(ws.records, actor, "customer", query, "en")
    assert export.total > export_jobs.background_rows(ws)
    return export_jobs.queue_export(ws, actor, export, query, fmt, "en", f"Customer.{fmt}", address="10.0.0.1")


def test_a_job_writes_every_record_the_user_may_see_to_a_workbook(many) -> None:  # type: ignore[no-untyped-def]
    ws, clerk = many
    token = queue(ws, clerk)
    waiting = export_jobs.find(ws, token)
    assert waiting is not None and waiting.status == "queued" and waiting.total == N and waiting.file is None
    outcomes = ws.jobs.drain()
    assert [o.status for o in outcomes] == ["done"]
    job = export_jobs.find(ws, token)
    assert job is not None and job.status == "done" and job.done == job.total == N and job.percent == 100
    assert job.file is not None and job.expires_at == job.finished_at + timedelta(hours=2)
    path = export_jobs.folder(ws) / job.file
    assert path.parent == ws.settings.home_path / "files" / "exports"
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    header = list(rows[0])
    assert header[:2] == ["Name", "Grade"] and "Email" not in header  # the hidden field stays hidden
    assert [r[0] for r in rows[1:]] == [f"客户{i:02d}" for i in reversed(range(N))]  # the query's sort
    first = dict(zip(header, rows[1]))
    assert first["Since"].date() == date(2024, 1, 23) and first["Grade"] == "A"
    assert not any("example.com" in str(v) for r in rows for v in r)
    with read_transaction(ws.engine) as conn:
        entries = list_audit(conn, AuditFilter(actions=("export",)))
        progress = conn.execute(sa.select(jobs.c.progress_text).where(jobs.c.key == "export:" + token)).scalar()
    assert [(e["actor_id"], e["detail"]["rows"], e["detail"]["format"]) for e in entries] == [(clerk.user_id, N, "xlsx")]
    assert progress == f"{N} / {N}"


def test_a_csv_job_keeps_the_filters(many) -> None:  # type: ignore[no-untyped-def]
    ws, clerk = many
    query = Query(filters=(Filter("name", "starts", "客户1"),), sort=(("name", False),))
    ws.records.create_many(ADMIN, "customer", [{"name": f"客户1{i}x"} for i in range(3)])
    token = queue(ws, clerk, "csv", query)
    ws.jobs.drain()
    job = export_jobs.find(ws, token)
    assert job is not None and job.status == "done" and job.done == 13
    data = (export_jobs.folder(ws) / str(job.file)).read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Name" and [r[0] for r in rows[1:]] == sorted(
        [f"客户{i}" for i in range(10, 20)] + [f"客户1{i}x" for i in range(3)])


def test_the_file_is_deleted_after_its_keeping_time(many, clock) -> None:  # type: ignore[no-untyped-def]
    ws, clerk = many
    token = queue(ws, clerk)
    ws.jobs.drain()
    job = export_jobs.find(ws, token)
    assert job is not None and job.file is not None
    path = export_jobs.folder(ws) / job.file
    clock.now += timedelta(hours=1)
    ws.jobs.tick()
    assert path.is_file()
    clock.now += timedelta(hours=1, minutes=1)
    ws.jobs.tick()
    kept = export_jobs.find(ws, token)
    assert not path.exists() and kept is not None and kept.status == "done" and kept.file is None


def test_a_user_who_lost_the_right_gets_a_failed_job_with_a_message_then_a_retry(many) -> None:  # type: ignore[no-untyped-def]
    ws, clerk = many
    token = queue(ws, clerk)
    with write_transaction(ws.engine) as conn:
        conn.execute(sa.delete(role_members).where(role_members.c.user_id == clerk.user_id))
    assert [o.status for o in ws.jobs.drain()] == ["failed"]
    failed = export_jobs.find(ws, token)
    assert failed is not None and failed.status == "failed" and failed.file is None
    assert failed.error == "You may no longer export this form"
    assert not list(export_jobs.folder(ws).glob("*"))  # no partial file left behind
    with write_transaction(ws.engine) as conn:
        conn.execute(sa.insert(role_members).values(user_id=clerk.user_id, role="clerk"))
    assert export_jobs.retry(ws, token)
    assert [o.status for o in ws.jobs.drain()] == ["done"]
    done = export_jobs.find(ws, token)
    assert done is not None and done.status == "done" and done.done == N and done.error is None


def test_tokens_that_are_not_export_jobs_find_nothing(many) -> None:  # type: ignore[no-untyped-def]
    ws, _ = many
    assert export_jobs.find(ws, "0" * 32) is None
    assert export_jobs.find(ws, "../../etc/passwd") is None


@pytest.mark.parametrize(("rows", "hours", "expected"), [
    ("200", "1.5", (200, timedelta(hours=1.5))), ("lots", "-3", (5000, timedelta(hours=24))),
    ("nan", "inf", (5000, timedelta(hours=24)))])
def test_settings_that_are_not_numbers_fall_back_to_their_defaults(rows: str, hours: str, expected: tuple) -> None:  # type: ignore[type-arg]
    from types import SimpleNamespace

    ws = SimpleNamespace(settings=SimpleNamespace(export_background_rows=rows, export_keep_hours=hours))
    assert (export_jobs.background_rows(ws), export_jobs.keep_for(ws)) == expected  # type: ignore[arg-type]
