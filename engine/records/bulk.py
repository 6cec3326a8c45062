"""Batches of writes (the bulk API): create or update up to MAX_BATCH records at once through the record service,
with a result per record, or all-or-nothing (`atomic`) with every failure listed."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import Conflict, FieldError, FormworkError, NotFound, PermissionDenied, RecordInvalid
from engine.records.model import Actor, Record
from engine.records.values import Errors
from engine.storage.database import write_transaction

if TYPE_CHECKING:
    from engine.records.service import RecordService

MAX_BATCH = 1000
NUMBERED = re.compile(r"^\[(\d+)\](?:\.(.*))?$", re.DOTALL)
BULK_RIGHT = "import"  # a batch is an import through the API: it needs this right besides create or update


class BatchTooLarge(FormworkError):
    """A batch holds more records than one request may write."""

    def __init__(self, count: int, limit: int = MAX_BATCH):
        self.count, self.limit = count, limit
        self.error = FieldError("batch_too_large", {"count": count, "max": limit})
        super().__init__(self.error.message("en"))


@dataclass(frozen=True)
class Change:
    """One item of a bulk update: the record, the version the caller read, and the values to change."""

    record_id: int
    version: int
    values: Mapping[str, Any]


@dataclass(frozen=True)
class ItemResult:
    """What became of one item of a batch: its record when written, else its errors by field path."""

    index: int
    record: Record | None = None
    errors: Errors = field(default_factory=dict)
    record_id: int | None = None
    current_version: int | None = None  # on a version conflict, the version stored now

    @property
    def ok(self) -> bool:
        """Whether the item was written."""
        return self.record is not None


def check_size(count: int) -> None:
    """BatchTooLarge above MAX_BATCH items."""
    if count > MAX_BATCH:
        raise BatchTooLarge(count)


def create_batch(service: RecordService, actor: Actor, form_id: str, raws: Sequence[Mapping[str, Any]], *,
                 atomic: bool, via: str = "api") -> list[ItemResult]:
    """Create the records in one transaction. `atomic`: all or (RecordInvalid keyed `[i].path`) none; otherwise
    the valid ones are written and each invalid one gets its errors."""
    check_size(len(raws))
    require_rights(service, actor, form_id, "create")
    if not raws:
        return []
    if atomic:
        records = service.create_many(actor, form_id, raws, via=via)
        return [ItemResult(i, record) for i, record in enumerate(records)]
    failed: dict[int, Errors] = {}
    pending = list(range(len(raws)))
    while pending:
        try:
            records = service.create_many(actor, form_id, [raws[i] for i in pending], via=via)
        except RecordInvalid as exc:
            # Dropping a failed record never makes another fail (a duplicate within the batch is blamed on the
            # later one), so each retry writes or drops more: at most as many rounds as there are failures.
            errors = _by_item(exc.errors, len(pending))
            for position, errs in errors.items():
                failed[pending[position]] = errs
            pending = [i for position, i in enumerate(pending) if position not in errors]
            continue
        written = dict(zip(pending, records))
        break
    else:
        written = {}
    return [ItemResult(i, written.get(i), failed.get(i, {})) for i in range(len(raws))]


def _by_item(errors: Mapping[str, list[FieldError]], count: int) -> dict[int, Errors]:
    """Errors keyed `[i].path` grouped by item; an error naming no item (a race lost on a unique index) is laid on
    every item, which keeps the loop finite and says the batch was not written."""
    found: dict[int, Errors] = {}
    for key, errs in errors.items():
        match = NUMBERED.match(key)
        if match is None:
            for index in range(count):
                found.setdefault(index, {}).setdefault(key, []).extend(errs)
            continue
        found.setdefault(int(match.group(1)), {}).setdefault(match.group(2) or "", []).extend(errs)
    return found


def update_batch(service: RecordService, actor: Actor, form_id: str, changes: Sequence[Change], *, atomic: bool,
                 via: str = "api") -> list[ItemResult]:
    """Update the records in one transaction, each at the version its caller read (a stale one is that item's
    conflict). Each item runs in a savepoint, so a failed one leaves no trace and the others go on (and are
    checked); `atomic`: all or none (RecordInvalid keyed `[i].path`, every failure listed)."""
    check_size(len(changes))
    require_rights(service, actor, form_id, "update")
    results: list[ItemResult] = []
    with write_transaction(service.engine) as conn:
        for index, change in enumerate(changes):
            nested = conn.begin_nested()
            try:
                record = service.update(actor, form_id, change.record_id, change.values, version=change.version,
                                        via=via, conn=conn)
            except (RecordInvalid, Conflict, NotFound, PermissionDenied) as exc:
                nested.rollback()
                results.append(_failure(index, change.record_id, exc))
                continue
            nested.commit()
            results.append(ItemResult(index, record, record_id=change.record_id))
        if atomic and any(not r.ok for r in results):
            raise RecordInvalid(numbered_errors(results))
    return results


def _failure(index: int, record_id: int, exc: FormworkError) -> ItemResult:
    if isinstance(exc, RecordInvalid):
        return ItemResult(index, errors=dict(exc.errors), record_id=record_id)
    current = exc.actual if isinstance(exc, Conflict) else None
    key = "version" if isinstance(exc, Conflict) else ""
    return ItemResult(index, errors={key: [getattr(exc, "error")]}, record_id=record_id, current_version=current)


def numbered_errors(results: Sequence[ItemResult]) -> Errors:
    """Every failed item's errors, keyed `[i].path` (`[i]` for the record as a whole)."""
    merged: Errors = {}
    for result in results:
        for path, errs in result.errors.items():
            merged[f"[{result.index}].{path}" if path else f"[{result.index}]"] = list(errs)
    return merged


def require_rights(service: RecordService, actor: Actor, form_id: str, operation: str) -> None:
    """The batch needs the write's own right and the import right, checked before anything is read."""
    guard = service.guard(actor, form_id)
    guard.require(operation)
    guard.require(BULK_RIGHT)
