"""Date and time field types, with relative date filters (today, this week, last N days…)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine import locale_format as shown
from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import (EQUALITY_OPS, JSON, ORDER_OPS, RELATIVE_DATE_OPS, SHEET, FilterContext, NameFinder, Parser,
                                Validator)
from engine.fields.conversion import LOCAL_DATE, LOCAL_MIDNIGHT
from engine.fields.registry import register
from engine.fields.screen import PostedForm, local_moment
from engine.fields.types.common import bad_filter, blank, error, invalid, schema
from engine.fields.types.ordered import OrderedFilters
from engine.fields.types.sqltypes import UTCDateTime

DATE_TEXT = {"zh": "日期(如 2024-03-05)", "en": "a date like 2024-03-05"}
DATETIME_TEXT = {"zh": "日期时间(如 2024-03-05T14:30:00+08:00)", "en": "a date and time like 2024-03-05T14:30+08:00"}
TIME_TEXT = {"zh": "时间(如 14:30)", "en": "a time like 14:30"}
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}\S*)?")
LOOSE_DATE = re.compile(r"(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?"
                        r"(?:[T\s]*(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?)?")
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_LAST = 2958466  # 9999-12-31 as an Excel serial number
DATE_BOUND = {"anyOf": [{"type": "string", "format": "date"}, {"const": "$today"}]}


def _date_text(text: str, fmt: str) -> date | None:
    """'2024-03-05' (any format); '2024/3/5', '2024年3月5日', '2024.3.5' in forms and sheets."""
    match = (ISO_DATE if fmt == JSON else LOOSE_DATE).fullmatch(text.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _excel(raw: Any) -> datetime | None:
    """The moment an Excel serial number stands for, or None if `raw` is not one."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw < EXCEL_LAST:
        return None
    return EXCEL_EPOCH + timedelta(seconds=round(raw * 86400))


def _month(day: date, shift: int) -> date:
    """The first day of the month `shift` months from `day`'s month."""
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _days(op: str, operand: Any) -> int:
    try:
        n = int(operand)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= 36500:
        raise ValueError(f"'{op}' needs a number of days from 1 to 36500")
    return n


PERIODS: dict[str, Callable[[date, Any], tuple[date, date]]] = {
    "today": lambda d, _: (d, d + timedelta(days=1)),
    "yesterday": lambda d, _: (d - timedelta(days=1), d),
    "tomorrow": lambda d, _: (d + timedelta(days=1), d + timedelta(days=2)),
    "this_week": lambda d, _: (d - timedelta(days=d.weekday()), d + timedelta(days=7 - d.weekday())),
    "last_week": lambda d, _: (d - timedelta(days=d.weekday() + 7), d - timedelta(days=d.weekday())),
    "next_week": lambda d, _: (d + timedelta(days=7 - d.weekday()), d + timedelta(days=14 - d.weekday())),
    "this_month": lambda d, _: (_month(d, 0), _month(d, 1)),
    "last_month": lambda d, _: (_month(d, -1), _month(d, 0)),
    "next_month": lambda d, _: (_month(d, 1), _month(d, 2)),
    "this_year": lambda d, _: (date(d.year, 1, 1), date(d.year + 1, 1, 1)),
    "last_year": lambda d, _: (date(d.year - 1, 1, 1), date(d.year, 1, 1)),
    "last_n_days": lambda d, n: (d - timedelta(days=_days("last_n_days", n) - 1), d + timedelta(days=1)),
    "next_n_days": lambda d, n: (d, d + timedelta(days=_days("next_n_days", n))),
}


def period(op: str, operand: Any, today: date) -> tuple[date, date]:
    """[first day, day after the last day) of a relative period around `today` (weeks run Monday to Sunday)."""
    return PERIODS[op](today, operand)


class DateBase(OrderedFilters):
    """Relative periods (computed from ctx.now in ctx.tz) on top of the ordering filters."""

    operators = (*EQUALITY_OPS, *ORDER_OPS, *RELATIVE_DATE_OPS)

    def bounds(self, start: date, end: date, ctx: FilterContext) -> tuple[Any, Any]:
        """Column values for the start and end of a period of local days."""
        return start, end

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        if op not in RELATIVE_DATE_OPS:
            return super().filter(f, table, op, operand, ctx)
        try:
            start, end = period(op, operand, ctx.now.astimezone(ctx.tz).date())
        except ValueError as exc:
            raise bad_filter(f, str(exc)) from None
        low, high = self.bounds(start, end, ctx)
        col = table.c[f.id]
        return sa.and_(col >= low, col < high)


