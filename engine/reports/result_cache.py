"""Datasets kept until the data behind them changes: a dashboard on a wall, or a manager opening it again, reads
the eight charts from memory instead of aggregating a million records eight times.

A dataset is kept under the report as run (its filters, with a dashboard's choices and linkage already in), the
viewer (their scope, roles, zone and `$me`), the day (relative ranges such as this_month move at midnight) and
the record service (a publish in this process builds a new one); it is used only while the data mark (every
record write, every change to the organisation: engine.storage.marks) is the one it was computed under. A result
is kept only when the mark was the same before and after computing it, so a write landing meanwhile is never
hidden. Every caller gets its own copy. A report whose numbers move with the time of day (time in a stage counted
up to now) is computed each time.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from engine.records.model import Actor
from engine.records.service import RecordService
from engine.reports.dataset import Dataset
from engine.reports.model import ReportDef
from engine.storage.database import read_transaction
from engine.storage.marks import data_mark

KEPT = 256  # datasets kept at most, least recently used first out
MAX_ROWS = 1000  # a larger dataset (a long detail table) is computed each time rather than held in memory

_lock = threading.Lock()
_kept: OrderedDict[tuple[Any, ...], tuple[RecordService, object, Dataset]] = OrderedDict()


def cached(records: RecordService, actor: Actor, report: ReportDef,
           compute: Callable[[RecordService, Actor, ReportDef], Dataset]) -> Dataset:
    """`compute(records, actor, report)`, or a copy of the dataset it gave under the same data mark."""
    if _reads_the_clock(report):
        return compute(records, actor, report)
    key = (id(records), actor, repr(report), _days(records, actor))
    before = _mark(records)
    if before is not None:
        with _lock:
            found = _kept.get(key)
            if found is not None and found[0] is records and found[1] == before:
                _kept.move_to_end(key)
                return copy.deepcopy(found[2])
    dataset = compute(records, actor, report)
    if before is not None and len(dataset.rows) <= MAX_ROWS and _mark(records) == before:
        with _lock:
            _kept[key] = (records, before, copy.deepcopy(dataset))
            _kept.move_to_end(key)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return dataset


def _reads_the_clock(report: ReportDef) -> bool:
    """Whether the numbers move with the time of day (a stay in a stage still going on counts up to now)."""
    return any(m.aggregate == "stage_time" and m.current for m in report.measures)


def _mark(records: RecordService) -> object:
    # read where the dataset is computed: a replica's mark and its data are always of one moment, however far
    # behind the primary it is
    with read_transaction(records.report_engine) as conn:
        return data_mark(conn)


def _days(records: RecordService, actor: Actor) -> tuple[date, date]:
    """Today in the workspace's zone and in the viewer's."""
    now = records.clock()
    zone = ZoneInfo(actor.timezone) if actor.timezone else records.tz
    return now.astimezone(records.tz).date(), now.astimezone(zone).date()


def clear() -> None:
    """Forget every kept dataset."""
    with _lock:
        _kept.clear()
