"""Prepared workspaces: each recipe is built once per backend, and every test gets a clone of it.

Building a workspace (creating the system tables, publishing definitions, adding users) takes seconds, most of all
on PostgreSQL; copying a finished one takes milliseconds. The first time a pytest worker needs a recipe (a
module-level function that fills an empty workspace, known by its qualified name) on a backend, it builds the recipe
into a template; each test then opens a clone of that template:

- SQLite: the template database file is copied (SQLite's backup API, so nothing half-written is ever copied) to
  the test's own file, and the template's home folder (if the recipe left anything there) to the test's home.
- PostgreSQL: ``CREATE DATABASE "t_…" TEMPLATE "tmpl_…"``; the template's engine is disposed once it is built,
  because PostgreSQL refuses to copy a database that has open connections.

A clone is what building would give: the same rows, ids, sequence values and timestamps. The template is built on a
copy of the test's clock and the clone's clock is set to where the build left it, so a recipe that moves the clock
clones too (templates are keyed by the clock's start). Password hashes are salted once, in the template: a clone's
password checks the same. A recipe must not hold values that tests need to be distinct per test (session keys, API
tokens, uploaded file ids): those belong in the test, after the clone.

Invalidation: templates live in memory of one worker process for one session, in that session's temporary folder
(SQLite) or throw-away PostgreSQL server, so a run never sees a template built by older code.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

_names = itertools.count()


@dataclass(frozen=True)
class _Template:
    location: str  # the SQLite file, or the PostgreSQL database name
    home: Path
    clock_end: datetime


class PreparedWorkspaces:
    """The templates of one worker process (a session fixture); `clone` opens a test's copy of a recipe."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._templates: dict[tuple[str, str, datetime], _Template] = {}

    def clone(self, build: Callable[[Any], None], tmp_path: Path, clock: Any, server_url: str | None) -> Any:
        """A workspace (on `clock`) holding exactly what `build` would have made of an empty one: on SQLite, or on
        the PostgreSQL server at `server_url` when one is given."""
        backend = "postgresql" if server_url else "sqlite"
        from tests.conftest import open_workspace

        key = (f"{build.__module__}.{build.__qualname__}", backend, clock.now)  # the recipe is the function
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = self._build(build, clock, server_url)
        home = tmp_path / "ws"
        if template.home.exists():
            shutil.copytree(template.home, home)
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'test.db'}"
            with closing(sqlite3.connect(template.location)) as source, \
                    closing(sqlite3.connect(tmp_path / "test.db")) as target:
                source.backup(target)
        else:
            assert server_url
            url = _pg_database(server_url, f"t_{os.getpid()}_c{next(_names)}", template=template.location)
        clock.now = template.clock_end
        return open_workspace(url, home, clock)

    def _build(self, build: Callable[[Any], None], clock: Any, server_url: str | None) -> _Template:
        from tests.conftest import Clock, open_workspace

        n = next(_names)
        home = self.folder / f"home_{n}"
        if server_url:
            location = f"tmpl_{os.getpid()}_{n}"
            url = _pg_database(server_url, location)
        else:
            location = str(self.folder / f"tmpl_{n}.db")
            url = f"sqlite:///{location}"
        own_clock = Clock(clock.now)
        ws = open_workspace(url, home, own_clock)
        try:
            build(ws)
        finally:
            ws.close()  # disposes the engine: no connection may stay open on a PostgreSQL template
        return _Template(location, home, own_clock.now)


def _pg_database(server_url: str, name: str, template: str | None = None) -> str:
    """Create database `name` (a copy of `template` if given) on the server; its URL."""
    from tests.pg import create_database

    return create_database(server_url, name, template)
