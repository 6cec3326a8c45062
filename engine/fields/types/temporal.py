"""Date and time field types, with relative date filters (today, this week, last N days…)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError, QueryInvalid
from engine.fields.base import EQUALITY_OPS, JSON, ORDER_OPS, RELATIVE_DATE_OPS, SHEET, FilterContext
from engine.fields.registry import register
from engine.fields.types.common import invalid
from engine.fields.types.ordered import OrderedFilters
from engine.fields.types.sqltypes import UTCDateTime
from engine.fields.types.text import _title

DATE_TEXT = {"zh": "日期(如 2024-03-05)", "en": "a date like 2024-03-05"}
DATETIME_TEXT = {"zh": "日期时间(如 2024-03-05 14:30)", "en": "a date and time like 2024-03-05 14:30"}
CN_DATE = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?")
EXCEL_EPOCH = date(1899, 12, 30)


def parse_date_text(text: str) -> date | None:
    """'2024-03-05', '2024/3/5', '2024年3月5日', '2024.3.5' → a date."""
    match = CN_DATE.fullmatch(text.strip()[:10] if "T" in text else text.strip())
    if not match:
        match = CN_DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def period(op: str, operand: Any, today: date) -> tuple[date, date]:
    """[first day, day after the last) of a relative period."""
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    if op in ("last_n_days", "next_n_days"):
        try:
            n = int(operand)
        except (TypeError, ValueError):
            raise QueryInvalid("bad_filter", message=f"'{op}' needs a number of days") from None
        if not 1 <= n <= 36500:
            raise QueryInvalid("bad_filter", message=f"'{op}' needs 1 to 36500 days")
        return (today - timedelta(days=n - 1), today + timedelta(days=1)) if op == "last_n_days" else \
            (today, today + timedelta(days=n))
    table = {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "tomorrow": (today + timedelta(days=1), today + timedelta(days=2)),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "next_week": (monday + timedelta(days=7), monday + timedelta(days=14)),
        "this_month": (month, next_month),
        "last_month": (last_month, month),
        "next_month": (next_month, (next_month + timedelta(days=32)).replace(day=1)),
        "this_year": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "last_year": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
    }
    return table[op]


class DateBase(OrderedFilters):
    """Relative periods on top of ordering filters."""

    operators = (*EQUALITY_OPS, *ORDER_OPS, *RELATIVE_DATE_OPS)

    def bounds(self, f: FieldDef, start: date, end: date, ctx: FilterContext) -> tuple[Any, Any]:
        return start, end

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        if op in RELATIVE_DATE_OPS:
            today = ctx.now.astimezone(ctx.tz).date()
            low, high = self.bounds(f, *period(op, operand, today), ctx)
            col = table.c[f.id]
            return sa.and_(col >= low, col < high)
        return super().filter(f, table, op, operand, ctx)


@register
class Date(DateBase):
    """A calendar date."""

    name = "date"
    label = {"zh": "日期", "en": "Date"}
    value_type = "date"

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.Date()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == "":
            return None
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        if fmt == SHEET and isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 < raw < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(raw))
        if isinstance(raw, str):
            found = parse_date_text(raw)
            if found is not None:
                return found
        raise invalid(f, DATE_TEXT)

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        errors = []
        for key, code in (("min", "too_small"), ("max", "too_large")):
            bound = f.get(key)
            limit = parse_date_text(str(bound)) if bound and bound != "$today" else None
            if limit is not None and (value < limit if key == "min" else value > limit):
                errors.append(FieldError(code, {"label": f.label, key: limit.isoformat()}))
        return errors

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["string", "null"], "format": "date", "title": _title(f)}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else value.isoformat()

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return "" if value is None else value.isoformat()


@register
class DateTime(DateBase):
    """A moment in time, stored in UTC and shown in the workspace time zone."""

    name = "datetime"
    label = {"zh": "日期时间", "en": "Date and time"}
    value_type = "datetime"

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return UTCDateTime()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        """ISO text or a datetime; a value without an offset is taken as UTC (callers convert local input)."""
        if raw is None or raw == "":
            return None
        value = raw
        if isinstance(raw, str):
            try:
                value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace("/", "-"))
            except ValueError:
                found = parse_date_text(raw)
                if found is None:
                    raise invalid(f, DATETIME_TEXT) from None
                value = datetime(found.year, found.month, found.day)
        if isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        if not isinstance(value, datetime):
            raise invalid(f, DATETIME_TEXT)
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def bounds(self, f: FieldDef, start: date, end: date, ctx: FilterContext) -> tuple[Any, Any]:
        return (datetime(start.year, start.month, start.day, tzinfo=ctx.tz).astimezone(timezone.utc),
                datetime(end.year, end.month, end.day, tzinfo=ctx.tz).astimezone(timezone.utc))

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["string", "null"], "format": "date-time", "title": _title(f)}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else value.isoformat()

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return "" if value is None else value.astimezone(tz or timezone.utc).strftime("%Y-%m-%d %H:%M")


@register
class Time(OrderedFilters):
    """A time of day."""

    name = "time"
    label = {"zh": "时间", "en": "Time"}
    value_type = "text"
    operators = (*EQUALITY_OPS, *ORDER_OPS)

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return sa.Time()

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == "":
            return None
        if isinstance(raw, time):
            return raw
        if isinstance(raw, str):
            try:
                return time.fromisoformat(raw.strip())
            except ValueError:
                pass
        raise invalid(f, {"zh": "时间(如 14:30)", "en": "a time like 14:30"})

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["string", "null"], "format": "time", "title": _title(f)}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return None if value is None else value.isoformat(timespec="minutes")

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return "" if value is None else value.strftime("%H:%M")

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        return []
