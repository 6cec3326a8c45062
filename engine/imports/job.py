"""An import as a background job (kind `records.import`): started after its checks, run in batches of
BATCH_ROWS rows, each batch one transaction holding its records, its failed rows, its counters and the checkpoint
(the last row number fully handled) — so a job killed at any moment and run again goes on after the checkpoint
and no row is written twice. A dry run does the same but rolls each batch's writes back.

Progress (rows handled, written, updated, skipped, failed, rate, time left) is in the `import_runs` row a page
polls; the failed rows are in `import_errors`, for the error report (engine.imports.report).
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.audit import record_audit
from engine.i18n import text, zh_en
from engine.imports.batches import Keys, Outcome, write_batch
from engine.imports.convert import Converter, Line, Row
from engine.imports.errors import ImportRefused
from engine.imports.mapping import ImportOptions, check_options
from engine.imports.reading import Cell, Table, check_size
from engine.imports.rights import check_rights, field_access
from engine.imports.tables import import_errors, import_runs
from engine.jobs import queue
from engine.jobs.context import JobContext, PermanentError
from engine.jobs.queue import LeaseLost
from engine.jobs.tables import jobs
from engine.org.users import user_by_id
from engine.records.model import Actor
from engine.settled_heap import settled_heap
from engine.zones import zone_or

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger("formwork.import")

KIND = "records.import"
KEY_PREFIX = "import:"
TOKEN = re.compile(r"[0-9a-f]{32}")
INTERNAL = re.compile(r"[A-Za-z_][\w.]*: ")  # "SomeError: …", as the job system records an exception
BATCH_ROWS = 500
MAX_ATTEMPTS = 3
FAILED = zh_en("导入没能完成,已写入的行会保留;请重试(会从中断处继续),如果再次失败,请联系管理员",
               "The import could not be finished; the rows written are kept. Try again (it goes on where it "
               "stopped); if it fails again, tell an administrator")
NO_USER = zh_en("发起导入的用户已停用", "The user who started this import is no longer active")
GONE = zh_en("导入的文件已不在服务器上,请重新上传", "The file of this import is no longer on the server; upload it again")


@dataclass(frozen=True)
class ImportJob:
    """An import as its page shows it. status: queued | running | retry | done | failed | discarded."""

    token: str
    user_id: int
    form: str
    filename: str
    status: str
    dry_run: bool
    total: int | None  # data rows (None until counted)
    done: int  # lines of the file handled: written + updated + skipped + errors (all counted in lines)
    written: int
    updated: int
    skipped: int
    errors: int  # rows that failed
    rate: float | None  # rows per second in the current (or last) run
    eta_seconds: int | None  # time left at that rate
    error: str | None  # why the job failed, for people
    created_at: datetime
    finished_at: datetime | None
    checkpoint: int  # the last row number fully handled

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def waiting(self) -> bool:
        """Still to run or running (a page keeps polling)."""
        return self.status in ("queued", "running", "retry")

    @property
    def has_report(self) -> bool:
        """Whether rows failed: the error report has something to show."""
        return self.errors > 0


def max_mb(ws: Workspace) -> float:
    """The largest file an import takes, in MB (the `import_max_mb` setting; 100 when it is not a number > 0)."""
    try:
        value = float(str(getattr(ws.settings, "import_max_mb", "100")))
    except ValueError:
        return 100.0
    return value if 0 < value < float("inf") else 100.0


def folder(ws: Workspace) -> Path:
    """Where the files of imports and their error reports are kept: the workspace's files area."""
    return ws.settings.home_path / "files" / "imports"


def start_import(ws: Workspace, actor: Actor, form_id: str, path: Path, options: ImportOptions, *,
                 filename: str = "", lang: str = "zh", address: str | None = None) -> str:
    """Check everything that can be checked before a row is written (rights, size, kind, headers, a data row,
    the mapping), keep a copy of the file and queue the job, audited (`address`: the client's); returns its
    token. ImportRefused otherwise."""
    path = Path(path)
    check_rights(ws, actor, form_id, options)
    check_size(path.stat().st_size, max_mb(ws))
    table = Table(path, options.sheet)
    table.info()  # refuses a header-only file
    check_options(ws.records.runtime(form_id).form, table.headers, options,
                  field_access(ws, actor, form_id))
    token = secrets.token_hex(16)
    target = folder(ws) / f"{token}.{table.kind}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    name = (filename or path.name)[:255]
    now = ws.now()
    with ws.writing() as conn:
        conn.execute(sa.insert(import_runs).values(
            token=token, user_id=int(actor.user_id or 0), form=form_id, filename=name, file=target.name,
            lang=lang if lang in ("zh", "en") else "zh", options=options.as_payload(),
            headers=list(table.headers), total=None, checkpoint=0, handled=0, written=0, updated=0,
            skipped=0, failed=0, created_at=now, run_handled_from=0))
        queue.enqueue(conn, KEY_PREFIX + token, KIND, {"token": token}, now=now, max_attempts=MAX_ATTEMPTS,
                      label=f"{form_id} · {name}"[:200])
        record_audit(conn, now, "import", actor_id=actor.user_id, target=form_id, address=address,
                     detail={"file": name, "token": token, "dry_run": options.dry_run, "key": options.key,
                             "on_duplicate": options.on_duplicate})
    return token


