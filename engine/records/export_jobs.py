"""Big exports as background jobs: queued when more records match than the `export_background_rows` setting, written
to a file under the workspace's files area with progress (rows done / total), downloaded by the user who asked
only, and deleted by the ticker `export_keep_hours` after they were made.

The job reads the records exactly as an export in the request does (engine.records.export: page by page through
`RecordService.list(…, operation="export")`), as the user who asked, rebuilt from the user table when it runs, so
rights withdrawn meanwhile apply. A failed job keeps a message for people (never a traceback) and can be retried.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.errors import NotFound, PermissionDenied, QueryInvalid
from engine.i18n import text, zh_en
from engine.jobs import queue
from engine.jobs.context import JobContext, PermanentError
from engine.jobs.queue import LeaseLost
from engine.jobs.tables import jobs
from engine.org.users import user_by_id
from engine.records.export import Cell, Export, query_from_payload, query_payload, record_export, start_export
from engine.records.export_files import write_csv, write_xlsx
from engine.records.model import Actor, Query
from engine.settled_heap import settled_heap

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger("formwork.export")

KIND = "records.export"
KEY_PREFIX = "export:"
TOKEN = re.compile(r"[0-9a-f]{32}")
PROGRESS_EVERY = 1.0  # seconds between progress reports (each one also renews the job's lease)
FAILED = zh_en("导出没能完成,请重试;如果再次失败,请联系管理员", "The export could not be finished. Try again; if it fails "
               "again, tell an administrator")
NO_USER = zh_en("提出导出的用户已停用", "The user who asked for this export is no longer active")
NO_RIGHT = zh_en("你已没有导出这个表单的权限", "You may no longer export this form")
BAD_QUERY = zh_en("筛选条件已不再有效(表单可能已修改):{problem}", "The filters no longer hold (the form may have "
                  "changed): {problem}")


@dataclass(frozen=True)
class ExportJob:
    """A background export as its page shows it: whose, which form and format, how far, and its file."""

    token: str
    user_id: int
    form: str
    format: str
    filename: str
    status: str  # queued | running | retry | done | failed | discarded
    total: int
    done: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    file: str | None  # the file's path under the exports folder, while it is kept
    expires_at: datetime | None

    @property
    def percent(self) -> int:
        return 100 if self.status == "done" else (self.done * 100 // self.total if self.total else 0)

    @property
    def waiting(self) -> bool:
        return self.status in ("queued", "running", "retry")


def background_rows(ws: Workspace) -> int:
    """Exports of more records than this run as a job (the `export_background_rows` setting)."""
    return int(_number(ws.settings.export_background_rows, 5000))


def keep_for(ws: Workspace) -> timedelta:
    """How long an export's file is kept (the `export_keep_hours` setting)."""
    return timedelta(hours=_number(ws.settings.export_keep_hours, 24))


def _number(raw: object, default: float) -> float:
    """A setting's number; its default when it is not a number of at least 0 (a typo must not stop exports)."""
    try:
        value = float(str(raw))
    except ValueError:
        return default
    return value if value >= 0 and value == value and value != float("inf") else default


def folder(ws: Workspace) -> Path:
    """Where export files are kept: the workspace's files area."""
    return ws.settings.home_path / "files" / "exports"


def queue_export(ws: Workspace, actor: Actor, export: Export, query: Query, fmt: str, lang: str, filename: str,
                 address: str | None = None) -> str:
    """Queue the job writing `export` (already started: the right checked, the records counted) and audit it, in
    one transaction; returns the job's token."""
    token = secrets.token_hex(16)
    payload = {"user": actor.user_id, "form": export.form.id, "format": fmt, "lang": lang, "filename": filename,
               "query": query_payload(query), "total": export.total}
    with ws.writing() as conn:
        queue.enqueue(conn, KEY_PREFIX + token, KIND, payload, now=ws.now(), max_attempts=1,
                      label=f"{export.form.id} · {fmt} · {export.total}")
        record_export(conn, ws.now(), actor, export.form.id, fmt, export.total, query, address=address)
    return token


def find(ws: Workspace, token: str) -> ExportJob | None:
    """The export job of `token` (None when there is none)."""
    if not TOKEN.fullmatch(token):
        return None
    with ws.reading() as conn:
        row = conn.execute(sa.select(jobs).where(jobs.c.key == KEY_PREFIX + token, jobs.c.kind == KIND)).mappings().first()
    if row is None:
        return None
    payload, result = row["payload"] or {}, row["result"] or {}
    finished = row["finished_at"]
    kept = row["status"] == "done" and bool(result.get("file")) and not result.get("removed")
    done = int(result["rows"]) if "rows" in result else rows_done(row["progress_text"])
    return ExportJob(token, int(payload.get("user") or 0), str(payload.get("form")), str(payload.get("format")),
                     str(payload.get("filename")), str(row["status"]), max(int(payload.get("total") or 0), done),
                     done, row["last_error"], row["created_at"], finished, str(result["file"]) if kept else None,
                     finished + keep_for(ws) if kept and finished else None)


