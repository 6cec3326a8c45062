"""Preview a record as it would be saved, without writing: formulas, lookups, rules and every validation error.

The web form calls this while the user types, so it runs the same steps as a create or an update in one
read transaction and never touches history, the outbox or serial counters.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.records import reading, writing
from engine.records.compute import apply_defaults, compute_formulas, evaluate_rules
from engine.records.linked_defaults import linked_values, unseen_defaults
from engine.records.model import Actor
from engine.records.reach import drop_unreachable
from engine.records.values import Errors, parse_input
from engine.storage.database import read_transaction

if TYPE_CHECKING:
    from engine.records.service import RecordService


@dataclass
class Preview:
    """What the record would look like: typed values (computed ones filled in), field states and errors."""

    values: dict[str, Any]
    hidden: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    readonly: set[str] = field(default_factory=set)
    errors: Errors = field(default_factory=dict)
    linked: dict[str, Any] = field(default_factory=dict)  # a create's related-record defaults, for the live form
    # field path → the error value (`#DIV/0!`) a shown formula ends in: the field is left empty, the form says why
    formula_errors: dict[str, str] = field(default_factory=dict)


def preview_record(service: RecordService, actor: Actor, form_id: str, raw: Mapping[str, Any], fmt: str,
                   record_id: int | None) -> Preview:
    """Parse, default, compute and validate `raw` as a create (record_id None) or an update would; write nothing.

    Raises NotFound when record_id names no live record the actor may reach, PermissionDenied without the right,
    KeyError for an unknown form.
    """
    rt = service.runtime(form_id)
    guard = service.guard(actor, form_id)
    guard.require("create" if record_id is None else "update")
    now = service.clock()
    errors: Errors = guard.write_errors(raw)
    with read_transaction(service.engine) as conn:
        cache = reading.RelatedCache(conn, service.runtimes)
        if record_id is not None:
            service._reach(conn, guard, "update", record_id)
        values = parse_input(rt, raw, fmt, errors)
        before: dict[str, Any] | None = None
        linked: dict[str, Any] = {}
        if record_id is None:
            drop_unreachable(conn, service.runtimes, actor, rt, values, None, service.filter_context(actor), errors)
            full = {**values, "created_by": actor.user_id, "updated_by": actor.user_id, "owner_id": actor.user_id,
                    "department_id": actor.department_id, "created_at": now, "updated_at": now}
            env = service._env(rt, full, actor, cache, now)
            unseen = unseen_defaults(service.runtimes, actor, rt)
            apply_defaults(rt, full, set(values) | unseen, env)
            linked = linked_values(rt, full, env, unseen, {f.id for f in rt.writable if guard.access.writable(f.id)})
        else:
            before = service._load(conn, rt, record_id)
            drop_unreachable(conn, service.runtimes, actor, rt, values, before, service.filter_context(actor), errors)
            full = {**before, **values, "updated_at": now, "updated_by": actor.user_id}
            env = service._env(rt, full, actor, cache, now)
        service._roll_up(conn, rt, full, env)
        rules = service._evaluate(rt, full, env, errors, before)
        writing.check_references(conn, rt, service.runtimes, [full], [errors])
        writing.check_unique(conn, rt, [full], [errors])
    required = {f.id for f in rt.form.fields if f.required and not f.formula} | rules.required
    hidden = set(rules.hidden) | set(guard.access.hidden)
    return Preview(values=guard.mask(full), hidden=hidden, required=required - hidden,
                   readonly=set(rules.readonly) | set(guard.access.read_only), errors=errors, linked=linked,
                   formula_errors=_visible(rules.formula_errors, guard.access.hidden))


def formula_errors(service: RecordService, actor: Actor, form_id: str, record_id: int) -> dict[str, str]:
    """The error values the stored formulas of a live record end in now, by field path, for the fields the actor
    sees: a formula ending in an error was saved empty, and the record page says why by computing it again."""
    rt = service.runtime(form_id)
    if not rt.formulas:
        return {}
    guard = service.guard(actor, form_id)
    guard.require("read")
    failed: dict[str, str] = {}
    with read_transaction(service.engine) as conn:
        service._reach(conn, guard, "read", record_id)
        values = service._load(conn, rt, record_id)
        service._complete(conn, rt, [values], actor)
        env = service._env(rt, values, actor, reading.RelatedCache(conn, service.runtimes), service.clock())
        compute_formulas(rt, values, env, failed)
    return _visible(failed, guard.access.hidden)


def _visible(failed: dict[str, str], hidden: Collection[str]) -> dict[str, str]:
    return {path: code for path, code in failed.items() if path.split("[", 1)[0] not in hidden}


def hidden_by_rules(service: RecordService, actor: Actor, form_id: str, record_id: int) -> set[str]:
    """The fields a live record's show rules hide now (a print leaves them out, as the form does)."""
    rt = service.runtime(form_id)
    if not any(rule.kind == "show" for rule in rt.form.rules):
        return set()
    guard = service.guard(actor, form_id)
    guard.require("read")
    with read_transaction(service.engine) as conn:
        service._reach(conn, guard, "read", record_id)
        values = service._load(conn, rt, record_id)
        service._complete(conn, rt, [values], actor)
        env = service._env(rt, values, actor, reading.RelatedCache(conn, service.runtimes), service.clock())
        return set(evaluate_rules(rt, env).hidden)