def find(ws: Workspace, token: str) -> ImportJob | None:
    """The import of `token` (None when there is none)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    with ws.reading() as conn:
        row = conn.execute(sa.select(import_runs, jobs.c.status, jobs.c.last_error, jobs.c.finished_at)
                           .join(jobs, jobs.c.key == sa.literal(KEY_PREFIX) + import_runs.c.token)
                           .where(import_runs.c.token == token)).mappings().first()
    return None if row is None else _job(ws, row)


def imports_of(ws: Workspace, user_id: int, form_id: str, limit: int = 20) -> list[ImportJob]:
    """A user's own imports into a form, newest first."""
    with ws.reading() as conn:
        rows = conn.execute(sa.select(import_runs, jobs.c.status, jobs.c.last_error, jobs.c.finished_at)
                            .join(jobs, jobs.c.key == sa.literal(KEY_PREFIX) + import_runs.c.token)
                            .where(import_runs.c.user_id == user_id, import_runs.c.form == form_id)
                            .order_by(import_runs.c.created_at.desc()).limit(limit)).mappings().all()
    return [_job(ws, row) for row in rows]


def _job(ws: Workspace, row: Any) -> ImportJob:
    handled = int(row["handled"])
    rate = eta = None
    started = row["run_started_at"]
    end = row["finished_at"] or (row["updated_at"] if row["status"] != "running" else ws.now())
    if started is not None and end is not None and end > started:
        rate = (handled - int(row["run_handled_from"])) / (end - started).total_seconds()
        if rate > 0 and row["total"] is not None and row["status"] in ("running", "retry", "queued"):
            eta = int(max(0, int(row["total"]) - handled) / rate)
    options = row["options"] or {}
    error = row["last_error"]
    if error and INTERNAL.match(error):  # an unexpected failure: people get the message, the log has the detail
        error = text(FAILED, str(row["lang"]))
    return ImportJob(str(row["token"]), int(row["user_id"]), str(row["form"]), str(row["filename"]),
                     str(row["status"]), bool(options.get("dry_run")), row["total"], handled, int(row["written"]),
                     int(row["updated"]), int(row["skipped"]), int(row["failed"]), rate, eta, error,
                     row["created_at"], row["finished_at"], int(row["checkpoint"]))


def resume(ws: Workspace, token: str) -> bool:
    """Make a stopped import runnable now (its process was killed, or it failed): it goes on after its
    checkpoint. Safe even if an old runner still holds it: that runner's next batch no longer commits (fenced)."""
    with ws.writing() as conn:
        return bool(conn.execute(sa.update(jobs).where(
            jobs.c.key == KEY_PREFIX + token, jobs.c.status.in_(("running", "retry", "failed", "queued")))
            .values(status="retry", next_at=ws.now(), lease_until=None, finished_at=None,
                    max_attempts=jobs.c.attempts + MAX_ATTEMPTS)).rowcount)  # attempts go on: an old runner's
        # claim (its attempt number) never matches the new one, so its fence fails


def run(ws: Workspace, token: str) -> str:
    """Run the import of `token` here and now (the CLI does); returns the job's outcome status."""
    return ws.jobs.run(KEY_PREFIX + token).status


# --- the job ------------------------------------------------------------------------------------------------------

def run_import(job: JobContext) -> dict[str, Any]:
    """The job handler: write the rows after the checkpoint, batch by batch, as the user who started it."""
    ws, token = job.host, str(job.payload["token"])
    with ws.reading() as conn:
        run = conn.execute(sa.select(import_runs).where(import_runs.c.token == token)).mappings().first()
    if run is None:
        raise PermanentError(f"import {token} has no run row")
    lang = str(run["lang"])
    try:
        with settled_heap():
            return _run(job, ws, run, lang)
    except (LeaseLost, PermanentError):
        raise
    except ImportRefused as exc:
        raise PermanentError(exc.message(lang)) from exc
    except Exception as exc:  # people see a message; the detail goes to the log
        log.exception("import %s failed", job.key)
        raise RuntimeError(text(FAILED, lang)) from exc


