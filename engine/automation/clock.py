"""Time-driven automations, given a stretch of time (previous tick, now]: cron schedules in the workspace zone,
and date triggers — N days before/after a date field at a time of day, its yearly anniversary, or N hours
around a date-time field. Each firing is a keyed job, so ticking the same stretch twice fires nothing twice."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from croniter import croniter

from engine.automation.switches import is_enabled, switched
from engine.automation.triggers import KIND, job_key
from engine.definitions.model import AutomationDef
from engine.jobs import queue

if TYPE_CHECKING:
    from engine.workspace import Workspace

MAX_FIRINGS = 1000  # per automation and tick: a schedule every minute after a day's outage fires the last 1000
MAX_RECORDS = 5000  # records per date trigger and tick


def ticker(ws: Workspace) -> Any:
    def tick(conn: sa.Connection, previous: datetime, now: datetime) -> None:
        switches = switched(conn) if ws.definitions.automations else {}
        for automation in ws.definitions.automations.values():
            if not is_enabled(automation, switches):
                continue
            if automation.trigger.on == "schedule":
                _schedule(conn, ws.tz, automation, previous, now)
            elif automation.trigger.on == "date" and automation.form in ws.records.runtimes:
                _dates(conn, ws, automation, previous, now)
    return tick


def schedule_slots(cron: str, tz: tzinfo, previous: datetime, now: datetime) -> list[datetime]:
    """The times in (previous, now] a cron expression names, read in the zone `tz`."""
    it = croniter(cron, previous.astimezone(tz))
    slots: list[datetime] = []
    while True:
        slot = it.get_next(datetime)
        if slot > now:
            break
        slots.append(slot)
    return slots[-MAX_FIRINGS:]


def _schedule(conn: sa.Connection, tz: tzinfo, automation: AutomationDef, previous: datetime, now: datetime) -> None:
    for slot in schedule_slots(str(automation.trigger.get("cron")), tz, previous, now):
        at = slot.isoformat()
        queue.enqueue(conn, job_key(automation.id, "at", at), KIND, {
            "automation": automation.id, "trigger": "schedule", "form": automation.form, "record_id": None,
            "slot": at, "depth": 0}, now=now, label=f"{automation.id} · {slot.strftime('%Y-%m-%d %H:%M')}")


def _offsets(automation: AutomationDef) -> list[int]:
    days = automation.trigger.get("days")
    return [int(d) for d in days] if isinstance(days, list) else [int(days or 0)]


def _at(automation: AutomationDef) -> time:
    hours, minutes = str(automation.trigger.get("at") or "09:00").split(":")
    return time(int(hours), int(minutes))


def _fire(conn: sa.Connection, automation: AutomationDef, record_id: int, moment: datetime, now: datetime,
          offset: int) -> None:
    at = moment.isoformat()
    queue.enqueue(conn, job_key(automation.id, "date", record_id, at), KIND, {
        "automation": automation.id, "trigger": "date", "form": automation.form, "record_id": record_id,
        "fire_at": at, "offset": offset, "depth": 0}, now=now, label=f"{automation.id} · #{record_id} · {moment.strftime('%Y-%m-%d %H:%M')}")


def _dates(conn: sa.Connection, ws: Workspace, automation: AutomationDef, previous: datetime, now: datetime) -> None:
    rt = ws.records.runtime(str(automation.form))
    field_id = str(automation.trigger.get("field"))
    column = rt.main.c[field_id]
    live = rt.main.c.deleted_at.is_(None)
    f = rt.form.field(field_id)
    is_date = f is not None and f.type == "date"
    if not is_date:  # a date-time: fire exactly N hours (or days) after it
        hours = automation.trigger.get("hours")
        offsets = [(timedelta(hours=int(hours)), int(hours))] if hours is not None else \
            [(timedelta(days=d), d) for d in _offsets(automation)]
        for offset, number in offsets:
            rows = conn.execute(sa.select(rt.main.c.id, column).where(
                live, column > previous - offset, column <= now - offset).order_by(column).limit(MAX_RECORDS)).all()
            for record_id, value in rows:
                _fire(conn, automation, int(record_id), value + offset, now, number)
        return
    tz, at = ws.tz, _at(automation)
    day = previous.astimezone(tz).date()
    last = now.astimezone(tz).date()
    while day <= last:
        moment = datetime.combine(day, at, tzinfo=tz)
        if previous < moment <= now:
            for days in _offsets(automation):
                target = day - timedelta(days=days)
                if automation.trigger.get("yearly"):
                    condition = _anniversary(column, target)
                else:
                    condition = column == target
                ids = conn.execute(sa.select(rt.main.c.id).where(live, condition).order_by(rt.main.c.id)
                                   .limit(MAX_RECORDS)).scalars()
                for record_id in ids:
                    _fire(conn, automation, int(record_id), moment, now, days)
        day += timedelta(days=1)


def _anniversary(column: Any, target: date) -> Any:
    """Same month and day as `target`; on 28 February of a common year, 29 February birthdays too."""
    same = sa.and_(sa.extract("month", column) == target.month, sa.extract("day", column) == target.day)
    leap_day_in_common_year = target.month == 2 and target.day == 28 and not _is_leap(target.year)
    if leap_day_in_common_year:
        return sa.or_(same, sa.and_(sa.extract("month", column) == 2, sa.extract("day", column) == 29))
    return same


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
