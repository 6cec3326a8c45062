"""The one entry point: settings + database + definitions + the engine's services."""

from __future__ import annotations

import threading

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine.audit import record_audit
from engine.definitions.impact import Impact, measure, refusal, rewrites
from engine.definitions.index_advice import advice
from engine.definitions.loader import load_sources
from engine.definitions.model import Definitions
from engine.definitions.typechange import type_change_problems
from engine.drafts import DraftService
from engine.errors import DefinitionError, FormworkError
from engine.fields.conversion import ConversionContext, prepare_sqlite
from engine.jobs.service import JobService
from engine.org.cache import IdentityCache
from engine.records.runtime import Runtimes
from engine.records.service import Clock, RecordService, utc_now
from engine.reports.schedules import unknown_users
from engine.settings import Settings
from engine.storage import documents, marks, system
from engine.storage.database import create_engine, read_transaction, single_statement, write_transaction
from engine.storage.sync import Plan, apply_plan, compute_plan, target_schema
from engine.workflow.service import WorkflowService


@dataclass(frozen=True)
class PublishResult:
    """What a publish changed: the documents written, the schema plan applied and the data impacts measured."""

    changed: list[str]
    plan: Plan
    impacts: list[Impact] = field(default_factory=list)


@dataclass(frozen=True)
class PublishPlan:
    """What a publish would do, nothing written: the schema changes and the impact on the stored data."""

    schema: Plan
    impacts: list[Impact]

    @property
    def blocking(self) -> list[Impact]:
        """The impacts that stop the publish (unless, for losses, the publisher accepts them)."""
        return [i for i in self.impacts if i.blocking]


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
        replica_url = str(settings.values.get("database_replica_url") or "")
        self.replica: Engine | None = create_engine(replica_url) if replica_url else None
        self.clock = clock
        self.tz: tzinfo = ZoneInfo(settings.timezone)
        self.definitions = Definitions()
        # users, viewers and API tokens, kept while the org and token marks hold; the definitions' mark read with
        # them tells this process of a publish made by another (a second web process, the CLI) on its next request
        self.identities = IdentityCache(on_definitions=self._follow)
        self._reloading = threading.Lock()
        self.records = RecordService(self.engine, Runtimes(self.definitions, {}), self.tz, clock,
                                     self.identities.viewer, replica=self.replica)
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
        marks.install(self.engine)

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
        self.records = RecordService(self.engine, Runtimes(definitions, schema.forms), self.tz, self.clock,
                                     self.identities.viewer, replica=self.replica)
        self.definitions = definitions
        return self.definitions

    def stored_mark(self) -> object:
        """What changes whenever any document is published, here or in another process."""
        return self._stored_mark()

    def _stored_mark(self) -> object:
        with read_transaction(self.engine) as conn:
            return marks.definitions_mark(conn)

    def refresh(self) -> bool:
        """Reload the definitions if another process published since (workers call this before each job)."""
        if self._stored_mark() == self._documents_mark:
            return False
        with self._reloading:  # one thread reloads; the others go on with the definitions they had
            if self._stored_mark() != self._documents_mark:
                self.reload()
        return True

    def _follow(self, mark: int) -> None:
        """The definitions' mark as a request just read it: reload when another process has published since."""
        if mark != self._documents_mark and self._reloading.acquire(blocking=False):
            try:
                if self._stored_mark() != self._documents_mark:
                    self.reload()
            finally:
                self._reloading.release()

    def _checked(self, changes: Mapping[str, str | None]) -> tuple[Definitions, Definitions]:
        """The current and the resulting definitions; DefinitionError for any problem of the result, and for a
        field type change whose values cannot convert."""
        current = self.sources()
        merged: dict[str, str | None] = {**current, **changes}
        defs = load_sources({k: v for k, v in merged.items() if v is not None}).raise_for_problems()
        old = self.definitions if self._stored_mark() == self._documents_mark else \
            load_sources(current).definitions
        problems = type_change_problems(old, defs)
        with read_transaction(self.engine) as conn:
            problems += unknown_users(conn, defs)  # schedules name users, who live in the database
        if problems:
            raise DefinitionError(problems)
        return old, defs

    def publish(self, changes: Mapping[str, str | None], *, author_id: int | None = None, comment: str = "",
                dry_run: bool = False, expect: Mapping[str, int | None] | None = None,
                accept_losses: bool = False) -> PublishResult:
        """Check the workspace with these document changes, store new versions, sync the schema and convert the
        values of fields whose type changed, atomically.

        Raises DefinitionError (nothing written) if the resulting definitions have any problem (a field type
        change whose values cannot convert too), StaleDocument when a document's latest version is not the one
        given in `expect` (someone published it meanwhile), and PublishRefused if stored values would be lost
        (values that do not convert to a field's new type, text cut to a shorter column) unless `accept_losses`:
        then the values that do not convert become empty.
        """
        old, defs = self._checked(changes)
        schema = target_schema(defs, self.engine.dialect.name)
        with write_transaction(self.engine) as conn:
            for path, version in (expect or {}).items():
                latest = documents.latest_version(conn, path)
                if (int(str(latest["version"])) if latest else None) != version:
                    raise StaleDocument(path)
            plan = compute_plan(conn, schema)
            impacts = measure(conn, old, defs) + advice(conn, defs, system.saved_views)
            if dry_run:
                conn.rollback()
                return PublishResult([], plan, impacts)
            refused = refusal(impacts, defs, accept_losses)
            if refused is not None:
                raise refused
            changed = documents.save_versions(conn, changes, author_id, self.now(), comment)
            if conn.dialect.name == "sqlite":
                prepare_sqlite(conn.connection.driver_connection)
            apply_plan(conn, plan, rewrites(old, defs, impacts, ConversionContext(conn.dialect.name,
                                                                                 self.settings.timezone)))
            if author_id is not None and changed:  # a person's publish is audited, in its own transaction
                record_audit(conn, self.now(), "definitions_published", actor_id=author_id,
                             target=", ".join(changed)[:200], detail={"paths": changed, "note": comment})
        self.reload()
        return PublishResult(changed, plan, impacts)

    def publish_plan(self, changes: Mapping[str, str | None]) -> PublishPlan:
        """What publishing these document changes would do (schema steps and data impacts); writes nothing.

        Raises DefinitionError like `publish` for problems of the resulting definitions.
        """
        old, defs = self._checked(changes)
        with read_transaction(self.engine) as conn:
            return PublishPlan(compute_plan(conn, target_schema(defs, conn.dialect.name)),
                               measure(conn, old, defs) + advice(conn, defs, system.saved_views))

    def records_for(self, definitions: Definitions) -> RecordService:
        """A record service over other definitions (a designer's draft): reads the live tables like this one."""
        return RecordService(self.engine, Runtimes(definitions, target_schema(definitions).forms), self.tz, self.clock,
                             self.identities.viewer, replica=self.replica)

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
        if self.replica is not None:
            self.replica.dispose()
