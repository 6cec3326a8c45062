"""Date buckets (day, week, month, quarter, year) as SQL, in a time zone, with the same text on SQLite and
PostgreSQL: the first day of the bucket as 'YYYY-MM-DD'. Weeks start on Monday.

PostgreSQL converts moments with its own zone data (`timezone(zone, moment)`). SQLite has none: a moment is
shifted by the zone's UTC offset, picked from the zone's transitions (computed here from the same IANA data),
so a record at 23:30 local time on the last day of a month lands in that month on both."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.i18n import I18n

BUCKETS = ("day", "week", "month", "quarter", "year")
FIRST_YEAR, LAST_YEAR = 1970, 2100  # offsets outside are those at the edges


def bucket_sql(col: ColumnElement[Any], bucket: str, zoned: bool, tz: tzinfo, dialect: str) -> ColumnElement[Any]:
    """The first day of `col`'s bucket as ISO text; `zoned`: `col` is a moment, read in `tz` (else a date)."""
    if dialect == "postgresql":
        moment: ColumnElement[Any] = sa.func.timezone(zone_name(tz), col) if zoned else sa.cast(col, sa.DateTime())
        return sa.func.to_char(sa.func.date_trunc(bucket, moment), "YYYY-MM-DD")
    local: ColumnElement[Any] = sa.func.datetime(col, _sqlite_shift(col, tz)) if zoned else col
    if bucket == "day":
        return sa.func.date(local)
    if bucket == "week":
        return sa.func.date(local, "weekday 0", "-6 days")
    if bucket == "month":
        return sa.func.strftime("%Y-%m-01", local)
    if bucket == "year":
        return sa.func.strftime("%Y-01-01", local)
    month = sa.cast(sa.func.strftime("%m", local), sa.Integer)
    quarter = sa.func.printf("%s-%02d-01", sa.func.strftime("%Y", local), ((month - 1) // 3) * 3 + 1)
    return sa.case((local.is_not(None), quarter), else_=sa.null())


def zone_name(tz: tzinfo) -> str:
    """The IANA name of a zone (PostgreSQL looks zones up by name)."""
    return str(getattr(tz, "key", None) or tz.tzname(None) or "UTC")


def _sqlite_shift(col: ColumnElement[Any], tz: tzinfo) -> ColumnElement[Any]:
    """The SQLite date modifier ('+28800 seconds') taking a UTC moment in `col` to local time in `tz`."""
    first, changes = transitions(tz)
    if not changes:
        return sa.literal(_modifier(first))
    whens = [(col >= sa.literal(at, col.type), _modifier(offset)) for at, offset in reversed(changes)]
    return sa.case(*whens, else_=_modifier(first))


def _modifier(seconds: int) -> str:
    return f"{seconds:+d} seconds"


@lru_cache(maxsize=64)
def transitions(tz: tzinfo) -> tuple[int, tuple[tuple[datetime, int], ...]]:
    """The zone's UTC offset (seconds) in FIRST_YEAR, and each later change as (UTC moment, new offset)."""
    def offset(moment: datetime) -> int:
        found = moment.astimezone(tz).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    start = datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc)
    first = current = offset(start)
    changes: list[tuple[datetime, int]] = []
    moment, step = start, timedelta(days=1)
    end = datetime(LAST_YEAR, 1, 1, tzinfo=timezone.utc)
    while moment < end:
        following = moment + step
        if offset(following) != current:
            low, high = moment, following  # the change is in (low, high]: halve down to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            current = offset(high)
            changes.append((high.replace(microsecond=0), current))
        moment = following
    return first, tuple(changes)


def next_start(start: date, bucket: str) -> date:
    """The first day of the bucket after the one starting on `start`."""
    if bucket == "day":
        return start + timedelta(days=1)
    if bucket == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[bucket]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bucket_label(key: Any, bucket: str) -> I18n:
    """How people read a bucket: 2024-03-05 · 2024-W10 · 2024-03 (2024年3月) · 2024 Q1 · 2024."""
    day = date.fromisoformat(str(key)[:10])
    if bucket == "day":
        return day.isoformat()
    if bucket == "week":
        year, week, _ = day.isocalendar()
        return {"zh": f"{year}年第{week}周", "en": f"{year}-W{week:02d}"}
    if bucket == "month":
        return {"zh": f"{day.year}年{day.month}月", "en": f"{day.year}-{day.month:02d}"}
    if bucket == "quarter":
        quarter = (day.month - 1) // 3 + 1
        return {"zh": f"{day.year}年第{quarter}季度", "en": f"{day.year} Q{quarter}"}
    return {"zh": f"{day.year}年", "en": str(day.year)}
