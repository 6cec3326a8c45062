"""Scheduled backups with a controlled clock: one archive a day at the configured local time, the newest N kept."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.backup.schedule import daily_cron
from engine.jobs.tables import jobs
from engine.settings import Settings
from engine.workspace import Workspace
from tests.conftest import Clock


def _workspace(db_url: str, home: Path, clock: Clock, **extra: str) -> Workspace:
    settings = Settings.load({"home": str(home), "database_url": db_url, "timezone": "Asia/Shanghai", **extra},
                             environ={})
    return Workspace.open(settings, clock=clock)


def _archives(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _backup_jobs(ws: Workspace) -> list[str]:
    with ws.reading() as conn:
        return [str(r.status) for r in conn.execute(sa.select(jobs.c.status).where(jobs.c.kind == "backup"))]


def test_one_backup_a_day_at_the_local_time_keeping_n(db_url: str, tmp_path: Path, clock: Clock) -> None:
    ws = _workspace(db_url, tmp_path / "ws", clock, backup_time="03:00", backup_keep="2", backup_folder="saved")
    folder = tmp_path / "ws" / "saved"
    try:
        ws.jobs.drain()  # 10:30 in Shanghai: not yet
        assert _archives(folder) == []
        clock.now = datetime(2024, 3, 15, 18, 59, tzinfo=timezone.utc)  # 02:59 on the 16th there
        ws.jobs.drain()
        assert _archives(folder) == []
        clock.now = datetime(2024, 3, 15, 19, 0, tzinfo=timezone.utc)  # 03:00
        ws.jobs.drain()
        assert _archives(folder) == ["formwork-backup-20240316-030000.tar.gz"]
        for minutes in (1, 30, 600):  # the rest of the day: nothing more
            clock.now = datetime(2024, 3, 15, 19, 0, tzinfo=timezone.utc) + timedelta(minutes=minutes)
            ws.jobs.drain()
        assert _archives(folder) == ["formwork-backup-20240316-030000.tar.gz"]
        for day in (1, 2, 3):
            clock.now = datetime(2024, 3, 15, 20, 0, tzinfo=timezone.utc) + timedelta(days=day)
            ws.jobs.drain()
        assert _archives(folder) == ["formwork-backup-20240318-030000.tar.gz", "formwork-backup-20240319-030000.tar.gz"]
        assert _backup_jobs(ws) == ["done"] * 4  # one job a day
    finally:
        ws.close()


def test_no_backup_time_means_no_scheduled_backups(db_url: str, tmp_path: Path, clock: Clock) -> None:
    ws = _workspace(db_url, tmp_path / "ws", clock)
    try:
        clock.now += timedelta(hours=23)
        ws.jobs.drain()
        assert _backup_jobs(ws) == [] and _archives(tmp_path / "ws" / "backups") == []
    finally:
        ws.close()


@pytest.mark.parametrize(("value", "cron"), [("03:00", "0 3 * * *"), ("23:45", "45 23 * * *"), (" 7:05 ", "5 7 * * *"),
                                             ("", None)])
def test_backup_time_setting(value: str, cron: str | None) -> None:
    assert daily_cron(value) == cron


@pytest.mark.parametrize("value", ["24:00", "3pm", "03:60", "0300"])
def test_a_malformed_backup_time_is_named(value: str) -> None:
    with pytest.raises(ValueError, match="backup_time must be HH:MM"):
        daily_cron(value)