def rows_done(progress_text: str | None) -> int:
    """The rows written so far, from the job's progress text (`done / total`)."""
    found = re.match(r"\s*(\d+)", progress_text or "")
    return int(found.group(1)) if found else 0


def retry(ws: Workspace, token: str) -> bool:
    """Queue a failed export again (its owner's retry); False when it had not failed."""
    return ws.jobs.retry(KEY_PREFIX + token)


# --- the job ------------------------------------------------------------------------------------------------------

def run_export(job: JobContext) -> dict[str, Any]:
    """The job handler: write the file as the user who asked, reporting progress; returns the file's name."""
    ws, payload = job.host, job.payload
    lang = str(payload.get("lang") or "zh")
    fmt = str(payload["format"])
    target = folder(ws) / f"{job.key.removeprefix(KEY_PREFIX)}.{fmt}"
    partial = target.with_suffix(".part")
    try:
        export = _start(ws, payload, lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        progress = Progress(job, export.total)
        export = replace(export, rows=progress.rows(export.rows))
        with partial.open("wb") as out, settled_heap():
            if fmt == "csv":
                write_csv(export, out, lang)
            else:
                write_xlsx(export, out, text(export.form.label, lang))
        partial.replace(target)
    except (LeaseLost, PermanentError):
        partial.unlink(missing_ok=True)
        raise
    except Exception as exc:  # what people see is a message; the detail goes to the log
        partial.unlink(missing_ok=True)
        log.exception("export %s failed", job.key)
        raise PermanentError(text(FAILED, lang)) from exc
    return {"file": target.name, "rows": progress.done}


def _start(ws: Workspace, payload: Any, lang: str) -> Export:
    with ws.reading() as conn:
        user = user_by_id(conn, int(payload["user"]))
    if user is None or not user["active"]:
        raise PermanentError(text(NO_USER, lang))
    actor = Actor(user_id=int(user["id"]), department_id=user.get("department_id"), roles=frozenset(user["roles"]),
                  is_admin=bool(user["is_admin"]), language=lang, timezone=user.get("timezone") or None)
    try:
        return start_export(ws.records, actor, str(payload["form"]), query_from_payload(payload["query"]), lang)
    except (PermissionDenied, NotFound) as exc:
        raise PermanentError(text(NO_RIGHT, lang)) from exc
    except QueryInvalid as exc:
        raise PermanentError(text(BAD_QUERY, lang).format(problem=exc.error.message(lang))) from exc


class Progress:
    """Counts the rows as they are written and reports `done / total` to the job (renewing its lease) at most
    every PROGRESS_EVERY seconds, and once at the end."""

    def __init__(self, job: JobContext, total: int, clock: Callable[[], float] = time.monotonic):
        self.job, self.total, self.clock, self.done = job, total, clock, 0

    def rows(self, rows: Iterator[list[Cell]]) -> Iterator[list[Cell]]:
        last = self.clock()
        for row in rows:
            yield row
            self.done += 1
            if self.clock() - last >= PROGRESS_EVERY:
                self.report()
                last = self.clock()
        self.total = max(self.total, self.done)
        self.report()

    def report(self) -> None:
        with self.job.transaction() as conn:  # fenced: renews the lease of a long export
            percent = self.done * 100 // self.total if self.total else 100
            queue.progress(conn, self.job.job, percent, f"{self.done} / {self.total}")


# --- keeping the files --------------------------------------------------------------------------------------------

def ticker(ws: Workspace) -> Callable[[sa.Connection, datetime, datetime], None]:
    """Delete the files of exports made more than `export_keep_hours` ago (their jobs remember they were removed)."""
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        cutoff = now - keep_for(ws)
        stale = conn.execute(sa.select(jobs.c.key, jobs.c.result).where(
            jobs.c.kind == KIND, jobs.c.status == "done", jobs.c.finished_at < cutoff)).all()
        for key, result in stale:
            if not isinstance(result, dict) or result.get("removed") or not result.get("file"):
                continue
            (folder(ws) / str(result["file"])).unlink(missing_ok=True)
            conn.execute(sa.update(jobs).where(jobs.c.key == key).values(result={**result, "removed": True}))
    return tick


def install(ws: Workspace) -> None:
    """Register the export job and the ticker that deletes old export files."""
    ws.jobs.handle(KIND, run_export)
    ws.jobs.tick_with(ticker(ws))
