"""Date ranges of a dashboard's date filter: relative names (computed in the workspace time zone) or from/to days,
as filters on one date or date-time field (local midnights in that zone for a date-time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from engine.fields.types.temporal import PERIODS
from engine.i18n import I18n
from engine.records.model import Filter

RANGE_SEP = ".."


def _quarter(d: date) -> tuple[date, date]:
    first = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    index = first.year * 12 + first.month - 1 + 3
    return first, date(index // 12, index % 12 + 1, 1)


def _last_12_months(d: date) -> tuple[date, date]:
    index = d.year * 12 + d.month - 1 - 11
    return date(index // 12, index % 12 + 1, 1), PERIODS["this_month"](d, None)[1]


RELATIVE: dict[str, tuple[I18n, object]] = {  # name → (label, [start, end) of the range around a day)
    "today": ({"zh": "今天", "en": "Today"}, lambda d: PERIODS["today"](d, None)),
    "this_week": ({"zh": "本周", "en": "This week"}, lambda d: PERIODS["this_week"](d, None)),
    "this_month": ({"zh": "本月", "en": "This month"}, lambda d: PERIODS["this_month"](d, None)),
    "last_month": ({"zh": "上月", "en": "Last month"}, lambda d: PERIODS["last_month"](d, None)),
    "this_quarter": ({"zh": "本季度", "en": "This quarter"}, _quarter),
    "this_year": ({"zh": "今年", "en": "This year"}, lambda d: PERIODS["this_year"](d, None)),
    "last_12_months": ({"zh": "最近 12 个月", "en": "Last 12 months"}, _last_12_months),
}


@dataclass(frozen=True)
class DateRange:
    """A chosen range: a relative name, or from/to days (either may be open); both inclusive."""

    relative: str | None = None
    start: date | None = None
    last: date | None = None

    @classmethod
    def parse(cls, raw: str) -> DateRange:
        """`this_month`, or `2024-01-01..2024-03-31` (`..2024-03-31`, `2024-01-01..`); ValueError when neither."""
        raw = raw.strip()
        if raw in RELATIVE:
            return cls(relative=raw)
        if RANGE_SEP not in raw:
            raise ValueError(raw)
        low, _, high = raw.partition(RANGE_SEP)
        start = date.fromisoformat(low) if low.strip() else None
        last = date.fromisoformat(high) if high.strip() else None
        if start is None and last is None:
            raise ValueError(raw)
        if start is not None and last is not None and last < start:
            raise ValueError(raw)
        return cls(start=start, last=last)

    def text(self) -> str:
        if self.relative:
            return self.relative
        return f"{self.start.isoformat() if self.start else ''}{RANGE_SEP}{self.last.isoformat() if self.last else ''}"

    def days(self, now: datetime, tz: tzinfo) -> tuple[date | None, date | None]:
        """[first day, day after the last) in `tz`; None for an open side."""
        if self.relative:
            span = RELATIVE[self.relative][1]
            start, end = span(now.astimezone(tz).date())  # type: ignore[operator]
            return start, end
        return self.start, self.last + timedelta(days=1) if self.last else None

    def filters(self, field: str, zoned: bool, now: datetime, tz: tzinfo) -> list[Filter]:
        start, end = self.days(now, tz)
        found = []
        for op, day in (("ge", start), ("lt", end)):
            if day is not None:
                value = datetime(day.year, day.month, day.day, tzinfo=tz).isoformat() if zoned else day.isoformat()
                found.append(Filter(field, op, value))
        return found
