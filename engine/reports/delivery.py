"""Scheduled deliveries of reports and dashboards (each kind a registered `Schedulable`, engine/reports/schedules.py):
a job-clock ticker queues one `report.deliver` job per (document, schedule, period), keyed so that ticking twice,
retrying, or two ticks racing queue it once; the job draws the document and queues one message per recipient
through the mail jobs (which retry), with the PDF attached and a summary in the body.

Whose data: each user recipient (named, or holding a named role) gets the document as they would see it — run
under their own roles and data scope, in their language — and is skipped when it cannot run for them. A plain
address belongs to no user: it gets the document as an administrator sees it (every record), in the schedule's
language; only those who may publish reports and dashboards can name addresses.

Drawing the PDF needs the chart renderers, which live in the web layer: it registers a `DeliveryRenderer` per kind
(web/exports/delivery.py) when it is imported — by the web app and by the `formwork` command (its worker)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from engine.i18n import text
from engine.jobs import queue
from engine.jobs.context import JobContext, PermanentError
from engine.mail.outgoing import queue_email
from engine.records.model import Actor
from engine.reports.run import ReportForbidden
from engine.reports.schedules import Schedulable, Scheduled, ScheduleDef, due_slot, schedulable, scheduled
from engine.storage.database import read_transaction
from engine.storage.system import role_members, users

if TYPE_CHECKING:
    from engine.workspace import Workspace

KIND = "report.deliver"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class Rendered:
    """What one recipient gets: the subject, the HTML body (the summary), the PDF and its file name."""

    subject: str
    html: str
    pdf: bytes
    filename: str


@dataclass(frozen=True)
class Recipient:
    address: str
    lang: str
    actor: Actor  # whose data the report shows
    name: str


class NotForThem(Exception):
    """The document is not one this recipient may see (a dashboard outside their roles): they are skipped."""


class DeliveryRenderer(Protocol):
    def __call__(self, ws: Workspace, actor: Actor, document: Any, lang: str, made: datetime,
                 note: str, /) -> Rendered:
        """The message for a reader of `lang`, the document drawn as `actor` sees it (ReportForbidden or
        NotForThem when it cannot be drawn for them)."""


_RENDERERS: dict[str, DeliveryRenderer] = {}


def register_renderer(kind: str, renderer: DeliveryRenderer) -> None:
    """Set the renderer deliveries of `kind` documents use (the web layer registers its own on import)."""
    _RENDERERS[kind] = renderer


def job_key(kind: Schedulable, document: Scheduled, schedule: ScheduleDef, slot: datetime) -> str:
    return f"{kind.kind}:{document.app}.{document.id}:{schedule.key}:{slot.isoformat()}"


def ticker(ws: Workspace) -> Callable[[sa.Connection, datetime, datetime], None]:
    """Queue a delivery for each schedule due in (previous, now] — the latest period only after an outage."""
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        for kind, document in scheduled(ws.definitions):
            for schedule in document.schedules:
                slot = due_slot(schedule.cron, ws.tz, previous, now)
                if slot is not None:
                    queue.enqueue(conn, job_key(kind, document, schedule, slot), KIND, {
                        "kind": kind.kind, "document": document.id, "schedule": schedule.key,
                        "slot": slot.isoformat()}, now=now,
                        label=f"{text(document.label, schedule.lang)} · {slot.strftime('%Y-%m-%d %H:%M')}")
    return tick


def _document(ws: Workspace, payload: Mapping[str, Any]) -> tuple[str, Scheduled | None]:
    """The kind and the document a job names (jobs queued before dashboards could be sent name a `report`)."""
    name = str(payload.get("kind") or "report")
    kind = schedulable(name)
    found = kind.documents(ws.definitions).get(str(payload.get("document") or payload.get("report"))) if kind else None
    return name, found


def deliver(job: JobContext) -> dict[str, Any]:
    """The job: draw the document for each recipient and queue their messages, in one fenced transaction."""
    ws: Workspace = job.host
    kind, document = _document(ws, job.payload)
    schedule = next((s for s in document.schedules if s.key == job.payload["schedule"]), None) if document else None
    if document is None or schedule is None:
        return {"skipped": f"the {kind} or its schedule was removed"}
    if kind not in _RENDERERS:
        raise PermanentError(f"no {kind} renderer is installed: run the worker with the `formwork` command")
    made = job.now().astimezone(ws.tz)
    note = text(schedule.note, schedule.lang) if schedule.note else ""
    with read_transaction(ws.engine) as conn:
        recipients, missing = recipients_of(conn, schedule)
    messages: list[tuple[Recipient, Rendered]] = []
    skipped = [f"{name}: no email address" for name in missing]
    for who in recipients:
        try:
            local_note = text(schedule.note, who.lang) if schedule.note else note
            messages.append((who, _RENDERERS[kind](ws, who.actor, document, who.lang, made, local_note)))
        except (ReportForbidden, NotForThem):
            skipped.append(f"{who.name}: the {kind} cannot be shown to them")
    queued = 0
    with job.transaction() as conn:
        for who, message in messages:
            queued += len(queue_email(
                conn, key=f"{job.key}:{who.address.lower()}", to=[who.address], subject=message.subject,
                html=message.html, now=job.now(), source=f"{kind}:{document.app}.{document.id}", track=False,
                parent=job.key, attachments=[(message.filename, PDF_TYPE, message.pdf)]))
    return {"queued": queued, "skipped": skipped}


def recipients_of(conn: sa.Connection, schedule: ScheduleDef) -> tuple[list[Recipient], list[str]]:
    """The active users named or holding a named role (each with their own scope), then the plain addresses
    no such user has; and the names of users without an email address."""
    found: dict[str, Recipient] = {}
    missing: list[str] = []
    for user in _users(conn, schedule):
        address = str(user["email"] or "").strip()
        if not address:
            missing.append(str(user["username"]))
            continue
        actor = Actor(user_id=int(user["id"]), department_id=user["department_id"], roles=user["roles"],
                      is_admin=bool(user["is_admin"]), language=str(user["language"] or schedule.lang))
        found.setdefault(address.lower(), Recipient(address, actor.language, actor, str(user["username"])))
    for address in schedule.addresses:
        found.setdefault(address.lower(), Recipient(address, schedule.lang, Actor.system_actor(), address))
    return list(found.values()), missing


def _users(conn: sa.Connection, schedule: ScheduleDef) -> Iterator[dict[str, Any]]:
    by_role = sa.select(role_members.c.user_id).where(role_members.c.role.in_(schedule.roles))
    query = sa.select(users).where(users.c.active.is_(True), sa.or_(users.c.username.in_(schedule.users),
                                                                     users.c.id.in_(by_role))).order_by(users.c.id)
    for row in conn.execute(query).mappings().all():
        roles = conn.execute(sa.select(role_members.c.role).where(role_members.c.user_id == row["id"])).scalars()
        yield {**dict(row), "roles": frozenset(roles)}


def install(ws: Workspace) -> None:
    """Register the delivery job and the schedule ticker on the workspace's job system."""
    ws.jobs.handle(KIND, deliver)
    ws.jobs.tick_with(ticker(ws))