def _run(job: JobContext, ws: Workspace, run: Any, lang: str) -> dict[str, Any]:
    token = str(run["token"])
    actor = _actor(ws, int(run["user_id"]), lang)
    options = ImportOptions.from_payload(run["options"])
    rt = check_rights(ws, actor, str(run["form"]), options)
    path = folder(ws) / str(run["file"])
    if not path.exists():
        raise PermanentError(text(GONE, lang))
    table = Table(path, options.sheet)
    mapping = check_options(rt.form, table.headers, options, field_access(ws, actor, rt.form.id))
    total = run["total"] if run["total"] is not None else table.count()
    with job.transaction() as conn:
        conn.execute(sa.update(import_runs).where(import_runs.c.token == token).values(
            total=total, run_started_at=job.now(), run_handled_from=import_runs.c.handled, updated_at=job.now()))
    converter = Converter(rt, ws.records.runtimes, table.headers, mapping, zone_or(actor.timezone, ws.tz))
    keys = Keys(rt, options.key)
    checkpoint = int(run["checkpoint"])
    if options.key and checkpoint:
        _remember(ws, rt, table, mapping, options.key, checkpoint, keys)
    for batch in _batches(converter.group(table.rows(after=checkpoint), options.key)):
        with job.transaction() as conn:
            _claim_batch(conn, job, token, checkpoint)
            rows = converter.convert(conn, batch)
            if options.dry_run:
                trial = conn.begin_nested()
                outcome = write_batch(ws.records, actor, rt, conn, rows, keys, options)
                trial.rollback()
            else:
                outcome = write_batch(ws.records, actor, rt, conn, rows, keys, options)
            checkpoint = batch[-1][-1][0]
            _record(conn, job, token, checkpoint, sum(len(g) for g in batch), outcome, total)
    with ws.reading() as conn:
        counts = conn.execute(sa.select(import_runs.c.handled, import_runs.c.written, import_runs.c.updated,
                                        import_runs.c.skipped, import_runs.c.failed)
                              .where(import_runs.c.token == token)).mappings().one()
    return dict(counts)


def _actor(ws: Workspace, user_id: int, lang: str) -> Actor:
    with ws.reading() as conn:
        user = user_by_id(conn, user_id)
    if user is None or not user["active"]:
        raise PermanentError(text(NO_USER, lang))
    return Actor(user_id=int(user["id"]), department_id=user.get("department_id"), roles=frozenset(user["roles"]),
                 is_admin=bool(user["is_admin"]), language=lang, timezone=user.get("timezone") or None)


def _batches(groups: Iterator[list[Line]]) -> Iterator[list[list[Line]]]:
    """Groups of lines (a record each) in batches of about BATCH_ROWS lines; a record is never split."""
    batch: list[list[Line]] = []
    lines = 0
    for group in groups:
        batch.append(group)
        lines += len(group)
        if lines >= BATCH_ROWS:
            yield batch
            batch, lines = [], 0
    if batch:
        yield batch


def _remember(ws: Workspace, rt: Any, table: Table, mapping: dict[str, str], key: str, checkpoint: int,
              keys: Keys) -> None:
    """After a restart: the keys of the rows already handled, so a later repeat of one is still reported."""
    header = next(h for h, f in mapping.items() if f == key)
    only_key = Converter(rt, ws.records.runtimes, table.headers, {header: key})
    for batch in _batches(([line] for line in _until(table.rows(), checkpoint))):
        with ws.reading() as conn:
            keys.remember(only_key.convert(conn, batch))


def _until(rows: Iterator[Line], checkpoint: int) -> Iterator[Line]:
    for item in rows:
        if item[0] > checkpoint:
            return
        yield item


def _claim_batch(conn: sa.Connection, job: JobContext, token: str, checkpoint: int) -> None:
    """Inside the batch's transaction: the checkpoint is still where this runner left it (another runner that
    took the job over has not gone on meanwhile), else LeaseLost and nothing of the batch lands. The update locks
    the run's row until the batch commits, so two runners never write the same batch."""
    moved = conn.execute(sa.update(import_runs).where(import_runs.c.token == token,
                                                      import_runs.c.checkpoint == checkpoint)
                         .values(updated_at=job.now())).rowcount
    if not moved:
        raise LeaseLost(job.key)


def _record(conn: sa.Connection, job: JobContext, token: str, last_row: int, count: int, outcome: Outcome,
            total: int) -> None:
    """The batch's failed rows (every line of a failed record), counters and checkpoint, in its transaction; the
    counters count lines of the file (a record with subform rows spans several)."""
    if outcome.failed:
        conn.execute(sa.insert(import_errors), [line for row in outcome.failed for line in _error_rows(token, row)])
    runs = import_runs.c
    handled = conn.execute(sa.update(import_runs).where(runs.token == token).values(
        checkpoint=last_row, handled=runs.handled + count, written=runs.written + outcome.written,
        updated=runs.updated + outcome.updated, skipped=runs.skipped + outcome.skipped,
        failed=runs.failed + sum(len(r.lines) or 1 for r in outcome.failed), updated_at=job.now())
        .returning(runs.handled)).scalar() or 0
    queue.progress(conn, job.job, int(handled) * 100 // total if total else 100, f"{handled} / {total}")


def _error_rows(token: str, row: Row) -> list[dict[str, Any]]:
    problems = [{"zh": e.message("zh"), "en": e.message("en")} for errs in row.problems.values() for e in errs]
    return [{"token": token, "row": number, "cells": [_cell_text(c) for c in cells], "problems": problems}
            for number, cells in row.lines or [(row.number, row.cells)]]


def _cell_text(cell: Cell) -> Any:
    if cell is None or isinstance(cell, (str, int, float, bool)):
        return cell
    return cell.isoformat() if hasattr(cell, "isoformat") else str(cell)


def install(ws: Workspace) -> None:
    """Register the import job and the ticker removing staged uploads left behind."""
    from engine.imports.staging import ticker

    ws.jobs.handle(KIND, run_import)
    ws.jobs.tick_with(ticker(ws))
