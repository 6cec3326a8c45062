"""Actions that reach people and systems: in-app notices, emails (queued as mail jobs) and outgoing webhooks
(queued as `webhook.call` jobs). Each queues its effects in one fenced transaction with its step marker."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from engine.automation import steps
from engine.automation.facts import display_record
from engine.automation.people import pool_users, user_emails, user_language
from engine.definitions.model import ActionDef
from engine.i18n import text as text_in
from engine.locale_format import moment
from engine.storage.database import read_transaction
from engine.templating import render

if TYPE_CHECKING:
    from engine.automation.run import Run

MAX_RECIPIENTS = 5000


def base_url(run: Run) -> str:
    return str(run.ws.settings.values.get("base_url") or "http://127.0.0.1:8000").rstrip("/")


def record_link(run: Run, form_id: str | None, record_id: Any) -> str:
    form = run.ws.definitions.forms.get(form_id or "")
    if form is None or record_id is None:
        return base_url(run) + "/"
    return f"{base_url(run)}/apps/{form.app}/{form.id}/{record_id}"


def context(run: Run, conn: sa.Connection, lang: str, form_id: str | None = None,
            record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What templates read: `record` (display texts), `values` (raw), `old`, `steps`, `body`, `link`, `form`,
    `record_links` (link id → the address of the record's per-record link, made now)."""
    from engine.record_links.visits import urls  # the record links read display texts through this package

    facts = run.facts
    form = run.ws.definitions.forms.get(form_id) if form_id else facts.form
    record = record if record is not None else facts.record
    shown = display_record(conn, run.ws.records.runtimes, form, record, lang, run.ws.tz) if form and record else {}
    trigger_shown = shown
    if record is not facts.record and facts.form is not None and facts.record is not None:
        trigger_shown = display_record(conn, run.ws.records.runtimes, facts.form, facts.record, lang, run.ws.tz)
    return {
        "record": shown, "trigger_record": trigger_shown, "values": _jsonable(record or {}),
        "trigger_values": _jsonable(facts.record or {}), "old": _jsonable(facts.old or {}),
        "steps": _jsonable(facts.steps), "body": facts.body, "trigger": facts.trigger,
        "link": record_link(run, form.id if form else None, (record or {}).get("id")),
        "record_links": urls(run.ws, form, int(record["id"]), base_url(run), conn)
        if form and record and record.get("id") else {},
        "form": text_in(form.label, lang) if form else "", "automation": text_in(run.automation.label, lang),
        "now": moment(facts.now.astimezone(run.ws.tz), lang), "lang": lang,
    }


def _text(value: Any, lang: str) -> str:
    return text_in(value, lang) if isinstance(value, Mapping) else str(value or "")


def notify(run: Run, action: ActionDef, position: int) -> tuple[Any, str]:
    """In-app notices to the people in `to`, each in their language."""
    from engine.notifications import notify as insert_notices

    facts = run.facts
    default = str(run.ws.settings.language or "zh")
    with run.job.transaction() as conn:
        recipients = pool_users(conn, action.get("to") or {}, facts.record)[:MAX_RECIPIENTS]
        contexts: dict[str, dict[str, Any]] = {}
        count = 0
        for user_id in recipients:
            lang = user_language(conn, user_id, default)
            ctx = contexts.setdefault(lang, context(run, conn, lang))
            title = render(_text(action.get("title"), lang), ctx)[:200]
            body = render(_text(action.get("body"), lang), ctx) if action.get("body") else None
            count += insert_notices(conn, [user_id], title=title, body=body, form=facts.form.id if facts.form else None,
                                    record_id=(facts.record or {}).get("id"), source=run.key, now=run.ws.now())
        steps.mark(conn, run.key, position, {"notified": recipients}, run.ws.now())
    return {"notified": recipients}, f"notified {count} user(s)"


