"""Processes that open one workspace at once (web processes and workers starting together) all get through the
install of the identity counters' triggers on PostgreSQL: an advisory lock takes them one at a time, where
`CREATE OR REPLACE FUNCTION` run side by side fails with "tuple concurrently updated"."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from engine.storage import marks
from engine.storage.database import create_engine
from tests.conftest import open_workspace

pytestmark = pytest.mark.postgres


def test_workspaces_opened_at_once_all_install_the_marks(pg_url: str, tmp_path: Path) -> None:
    open_workspace(pg_url, tmp_path / "ws").close()
    engines = [create_engine(pg_url) for _ in range(6)]
    start, failures = threading.Barrier(len(engines)), []

    def install(engine) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            for _ in range(5):
                marks.install(engine)
        except Exception as exc:  # noqa: BLE001 (every failure is reported below)
            failures.append(exc)

    threads = [threading.Thread(target=install, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert failures == []
