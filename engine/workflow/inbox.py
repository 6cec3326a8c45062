"""The inbox: to do, done, started by me, cc'd to me — pages with filters and counts; the admin's instance list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import WorkflowDef
from engine.errors import QueryInvalid
from engine.org.users import display_names
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from engine.workflow.errors import TaskNotFound, valid_id
from engine.workflow.tables import wf_instances, wf_tasks
from engine.workflow.views import InboxItem, InboxPage, InstancePage, InstanceSummary, Person, Task
from engine.records.terms import check_term

if TYPE_CHECKING:
    from engine.workspace import Workspace

BOXES = ("todo", "done", "started", "cc")
ACTIONABLE_KINDS = ("approval", "fill", "resubmit")
STATUSES = ("running", "rejected", "approved", "withdrawn", "cancelled")
MAX_LIMIT = 200


@dataclass(frozen=True)
class InboxFilter:
    """Which rows of a box: by form, a search in record titles, the instance's status; a page of them."""

    form: str | None = None
    search: str | None = None
    status: str | None = None
    offset: int = 0
    limit: int = 50


def _box_query(actor: Actor, box: str) -> tuple[sa.Select[Any], list[Any]]:
    """The statement of a box (tasks joined to instances, or instances) and its order."""
    t, i = wf_tasks, wf_instances
    joined = sa.select(t, i.c.workflow, i.c.def_hash, i.c.form, i.c.record_id, i.c.title, i.c.submitter_id,
                       i.c.current, i.c.status.label("instance_status"), i.c.started_at) \
        .join(i, i.c.id == t.c.instance_id)
    mine = t.c.user_id == actor.user_id
    if box == "todo":
        return joined.where(_open_todo(actor)), [t.c.id.desc()]
    if box == "done":
        return joined.where(t.c.acted_by == actor.user_id, mine, t.c.status == "done", t.c.kind != "cc"), \
            [t.c.acted_at.desc(), t.c.id.desc()]
    if box == "cc":
        return joined.where(mine, t.c.kind == "cc"), [sa.case((t.c.read_at.is_(None), 0), else_=1), t.c.id.desc()]
    started = sa.select(i, i.c.status.label("instance_status")).where(i.c.submitter_id == actor.user_id)
    return started, [i.c.id.desc()]


def _check(box: str, flt: InboxFilter) -> None:
    if box not in BOXES:
        raise QueryInvalid("bad_filter", message=f"no box '{box}'; boxes: {', '.join(BOXES)}")
    if flt.status is not None and flt.status not in STATUSES:
        raise QueryInvalid("bad_filter", message=f"no status '{flt.status}'; statuses: {', '.join(STATUSES)}")
    if not 1 <= flt.limit <= MAX_LIMIT:
        raise QueryInvalid("bad_limit", max=MAX_LIMIT)
    if flt.offset < 0:
        raise QueryInvalid("bad_filter", message="offset must not be negative")


def page(ws: Workspace, actor: Actor, box: str, flt: InboxFilter) -> InboxPage:
    """One page of a box, newest first (cc: unread first), with the total."""
    _check(box, flt)
    stmt, order = _box_query(actor, box)
    i = wf_instances
    if flt.form:
        stmt = stmt.where(i.c.form == flt.form)
    if flt.status:
        stmt = stmt.where(i.c.status == flt.status)
    if flt.search and flt.search.strip():
        term = check_term(flt.search.strip()).lower()
        stmt = stmt.where(sa.func.lower(i.c.title).contains(term, autoescape=True))
    with read_transaction(ws.engine) as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar() or 0)
        rows = [dict(r) for r in conn.execute(stmt.order_by(*order).offset(flt.offset).limit(flt.limit)).mappings()]
        defs = _definitions(ws, conn, rows)
        names = display_names(conn, [r["submitter_id"] for r in rows])
    items = tuple(_item(ws, box, r, defs[str(r["def_hash"])], names) for r in rows)
    return InboxPage(box, items, total, flt.offset, flt.limit)


def _definitions(ws: Workspace, conn: sa.Connection, rows: list[dict[str, Any]]) -> dict[str, WorkflowDef]:
    return {h: ws.workflows.snapshots.load(conn, h) for h in {str(r["def_hash"]) for r in rows}}


