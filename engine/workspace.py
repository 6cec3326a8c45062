"""The one entry point: settings + database + definitions + the engine's services."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.definitions.loader import load_sources
from engine.definitions.model import Definitions
from engine.drafts import DraftService
from engine.errors import FormworkError
from engine.jobs.service import JobService
from engine.records.runtime import Runtimes
from engine.records.service import Clock, RecordService, utc_now
from engine.settings import Settings
from engine.storage import documents, system
from engine.storage.database import create_engine, read_transaction, single_statement, write_transaction
from engine.storage.sync import Plan, apply_plan, compute_plan, target_schema
from engine.workflow.service import WorkflowService


@dataclass(frozen=True)
class PublishResult:
    """What a publish changed: the documents written and the schema plan applied."""

    changed: list[str]
    plan: Plan


class StaleDocument(FormworkError):
    """A document was published by someone else between reading it and publishing a change of it."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(f"{path} was published by someone else meanwhile; look at the new version and try again")


class Workspace:
    """A workspace: its database, its current definitions and the record service over them."""

    def __init__(self, settings: Settings, engine: Engine | None = None, clock: Clock = utc_now):
        self.settings = settings
        self.engine = engine or create_engine(settings.url)
        self.clock = clock
        self.tz: tzinfo = ZoneInfo(settings.timezone)
        self.definitions = Definitions()
        self.records = RecordService(self.engine, Runtimes(self.definitions, {}), self.tz, clock)
        self.jobs = JobService(self, lease_seconds=float(settings.job_lease), backoff_seconds=float(settings.job_backoff))
        self.workflows = WorkflowService(self)
        self.drafts = DraftService(self)
        self._documents_mark: object = None
        from engine.background import install  # the parts that register job handlers import the workspace's services

        install(self)

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utc_now) -> Workspace:
        """Open an existing (or empty) workspace database and load its definitions."""
        ws = cls(settings, clock=clock)
        ws.ensure_system_tables()
        ws.reload()
        return ws

    def ensure_system_tables(self) -> None:
        """Create the system tables that do not exist yet."""
        system.metadata.create_all(self.engine)

    def sources(self) -> dict[str, str]:
        """The current text of every stored definition document."""
        with read_transaction(self.engine) as conn:
            return documents.current_sources(conn)

    def reload(self) -> Definitions:
        """Load the stored definitions (they were checked when published) and rebuild the services."""
        self._documents_mark = self._stored_mark()
        definitions = load_sources(self.sources()).raise_for_problems()
        schema = target_schema(definitions)
        # Built aside, then swapped in (requests run in threads meanwhile): the record service first, so that a
        # form new in this version shows in the definitions only once its runtime exists.
        self.records = RecordService(self.engine, Runtimes(definitions, schema.forms), self.tz, self.clock)
        self.definitions = definitions
        return self.definitions

    def _stored_mark(self) -> object:
        with read_transaction(self.engine) as conn:
            return conn.execute(sa.select(sa.func.max(system.documents.c.id))).scalar()

    def refresh(self) -> bool:
        """Reload the definitions if another process published since (workers call this before each job)."""
        if self._stored_mark() == self._documents_mark:
            return False
        self.reload()
        return True

    def publish(self, changes: Mapping[str, str | None], *, author_id: int | None = None, comment: str = "",
                dry_run: bool = False, expect: Mapping[str, int | None] | None = None) -> PublishResult:
        """Check the workspace with these document changes, store new versions and sync the schema, atomically.

        Raises DefinitionError (nothing written) if the resulting definitions have any problem, and StaleDocument
        when a document's latest version is not the one given in `expect` (someone published it meanwhile).
        """
        merged: dict[str, str | None] = {**self.sources(), **changes}
        defs = load_sources({k: v for k, v in merged.items() if v is not None}).raise_for_problems()
        schema = target_schema(defs)
        with write_transaction(self.engine) as conn:
            for path, version in (expect or {}).items():
                latest = documents.latest_version(conn, path)
                if (int(str(latest["version"])) if latest else None) != version:
                    raise StaleDocument(path)
            plan = compute_plan(conn, schema)
            if dry_run:
                conn.rollback()
                return PublishResult([], plan)
            changed = documents.save_versions(conn, changes, author_id, self.now(), comment)
            apply_plan(conn, plan)
        self.reload()
        return PublishResult(changed, plan)

    def plan(self) -> Plan:
        """What sync would change in the database for the current definitions."""
        with read_transaction(self.engine) as conn:
            return compute_plan(conn, target_schema(self.definitions))

    def migrate(self) -> Plan:
        """Apply the current definitions' schema plan in one transaction."""
        with write_transaction(self.engine) as conn:
            plan = compute_plan(conn, target_schema(self.definitions))
            apply_plan(conn, plan)
        return plan

    def analyze(self) -> None:
        """Refresh the query planner's statistics (after large imports), so filters pick the right index."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A connection in a read transaction: one consistent snapshot for everything a page shows."""
        with read_transaction(self.engine) as conn:
            yield conn

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction: commits when the block ends, rolls back on an error."""
        with write_transaction(self.engine) as conn:
            yield conn

    @contextmanager
    def statement(self) -> Iterator[sa.Connection]:
        """A connection for one read statement, consistent on its own (no explicit BEGIN)."""
        with single_statement(self.engine) as conn:
            yield conn

    def now(self) -> datetime:
        return self.clock().astimezone(timezone.utc)

    def setting(self, key: str) -> object:
        """A stored workspace setting (settings table)."""
        with read_transaction(self.engine) as conn:
            return conn.execute(sa.select(system.settings.c.value).where(system.settings.c.key == key)).scalar()

    def close(self) -> None:
        self.engine.dispose()