def _addresses(run: Run, conn: sa.Connection, action: ActionDef) -> list[tuple[str, str | None, Mapping[str, Any] | None]]:
    """(address, form, record) for each recipient; the record is the one the message is about."""
    facts, to = run.facts, action.get("to") or {}
    found: list[tuple[str, str | None, Mapping[str, Any] | None]] = []
    form_id = facts.form.id if facts.form else None
    people = {k: v for k, v in to.items() if k in ("users", "role", "department", "field", "department_head")}
    if people:
        found.extend((a, form_id, facts.record) for a in user_emails(conn, pool_users(conn, people, facts.record)))
    if to.get("address_field") and facts.record is not None:
        address = facts.record.get(str(to["address_field"]))
        if address:
            found.append((str(address), form_id, facts.record))
    for address in to.get("addresses") or []:
        found.append((str(address), form_id, facts.record))
    records = to.get("records")
    if records:
        from engine.automation.actions import matching_ids, record_output

        form = run.ws.definitions.form(str(records["form"]))
        ids = matching_ids(run, form, str(records.get("where") or "TRUE"), int(action.get("limit") or MAX_RECIPIENTS))
        for record_id in ids:
            other = record_output(run, form.id, record_id)
            if other.get(str(records["address_field"])):
                found.append((str(other[str(records["address_field"])]), form.id, other))
    seen: set[str] = set()
    unique: list[tuple[str, str | None, Mapping[str, Any] | None]] = []
    for address, f, rec in found:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append((address, f, rec))
    return unique[:MAX_RECIPIENTS]


def email(run: Run, action: ActionDef, position: int) -> tuple[Any, str]:
    """Emails from a stored template or inline subject/body, one message per recipient, queued as mail jobs."""
    from engine.mail.outgoing import queue_email, render_stored_template

    lang = str(run.ws.settings.language or "zh")
    with read_transaction(run.ws.engine) as conn:
        recipients = _addresses(run, conn, action)
    queued: list[int] = []
    facts = run.facts
    counter = {"form": facts.form.id, "id": int(facts.record["id"]), "fields": dict(action.get("count"))} \
        if action.get("count") and facts.form is not None and facts.record is not None else None
    with run.job.transaction() as conn:
        for n, (address, form_id, record) in enumerate(recipients):
            ctx = context(run, conn, lang, form_id, record)
            if action.get("template"):
                subject, html = render_stored_template(conn, str(action.get("template")), ctx)
            else:
                subject = render(_text(action.get("subject"), lang), ctx)
                html = render(_text(action.get("body"), lang), ctx, html=True)
            batch = render(str(action.get("batch")), ctx) if action.get("batch") else None
            queued.extend(queue_email(
                conn, key=f"{run.key}:{position}:{n}", to=[address], subject=subject.strip()[:250], html=html,
                now=run.ws.now(), source=run.key, form=form_id, record_id=(record or {}).get("id"), batch=batch,
                track=bool(action.get("track", True)), parent=run.key,
                max_attempts=int(action.get("retries", 4)) + 1, counter=counter))
        steps.mark(conn, run.key, position, {"messages": queued}, run.ws.now())
    return {"messages": queued}, f"queued {len(queued)} email(s)"


def webhook(run: Run, action: ActionDef, position: int) -> tuple[Any, str]:
    """Queue a signed POST of the record (and what earlier steps did) to `url`."""
    facts = run.facts
    body = {
        "automation": run.automation.id, "run": run.key, "trigger": facts.trigger,
        "form": facts.form.id if facts.form else None, "record": _jsonable(facts.record) if facts.record else None,
        "old": _jsonable(facts.old) if facts.old else None, "steps": _jsonable(facts.steps),
        "at": run.ws.now().isoformat(),
    }
    key = f"{run.key}:{position}:webhook"
    with run.job.transaction() as conn:
        run.job.enqueue(conn, key, "webhook.call", {
            "url": str(action.get("url")), "body": body, "secret": action.get("secret"),
            "timeout": float(action.get("timeout") or 10), "headers": dict(action.get("headers") or {}),
        }, max_attempts=int(action.get("retries", 4)) + 1, label=f"POST {action.get('url')}"[:200])
        steps.mark(conn, run.key, position, {"job": key}, run.ws.now())
    return {"job": key}, f"queued POST to {action.get('url')}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.loads(json.dumps(value, default=str))