def _item(ws: Workspace, box: str, r: Mapping[str, Any], wf: WorkflowDef, names: Mapping[int, str]) -> InboxItem:
    form = ws.definitions.forms.get(str(r["form"]))
    submitter = Person(int(r["submitter_id"]), names.get(int(r["submitter_id"]), "")) \
        if r["submitter_id"] is not None else None
    is_task = box != "started"
    return InboxItem(
        box, int(r["id"]) if is_task else None, int(r["instance_id"] if is_task else r["id"]), wf.id, wf.label,
        str(r["form"]), form.label if form is not None else str(r["form"]), int(r["record_id"]), str(r["title"] or ""),
        str(r["node"]) if is_task else None, wf.node_label(str(r["node"])) if is_task else None,
        str(r["kind"]) if is_task else None, str(r["status"]) if is_task else None,
        r["outcome"] if is_task else None, str(r["instance_status"]), submitter,
        r["created_at"] if is_task else r["started_at"], r["acted_at"] if is_task else r["ended_at"],
        r["due_at"] if is_task else None, r["read_at"] if is_task else None,
        tuple(wf.node_label(str(n)) for n in r["current"] or ()))


def _open_todo(actor: Actor) -> ColumnElement[bool]:
    t = wf_tasks
    return sa.and_(t.c.user_id == actor.user_id, t.c.status == "open", t.c.kind.in_(ACTIONABLE_KINDS))


def todo_count(ws: Workspace, actor: Actor) -> int:
    """The actor's open to-do items (the menu badge): one COUNT."""
    with read_transaction(ws.engine) as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(wf_tasks).where(_open_todo(actor))).scalar()
                   or 0)


def counts(ws: Workspace, actor: Actor) -> dict[str, int]:
    """The inbox tabs' numbers: open to-dos, handled items, started instances and unread cc entries."""
    t, i = wf_tasks, wf_instances
    me = actor.user_id
    wheres = {
        "todo": (t, _open_todo(actor)),
        "done": (t, sa.and_(t.c.user_id == me, t.c.acted_by == me, t.c.status == "done", t.c.kind != "cc")),
        "started": (i, i.c.submitter_id == me),
        "cc_unread": (t, sa.and_(t.c.user_id == me, t.c.kind == "cc", t.c.read_at.is_(None))),
    }
    with read_transaction(ws.engine) as conn:
        return {box: int(conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar() or 0)
                for box, (table, where) in wheres.items()}


def mark_cc_read(ws: Workspace, actor: Actor, task_id: int) -> None:
    """Mark one of the actor's cc entries read (a read one keeps its first read time)."""
    t = wf_tasks
    with write_transaction(ws.engine) as conn:
        mine = conn.execute(sa.select(t.c.id).where(t.c.id == task_id, t.c.user_id == actor.user_id,
                                                    t.c.kind == "cc")).first() if valid_id(task_id) else None
        if mine is None:
            raise TaskNotFound(task_id)
        conn.execute(sa.update(t).where(t.c.id == task_id, t.c.read_at.is_(None)).values(read_at=ws.now()))


def instances(ws: Workspace, workflow_id: str, status: str | None, offset: int, limit: int) -> InstancePage:
    """A page of a workflow's instances, newest first; status `active` means running or rejected."""
    _check("started", InboxFilter(status=None if status in (None, "active", "finished") else status,
                                  offset=offset, limit=limit))
    i, t = wf_instances, wf_tasks
    stmt = sa.select(i).where(i.c.workflow == workflow_id)
    if status == "active":
        stmt = stmt.where(i.c.status.in_(("running", "rejected")))
    elif status == "finished":
        stmt = stmt.where(i.c.status.not_in(("running", "rejected")))
    elif status:
        stmt = stmt.where(i.c.status == status)
    with read_transaction(ws.engine) as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar() or 0)
        rows = [dict(r) for r in conn.execute(stmt.order_by(i.c.id.desc()).offset(offset).limit(limit)).mappings()]
        ids = [r["id"] for r in rows]
        open_tasks = [dict(r) for r in conn.execute(sa.select(t).where(
            t.c.instance_id.in_(ids), t.c.status == "open").order_by(t.c.id)).mappings()] if ids else []
        defs = _definitions(ws, conn, rows)
        names = display_names(conn, [r["submitter_id"] for r in rows] + [x["user_id"] for x in open_tasks])
    items = []
    for r in rows:
        wf = defs[str(r["def_hash"])]
        tasks = tuple(Task(int(x["id"]), int(x["instance_id"]), str(x["node"]), wf.node_label(str(x["node"])),
                           Person(int(x["user_id"]), names.get(int(x["user_id"]), "")), str(x["kind"]),
                           str(x["status"]), x["outcome"], x["created_at"], x["acted_at"], x["due_at"])
                      for x in open_tasks if x["instance_id"] == r["id"])
        submitter = Person(int(r["submitter_id"]), names.get(int(r["submitter_id"]), "")) \
            if r["submitter_id"] is not None else None
        items.append(InstanceSummary(int(r["id"]), wf.id, str(r["form"]), int(r["record_id"]), str(r["title"] or ""),
                                     str(r["status"]), submitter, tuple(r["current"] or ()),
                                     tuple(wf.node_label(str(n)) for n in r["current"] or ()), r["started_at"],
                                     r["ended_at"], tasks))
    return InstancePage(tuple(items), total, offset, limit)
