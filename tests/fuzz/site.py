"""The site the fuzz tests attack: the CRM with its sample data (installed once per test process, copied per
module), signed-in and anonymous clients with their CSRF tokens, the real ids to aim at, and a cheap fingerprint
of the database that tells whether a refused request wrote anything."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.automation.webhooks import inbound_token
from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.settings import Settings
from tests.conftest import add_user, open_workspace
from tests.crm_sample import crm_sample
from web.app import create_app

SECRET = "fuzz-workspace-secret"
SAMPLE_PASSWORD = str(crm_sample()["password"])
REP = "lina"  # a sales rep: sees and edits only her own clients
MANAGER = "zhaolei"  # management: reads and exports everything
ADMIN = "fuzzadmin"  # an administrator (the fuzzer sends it only safe requests: it could undo the site)
ADMIN_PASSWORD = "correct horse 1"
IGNORED_TABLES = ("audit_log",)  # refusals are audited on purpose


@dataclass
class Identity:
    """A client as one person (or nobody): its cookies as signed in, and the session's CSRF token."""

    client: TestClient
    cookies: dict[str, str]
    csrf: str

    def reset(self) -> TestClient:
        """The client with its signed-in cookies back (a fuzzed /logout or /login must not change who it is)."""
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)
        return self.client


@dataclass
class FuzzSite:
    """The workspace, the app, one identity per person, and the real values of each path parameter."""

    ws: Any
    app: Any
    people: dict[str, Identity]
    forms: dict[str, list[str]]  # app id -> its form ids
    ids: dict[str, list[int]]  # form id -> a few record ids (the rep's own first)
    values: dict[str, list[Any]] = field(default_factory=dict)  # path parameter name -> real values

    def fingerprint(self) -> tuple[Any, ...]:
        """Per table: rows, and for tables with versions or deletion marks their sum and count (any update of a
        record raises its version), all in one statement."""
        with self.ws.engine.connect() as conn:
            return tuple(conn.execute(_fingerprint_sql(self.ws.engine)).one())


_fingerprints: dict[str, sa.Select[Any]] = {}


def _fingerprint_sql(engine: sa.Engine) -> sa.Select[Any]:
    """SELECT (count of t1), (sum of t1's versions), … over every table but IGNORED_TABLES (reflected once)."""
    key = str(engine.url)
    if key not in _fingerprints:
        meta = sa.MetaData()
        meta.reflect(engine)
        columns: list[Any] = []
        for name, table in sorted(meta.tables.items()):
            if name in IGNORED_TABLES:
                continue
            columns.append(sa.select(sa.func.count()).select_from(table).scalar_subquery())
            if "version" in table.c:
                columns.append(sa.select(sa.func.coalesce(sa.func.sum(table.c.version), 0)).scalar_subquery())
            if "deleted_at" in table.c:
                columns.append(sa.select(sa.func.count(table.c.deleted_at)).scalar_subquery())
        _fingerprints[key] = sa.select(*columns)
    return _fingerprints[key]


def installed_crm(folder: Path) -> Path:
    """The CRM with sample data in an SQLite file under `folder` (made once; renamed into place when complete)."""
    db = folder / "crm.db"
    if not db.exists():
        part = folder / "installing.db"
        for leftover in folder.glob("installing.db*"):
            leftover.unlink()
        ws = open_workspace(f"sqlite:///{part}", folder / "ws")
        template = find("crm")
        assert template is not None
        install(ws, template, sample_data=True)
        with ws.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        ws.close()
        part.rename(db)
    return db


def open_site(source: Path, home: Path) -> Iterator[FuzzSite]:
    """A copy of the installed CRM served by the app, with the rep and an anonymous visitor ready."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, home / "crm.db")
    ws = open_workspace(f"sqlite:///{home / 'crm.db'}", home / "ws")
    ws.settings = Settings({**ws.settings.values, "secret": SECRET})
    add_user(ws, ADMIN, admin=True)
    app = create_app(ws)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as rep, \
            TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as manager, \
            TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as admin, \
            TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as anonymous:
        people = {REP: _signed_in(rep, REP), MANAGER: _signed_in(manager, MANAGER),
                  ADMIN: _signed_in(admin, ADMIN, ADMIN_PASSWORD), "anonymous": _visitor(anonymous)}
        forms = {a.id: list(a.forms) for a in ws.definitions.apps}
        site = FuzzSite(ws, app, people, forms, _record_ids(ws, REP))
        site.values = _path_values(ws, site)
        yield site
    ws.close()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def _signed_in(client: TestClient, username: str, password: str = SAMPLE_PASSWORD) -> Identity:
    token = _csrf(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "next": "/",
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    csrf = _csrf(client.get("/settings").text)
    return Identity(client, dict(client.cookies.items()), csrf)


def _visitor(client: TestClient) -> Identity:
    csrf = _csrf(client.get("/login").text)  # an anonymous session has a token too: the login form needs it
    return Identity(client, dict(client.cookies.items()), csrf)


def _record_ids(ws: Any, username: str) -> dict[str, list[int]]:
    """Per form: up to three of the rep's own records, then the first and last of anyone's."""
    with ws.engine.connect() as conn:
        me = conn.execute(sa.text("SELECT id FROM users WHERE username = :u"), {"u": username}).scalar_one()
        out: dict[str, list[int]] = {}
        for form_id in ws.definitions.forms:
            table = ws.records.runtime(form_id).main
            own = [int(i) for i in conn.execute(sa.select(table.c.id).where(table.c.created_by == me).limit(3))
                   .scalars()] if "created_by" in table.c else []
            ends = conn.execute(sa.select(sa.func.min(table.c.id), sa.func.max(table.c.id))).one()
            out[form_id] = own + [int(i) for i in ends if i is not None]
    return out


def _path_values(ws: Any, site: FuzzSite) -> dict[str, list[Any]]:
    """Real values for each path parameter name the routes use (the fuzzer mixes in hostile ones)."""
    from engine.workflow.inbox import BOXES
    from web.views.workflow_api import RECORD_OPS, TASK_ACTIONS

    defs = ws.definitions
    with ws.engine.connect() as conn:
        def ids(table: str) -> list[int]:
            return [int(i) for i in conn.execute(sa.text(f"SELECT id FROM {table} ORDER BY id LIMIT 3")).scalars()]
        tasks, users, departments = ids("wf_tasks"), ids("users"), ids("departments")
        files = [str(i) for i in conn.execute(sa.text("SELECT id FROM files LIMIT 3")).scalars()]
        jobs = [str(k) for k in conn.execute(sa.text("SELECT key FROM jobs LIMIT 3")).scalars()]
    hooks = [a for a in defs.automations.values() if a.trigger.on == "webhook"]
    return {
        "code": ["zh", "en"], "box": list(BOXES), "op": [*RECORD_OPS, "submit"], "action": list(TASK_ACTIONS),
        "field": sorted({f.id for form in defs.forms.values() for f in form.fields}),
        "pipeline": list(defs.pipelines), "workflow": list(defs.workflows), "role": [r.id for r in defs.roles],
        "automation": [a.id for a in hooks] or list(defs.automations), "automations": list(defs.automations),
        "token": [inbound_token(SECRET, a.id) for a in hooks], "task": tasks, "tasks": tasks,
        "users": users, "user": users,
        "departments": departments, "files": files, "key": jobs, "view_id": [1],
    }
