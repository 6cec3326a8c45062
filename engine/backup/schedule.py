"""Scheduled backups: the job clock queues one backup job per day at `backup_time` (keyed by its slot, so exactly
once per day however many runners tick), and the job keeps the newest `backup_keep` archives in `backup_folder`."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.backup.service import archive_name, create_backup
from engine.jobs import queue
from engine.jobs.context import JobContext
from engine.reports.schedules import due_slot

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger("formwork.backup")
KIND = "backup"
TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
ARCHIVES = re.compile(r"formwork-backup-\d{8}-\d{6}\.tar\.gz")


def daily_cron(value: str) -> str | None:
    """The cron expression of a `backup_time` setting (HH:MM); None when empty; ValueError when malformed."""
    if not value.strip():
        return None
    found = TIME.fullmatch(value.strip())
    if found is None:
        raise ValueError(f"backup_time must be HH:MM (24-hour), got {value!r}")
    return f"{int(found.group(2))} {int(found.group(1))} * * *"


def folder(ws: Workspace) -> Path:
    """Where scheduled backups go: `backup_folder`, relative to the workspace home unless absolute."""
    return ws.settings.home_path / Path(ws.settings.backup_folder).expanduser()


def ticker(ws: Workspace) -> Callable[[sa.Connection, datetime, datetime], None]:
    """Queue the day's backup when the clock passes `backup_time` (the latest day only, after an outage)."""
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        try:
            cron = daily_cron(ws.settings.backup_time)
        except ValueError as exc:  # the other tickers must still run
            log.warning("no scheduled backup: %s", exc)
            return
        slot = due_slot(cron, ws.tz, previous, now) if cron else None
        if slot is not None:
            queue.enqueue(conn, f"{KIND}:{slot.isoformat()}", KIND, {"slot": slot.isoformat()}, now=now,
                          max_attempts=3, label=f"备份 / Backup · {slot.strftime('%Y-%m-%d %H:%M')}")
    return tick


def run(job: JobContext) -> dict[str, Any]:
    """The job: write the archive named after its slot, then delete the oldest beyond `backup_keep`."""
    ws: Workspace = job.host
    slot = datetime.fromisoformat(str(job.payload["slot"]))
    result = create_backup(ws, folder(ws) / archive_name(slot), checkpoint=lambda: _fence(job))
    _fence(job)  # only the runner still holding the job prunes
    removed = prune(folder(ws), int(ws.settings.backup_keep))
    return {"path": str(result.path), "files": result.file_count, "removed": [p.name for p in removed]}


def _fence(job: JobContext) -> None:
    """Extend the job's lease, or stop (LeaseLost) if another runner took it over meanwhile."""
    with job.transaction():
        pass


def prune(where: Path, keep: int) -> list[Path]:
    """Delete the oldest scheduled archives in `where` so that `keep` (at least one) remain; returns those deleted."""
    archives = sorted(p for p in where.iterdir() if ARCHIVES.fullmatch(p.name)) if where.is_dir() else []
    old = archives[:-max(keep, 1)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def install(ws: Workspace) -> None:
    """Register the backup job and its daily ticker on the workspace's job system."""
    ws.jobs.handle(KIND, run)
    ws.jobs.tick_with(ticker(ws))
