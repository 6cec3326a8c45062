"""Hand everything one user owns to another (the leaving-employee case), in one transaction, with history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from engine.audit import record_audit
from engine.errors import FieldError, PermissionDenied, RecordInvalid
from engine.records import writing
from engine.records.model import Actor
from engine.records.runtime import Runtimes
from engine.storage.database import write_transaction
from engine.storage.system import users


def transfer_ownership(engine: sa.Engine, runtimes: Runtimes, actor: Actor, from_user: int, to_user: int,
                       now: datetime, forms: Iterable[str] | None = None) -> dict[str, int]:
    """Make `to_user` the owner of every record (live or in the recycle bin) `from_user` owns; {form: count}.

    Each record gets a new version and a history entry (via "transfer"), its department becomes the new
    owner's, and the transfer is written to the audit log. All forms change together or not at all.
    """
    if not (actor.is_admin or actor.system):
        raise PermissionDenied(actor, "transfer", "records")
    if from_user == to_user:
        raise RecordInvalid({"to_user": [FieldError("same_user", {})]})
    moved: dict[str, int] = {}
    with write_transaction(engine) as conn:
        found = dict(conn.execute(sa.select(users.c.id, users.c.department_id)
                                  .where(users.c.id.in_([from_user, to_user]))).all())
        for key, user_id in (("from_user", from_user), ("to_user", to_user)):
            if user_id not in found:
                raise RecordInvalid({key: [FieldError("no_such_user", {"value": user_id})]})
        department = found[to_user]
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
        record_audit(conn, now, "transfer", actor_id=actor.user_id, target=str(from_user),
                     detail={"from_user": from_user, "to_user": to_user, "records": moved})
    return moved
