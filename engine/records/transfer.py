"""Hand everything one user owns to another (the leaving-employee case), in one transaction, with history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from engine.audit import record_audit
from engine.errors import FieldError, PermissionDenied, RecordInvalid
from engine.org.admin import set_active
from engine.records import writing
from engine.records.model import Actor
from engine.records.runtime import Runtimes
from engine.storage.database import write_transaction
from engine.storage.system import users


def transfer_ownership(engine: sa.Engine, runtimes: Runtimes, actor: Actor, from_user: int, to_user: int,
                       now: datetime, forms: Iterable[str] | None = None, *, disable: bool = False,
                       address: str | None = None) -> dict[str, int]:
    """Make `to_user` the owner of every record (live or in the recycle bin) `from_user` owns; {form: count}.

    Each record gets a new version and a history entry (via "transfer"), its department becomes the new
    owner's, and the transfer is written to the audit log. All forms change together or not at all — and,
    with `disable`, so does disabling the leaving user.
    """
    if not (actor.is_admin or actor.system):
        raise PermissionDenied(actor, "transfer", "records")
    if from_user == to_user:
        raise RecordInvalid({"to_user": [FieldError("same_user", {})]})
    moved: dict[str, int] = {}
    with write_transaction(engine) as conn:
        found = {r.id: r for r in conn.execute(sa.select(users.c.id, users.c.username, users.c.department_id)
                                                  .where(users.c.id.in_([from_user, to_user])))}
        for key, user_id in (("from_user", from_user), ("to_user", to_user)):
            if user_id not in found:
                raise RecordInvalid({key: [FieldError("no_such_user", {"value": user_id})]})
        department = found[to_user].department_id
        for form_id in sorted(forms if forms is not None else runtimes.defs.forms):
            rt = runtimes[form_id]
            table = rt.main
            rows = conn.execute(sa.select(table.c.id, table.c.version).where(table.c.owner_id == from_user)).all()
            if not rows:
                continue
            values = {"owner_id": to_user, "department_id": department, "updated_at": now,
                      "updated_by": actor.user_id, "version": table.c.version + 1}
            if rt.owner_field:
                values[rt.owner_field] = to_user
            conn.execute(sa.update(table).where(table.c.owner_id == from_user).values(values))
            key = rt.owner_field or "owner_id"
            writing.record_events(conn, rt, [(int(i), int(v) + 1, {key: [from_user, to_user]}) for i, v in rows],
                                  "update", actor.user_id, "transfer", now)
            moved[form_id] = len(rows)
        record_audit(conn, now, "transfer", actor_id=actor.user_id, target=found[from_user].username,
                     address=address, detail={"from_user": from_user, "to_user": to_user, "records": moved})
        if disable:
            set_active(conn, actor.user_id, from_user, False, now, address=address)
    return moved


def owned_counts(conn: sa.Connection, runtimes: Runtimes, user_id: int) -> dict[str, int]:
    """How many records (live or in the recycle bin) the user owns, by form; forms with none are left out."""
    counts: dict[str, int] = {}
    for form_id in sorted(runtimes.defs.forms):
        if form_id not in runtimes:
            continue
        table = runtimes[form_id].main
        count = conn.execute(sa.select(sa.func.count()).select_from(table)
                             .where(table.c.owner_id == user_id)).scalar_one()
        if count:
            counts[form_id] = int(count)
    return counts