@register
class Date(DateBase):
    """A calendar date."""

    name = "date"
    label = {"zh": "日期", "en": "Date"}
    value_type = "date"
    takes_from = {"datetime": LOCAL_DATE}
    props_schema = {
        "min": {**DATE_BOUND, "description": "Earliest date allowed (ISO date or $today)."},
        "max": {**DATE_BOUND, "description": "Latest date allowed (ISO date or $today)."},
    }

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.Date()

    def parser(self, f: FieldDef) -> Parser:
        if type(self).parse is not Date.parse:
            return super().parser(f)
        slow = self.parse

        def parse(raw: Any, fmt: str = JSON) -> Any:
            # 'YYYY-MM-DD', the usual input: when fromisoformat takes it, so would the long way, with this date
            if type(raw) is str and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
                try:
                    return date.fromisoformat(raw)
                except ValueError:
                    pass
            return slow(f, raw, fmt)
        return parse

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if blank(raw):
            return None
        if isinstance(raw, datetime):  # openpyxl reads date cells as datetimes
            return raw.date()
        if isinstance(raw, date):
            return raw
        found = _excel(raw) if fmt == SHEET else None
        if found is not None:
            return found.date()
        value = _date_text(raw, fmt) if isinstance(raw, str) else None
        if value is None:
            raise invalid(f, DATE_TEXT)
        return value

    def validator(self, f: FieldDef) -> Validator | None:
        if type(self).validate is Date.validate and not f.get("min") and not f.get("max"):
            return None
        return super().validator(f)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        """Checks ISO `min`/`max`; `$today` bounds need the clock, so the record service checks those."""
        errors = []
        low, high = (_date_text(str(f.get(k) or ""), JSON) for k in ("min", "max"))
        if low is not None and value < low:
            errors.append(error(f, "too_small", min=low.isoformat()))
        if high is not None and value > high:
            errors.append(error(f, "too_large", max=high.isoformat()))
        return errors

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return schema(f, "string", format="date")

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else value.isoformat()

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return "" if value is None else shown.day(value, lang)


@register
class DateTime(DateBase):
    """A moment in time, kept in UTC and shown in the viewer's time zone."""

    name = "datetime"
    label = {"zh": "日期时间", "en": "Date and time"}
    value_type = "datetime"
    takes_from = {"date": LOCAL_MIDNIGHT}

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """<input type=datetime-local> posts the poster's local time: the engine wants an offset."""
        return local_moment(posted.text(name), posted.tz)

    def input_value(self, f: FieldDef, value: Any, tz: tzinfo) -> Any:
        """The moment in the viewer's zone, as datetime-local inputs hold it (re-posted text as it came)."""
        if value is None or value == "":
            return ""
        moment = value if isinstance(value, datetime) else _moment(str(value))
        if moment is None:
            return str(value)
        return (moment.astimezone(tz) if moment.tzinfo else moment).strftime("%Y-%m-%dT%H:%M")

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return UTCDateTime()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        """ISO text or a datetime, as an aware UTC datetime; input without an offset is taken as UTC.

        Callers holding local input (forms, sheets) attach the user's zone before calling parse.
        """
        if blank(raw):
            return None
        value = self._moment(raw, fmt)
        if value is None:
            raise invalid(f, DATETIME_TEXT)
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def import_cell(self, f: FieldDef, cell: Any, find: NameFinder, tz: tzinfo | None = None) -> Any:
        """A sheet's times are local: a moment without an offset gets the importer's zone (`tz`)."""
        if cell is None or cell == "" or tz is None:
            return cell
        moment = self._moment(cell, SHEET)
        return cell if moment is None else moment.replace(tzinfo=tz) if moment.tzinfo is None else moment

    def _moment(self, raw: Any, fmt: str) -> datetime | None:
        if isinstance(raw, datetime):
            return raw
        if isinstance(raw, date):
            return datetime(raw.year, raw.month, raw.day)
        if isinstance(raw, str):
            return self._from_text(raw, fmt)
        return _excel(raw) if fmt == SHEET else None

    def _from_text(self, text: str, fmt: str) -> datetime | None:
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            pass
        match = LOOSE_DATE.fullmatch(text.strip()) if fmt != JSON else None
        if match is None:
            return None
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
        try:
            return datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None

    def bounds(self, start: date, end: date, ctx: FilterContext) -> tuple[Any, Any]:
        """Local midnights in ctx.tz, as UTC datetimes."""
        low, high = (datetime(d.year, d.month, d.day, tzinfo=ctx.tz).astimezone(timezone.utc) for d in (start, end))
        return low, high

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return schema(f, "string", format="date-time", description="UTC, ISO 8601 (e.g. 2024-03-05T06:30:00Z).")

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return "" if value is None else shown.moment(value.astimezone(tz or timezone.utc), lang)


@register
class Time(OrderedFilters):
    """A time of day, without a date or zone."""

    name = "time"
    label = {"zh": "时间", "en": "Time"}

    def sortable(self, f: FieldDef) -> bool:
        return True

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.Time()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if blank(raw):
            return None
        value = self._time(raw, fmt)
        if value is None:
            raise invalid(f, TIME_TEXT)
        return value.replace(tzinfo=None, microsecond=0)

    def _time(self, raw: Any, fmt: str) -> time | None:
        if isinstance(raw, datetime):
            return raw.time()
        if isinstance(raw, time):
            return raw
        if isinstance(raw, str):
            return self._from_text(raw)
        return self._from_fraction(raw) if fmt == SHEET else None

    def _from_text(self, text: str) -> time | None:
        try:
            return time.fromisoformat(text.strip().replace("：", ":"))
        except ValueError:
            return None

    def _from_fraction(self, raw: Any) -> time | None:
        """A spreadsheet time: the fraction of a day."""
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw < 1:
            return None
        seconds = min(round(raw * 86400), 86399)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return schema(f, "string", pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", description="HH:MM or HH:MM:SS")

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else value.isoformat(timespec="seconds" if value.second else "minutes")

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return "" if value is None else shown.clock(value, lang)


def _moment(raw: str) -> datetime | None:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None
