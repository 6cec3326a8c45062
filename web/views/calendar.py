"""A month calendar of a form's records on a date field: a Monday-first grid with each record on its day, the previous
and next month one link away, under the list's conditions and the reader's scope."""

from __future__ import annotations

import calendar as months
import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine.definitions.kanban import calendar_fields
from engine.definitions.model import FieldDef
from engine.errors import QueryInvalid
from engine.records.model import Filter, Record
from web.i18n import translator
from web.render import page
from web.session import actor_of, current_user
from web.views.board_views import bad_query, open_view
from web.views.liststate import URL_SAFE
from web.zones import user_tz

MAX_RECORDS = 500  # records one month shows; more are left to the list
MONTH_NAMES_EN = tuple(months.month_name)


@dataclass
class Day:
    """One cell of the grid: its date, whether it belongs to the month shown, and the records on it."""

    day: date
    inside: bool
    today: bool
    records: list[tuple[Record, str]] = field(default_factory=list)


def _month(raw: str, today: date) -> date | None:
    """The first day of ?month=YYYY-MM (this month without one); None for a value that is not a month."""
    if not raw:
        return today.replace(day=1)
    year, _, number = raw.partition("-")
    if not (year.isdigit() and number.isdigit() and len(year) == 4 and 1 <= int(number) <= 12 and int(year) >= 1900):
        return None
    return date(int(year), int(number), 1)


def month_view(request: Request) -> Response:
    """GET ?by=<date field>&month=YYYY-MM with the list's f and q."""
    opened = open_view(request, calendar_fields, extra=("by", "month"))
    if isinstance(opened, Response):
        return opened
    ws, form, by, lang, state = opened.ws, opened.form, opened.by, opened.lang, opened.state
    t = translator(lang)
    tz = user_tz(request)
    today = ws.now().astimezone(tz).date()
    first = _month(request.query_params.get("month", ""), today)
    if first is None:
        return bad_query(request, t("calendar_bad_month"))
    start = first - timedelta(days=first.weekday())
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    end = last + timedelta(days=6 - last.weekday())
    query = state.query(MAX_RECORDS, tz)
    query = dataclasses.replace(query, filters=(*query.filters, Filter(by.id, "ge", start), Filter(by.id, "le", end)),
                                sort=((by.id, False),), after=None, with_total=True)
    actor = actor_of(current_user(request) or {}, lang)
    try:
        result = ws.records.list(actor, form.id, query)
    except QueryInvalid as exc:
        return bad_query(request, exc.error.message(lang))
    days = [Day(start + timedelta(days=i), (start + timedelta(days=i)).month == first.month,
                start + timedelta(days=i) == today) for i in range((end - start).days + 1)]
    title_field = form.field(form.title_field())
    for record in result.records:
        on = record.get(by.id)
        if isinstance(on, date) and start <= on <= end:
            title = str(record.get(title_field.id) or "") if title_field is not None else ""
            days[(on - start).days].records.append((record, title or f"#{record.id}"))
    base = opened.base
    keep = [(k, v) for k, v in state.params(view=False) if k not in ("month", "by")]
    return page(request, "calendar.html", opened.context(
        request, "calendar", weeks=[days[i:i + 7] for i in range(0, len(days), 7)],
        month_label=f"{first.year}年{first.month}月" if lang == "zh" else f"{MONTH_NAMES_EN[first.month]} {first.year}",
        weekdays=t("calendar_weekdays").split(","), calendar_fields=calendar_fields(form),
        previous=_link(base, by, (first - timedelta(days=1)).replace(day=1), keep),
        next=_link(base, by, last + timedelta(days=1), keep), this_month=_link(base, by, today.replace(day=1), keep),
        more=(result.total or 0) - len(result.records), shown=len(result.records),
        unfiltered=f"{base}/calendar?by={by.id}&month={first:%Y-%m}"))


def _link(base: str, by: FieldDef, month: date, keep: list[tuple[str, str]]) -> str:
    return f"{base}/calendar?" + urlencode([("by", by.id), ("month", f"{month:%Y-%m}"), *keep], safe=URL_SAFE)
