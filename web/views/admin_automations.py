"""/admin/automations: every automation with its trigger in words, switch, last run and recent failures; one
automation's page with its document in an editor (saving publishes it, or shows every problem and saves nothing)
and its run history; and one run with its steps and the jobs it queued."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.audit import record_audit
from engine.automation.history import get_run, list_runs, run_stats
from engine.automation.webhooks import inbound_token
from engine.automation.switches import is_enabled, set_enabled, switched
from engine.definitions.model import AutomationDef, FormDef, TriggerDef
from engine.definitions.yamlsource import YamlSyntaxError, safe_data
from engine.errors import DefinitionError, FieldValueError, Problem
from engine.fields.registry import field_type
from engine.i18n import text, zh_en
from engine.jobs.listing import DISCARDABLE, RETRYABLE, STATUSES
from engine.workspace import Workspace
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.views.admin_access import address_of, admin_id, admin_only
from web.views.admin_jobs import page_number, run_url, safe_next
from web.views.notifications import record_link

RECENT = timedelta(days=7)
RUNS_PAGE = 20
MAX_DOCUMENT = 200_000
NOTICES = ("enabled", "disabled", "saved", "unchanged", "retried", "discarded", "job_unchanged")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
T = Callable[[str], str]


# --- the trigger in words --------------------------------------------------------------------------------------

def _field_label(form: FormDef | None, field_id: str, t: T, lang: str) -> str:
    if field_id in ("created_at", "updated_at"):
        return t(f"auto_field_{field_id}")
    f = form.field(field_id) if form is not None else None
    return text(f.label, lang) if f is not None else field_id


def _join(items: list[str], t: T) -> str:
    return t("auto_list_sep").join(items)


def _weekdays(spec: str, t: T) -> str | None:
    """A cron weekday field in words: mon…sun, lists and ranges (1-5 is the working week)."""
    if spec in ("1-5", "mon-fri"):
        return t("auto_weekday_workdays")
    names: list[str] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        first, last = _day_number(low), _day_number(high or low)
        if first is None or last is None or first > last:
            return None
        names.extend(t(f"auto_weekday_{WEEKDAYS[d % 7]}") for d in range(first, last + 1))
    return _join(names, t)


def _day_number(raw: str) -> int | None:
    raw = raw.strip().lower()[:3]
    return int(raw) if raw.isdigit() and int(raw) <= 7 else (WEEKDAYS.index(raw) if raw in WEEKDAYS else None)


def cron_words(cron: str, t: T) -> str:
    """Common cron schedules in words ('每周一 09:00'); anything else shown as the expression itself."""
    parts = cron.split()
    if len(parts) != 5:
        return t("auto_cron_other").format(cron=cron)
    minute, hour, day, month, weekday = parts
    if minute.startswith("*/") and minute[2:].isdigit() and parts[1:] == ["*"] * 4:
        return t("auto_cron_minutes").format(n=minute[2:])
    if minute.isdigit() and parts[1:] == ["*"] * 4:
        return t("auto_cron_hourly").format(minute=int(minute))
    if not (minute.isdigit() and hour.isdigit()):
        return t("auto_cron_other").format(cron=cron)
    at = f"{int(hour):02d}:{int(minute):02d}"
    if (day, month, weekday) == ("*", "*", "*"):
        return t("auto_cron_daily").format(time=at)
    if (day, month) == ("*", "*") and _weekdays(weekday, t):
        return t("auto_cron_weekly").format(days=_weekdays(weekday, t), time=at)
    if day.isdigit() and (month, weekday) == ("*", "*"):
        return t("auto_cron_monthly").format(day=int(day), time=at)
    if day.isdigit() and month.isdigit() and weekday == "*":
        return t("auto_cron_yearly").format(month=int(month), day=int(day), time=at)
    return t("auto_cron_other").format(cron=cron)


def _offsets(trigger: TriggerDef) -> list[int]:
    days = trigger.get("days")
    return [int(d) for d in days] if isinstance(days, list) else [int(days or 0)]


def _date_words(trigger: TriggerDef, form: FormDef | None, t: T, lang: str) -> str:
    field_id = str(trigger.get("field") or "")
    name = _field_label(form, field_id, t, lang)
    f = form.field(field_id) if form is not None else None
    is_date = f is not None and field_type(f.type).value_type == "date"
    if not is_date and trigger.get("hours") is not None:
        hours = int(trigger.get("hours"))
        return t("auto_date_hours_" + ("before" if hours < 0 else "after")).format(field=name, n=abs(hours))
    offsets = _offsets(trigger)
    groups = {"before": [-d for d in offsets if d < 0], "after": [d for d in offsets if d > 0]}
    words = [t("auto_date_on").format(field=name)] if 0 in offsets else []
    words += [t(f"auto_date_{side}").format(field=name, n=_join([str(n) for n in ns], t))
              for side, ns in groups.items() if ns]
    said = _join(words, t)
    if trigger.get("yearly"):
        said = t("auto_date_yearly").format(when=said)
    return t("auto_date_at").format(when=said, time=trigger.get("at") or "09:00") if is_date else said


def _updated_words(trigger: TriggerDef, form: FormDef | None, t: T, lang: str) -> str:
    said = t("auto_trigger_updated")
    if trigger.get("fields"):
        names = [_field_label(form, str(f), t, lang) for f in trigger.get("fields")]
        said += t("auto_trigger_fields").format(fields=_join(names, t))
    for field_id, value in (trigger.get("to") or {}).items():
        said += t("auto_trigger_to").format(field=_field_label(form, str(field_id), t, lang),
                                            value=_value_words(form, str(field_id), value, lang))
    return said


def _value_words(form: FormDef | None, field_id: str, value: Any, lang: str) -> str:
    """A trigger's value as the field shows it: an option by its label in `lang` ("进行中"), never its code."""
    f = form.field(field_id) if form is not None else None
    if f is None or value is None:
        return str(value)
    ftype = field_type(f.type)
    try:
        return ftype.format(f, ftype.parse(f, value), lang) or str(value)
    except (FieldValueError, TypeError, ValueError):  # a value the field would refuse: as written
        return str(value)


TRIGGER_WORDS: dict[str, Callable[[TriggerDef, FormDef | None, T, str], str]] = {
    "created": lambda tr, form, t, lang: t("auto_trigger_created"),
    "updated": _updated_words,
    "deleted": lambda tr, form, t, lang: t("auto_trigger_deleted"),
    "schedule": lambda tr, form, t, lang: cron_words(str(tr.get("cron") or ""), t),
    "date": _date_words,
    "webhook": lambda tr, form, t, lang: t("auto_trigger_webhook"),
    "workflow": lambda tr, form, t, lang: t("auto_trigger_workflow").format(
        event=t(f"auto_workflow_{tr.get('event')}")),
}


def describe_trigger(automation: AutomationDef, definitions: Any, lang: str) -> str:
    """When the automation runs, in words: '新建记录时', '每周一 09:00', '每年生日当天 09:00'."""
    t, trigger = translator(lang), automation.trigger
    form = definitions.forms.get(automation.form) if automation.form else None
    words = TRIGGER_WORDS.get(trigger.on)
    return words(trigger, form, t, lang) if words else trigger.on


# --- pages -----------------------------------------------------------------------------------------------------

def _automation_or_404(request: Request) -> AutomationDef:
    found = workspace(request).definitions.automations.get(request.path_params["id"])
    if found is None:
        raise HTTPException(404)
    return found


def _form_label(definitions: Any, form_id: str | None, lang: str) -> str:
    form = definitions.forms.get(form_id) if form_id else None
    return text(form.label, lang) if form is not None else (form_id or "")


def _notice(request: Request) -> str | None:
    notice = request.query_params.get("done")
    return notice if notice in NOTICES else None


@admin_only
def automations_page(request: Request) -> Response:
    """GET every automation: trigger in words, form, switch, last run, runs and failures in the last 7 days."""
    ws, lang = workspace(request), choose_language(request)
    defs = ws.definitions
    with ws.reading() as conn:
        switches, stats = switched(conn), run_stats(conn, ws.now() - RECENT)
    rows = [{"automation": a, "label": text(a.label, lang), "trigger": describe_trigger(a, defs, lang),
             "form": _form_label(defs, a.form, lang), "enabled": is_enabled(a, switches),
             "stats": stats.get(a.id)} for a in defs.automations.values()]
    rows.sort(key=lambda r: (r["form"], r["label"]))
    return page(request, "admin_automations.html", {"section": "automations", "rows": rows,
                                                    "notice": _notice(request)})


@form_view
@admin_only
def switch(request: Request, form: FormData) -> Response:
    """POST enabled=1|0: switch the automation on or off (audited when it changes)."""
    ws, automation = workspace(request), _automation_or_404(request)
    enabled = form.get("enabled") == "1"
    with ws.writing() as conn:
        before = is_enabled(automation, switched(conn))
        set_enabled(conn, automation.id, enabled, admin_id(request), ws.now())
        if before != enabled:
            record_audit(conn, ws.now(), "automation_enabled" if enabled else "automation_disabled",
                         actor_id=admin_id(request), target=automation.id, address=address_of(request),
                         detail={"label": text(automation.label, "zh")})
    back = safe_next(form.get("next"), "/admin/automations")
    separator = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{separator}done={'enabled' if enabled else 'disabled'}", status_code=303)


def _digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _detail(request: Request, automation: AutomationDef, document: str, *, status: int = 200,
            problems: list[Problem] | None = None, conflict: bool = False) -> Response:
    """The automation's page: summary, switch, editor (with `document` and any problems) and run history."""
    ws, lang = workspace(request), choose_language(request)
    number = page_number(request.query_params.get("page"))
    with ws.reading() as conn:
        enabled = is_enabled(automation, switched(conn))
        runs = list_runs(conn, automation.id, page=number, per_page=RUNS_PAGE)
    stored = ws.sources().get(automation.source.file, "")
    here = f"/admin/automations/{quote(automation.id, safe='')}"
    context = {
        "section": "automations", "a": automation, "label_text": text(automation.label, lang),
        "trigger": describe_trigger(automation, ws.definitions, lang),
        "form_label": _form_label(ws.definitions, automation.form, lang), "enabled": enabled,
        "document": document, "base": _digest(stored), "path": automation.source.file, "problems": problems or [],
        "conflict": conflict, "notice": _notice(request), "runs": _shown_runs(ws, automation, runs.runs), "page": runs,
        "here": here + (f"?page={number}" if number > 1 else ""),
        "newer": f"{here}?page={number - 1}" if number > 1 else None,
        "older": f"{here}?page={number + 1}" if runs.more else None, **_job_context(),
        "hook_url": _hook_url(request, automation),
    }
    return page(request, "admin_automation.html", context, status=status)


def _hook_url(request: Request, automation: AutomationDef) -> str | None:
    """The secret address an inbound-webhook automation listens on (as this site is reached now)."""
    secret = str(workspace(request).settings.secret or "")
    if automation.trigger.on != "webhook" or not secret:
        return None
    return f"{str(request.base_url).rstrip('/')}/hooks/{quote(automation.id, safe='')}/{inbound_token(secret, automation.id)}"


def _job_context() -> dict[str, Any]:
    return {"retryable": RETRYABLE, "discardable": DISCARDABLE, "statuses": STATUSES}


def _shown_runs(ws: Workspace, automation: AutomationDef, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**run, "url": run_url(automation.id, str(run["key"])),
             "record_url": record_link(ws.definitions, run["form"], run["record_id"])} for run in runs]


@form_view
@admin_only
def automation_page(request: Request, form: FormData) -> Response:
    """GET the automation's page; POST document=YAML publishes it (every problem shown, nothing saved on error)."""
    automation = _automation_or_404(request)
    if request.method == "GET":
        return _detail(request, automation, workspace(request).sources().get(automation.source.file, ""))
    document = str(form.get("document") or "").replace("\r\n", "\n")
    return _save(request, automation, document, str(form.get("base") or ""))


def _kind_problem(path: str, document: str) -> list[Problem]:
    """The document must stay an automation (a YAML error is left to the loader, which knows its line)."""
    if len(document) > MAX_DOCUMENT:
        return [Problem(path, 0, "", zh_en(f"文档超过 {MAX_DOCUMENT} 个字符",
                                           f"the document is longer than {MAX_DOCUMENT} characters"))]
    try:
        parsed = safe_data(document, path)
    except YamlSyntaxError:
        return []
    if not isinstance(parsed, dict) or "automation" not in parsed:
        return [Problem(path, 1, "/automation", zh_en("文档必须仍是自动化(以“automation: <编号>”开头)",
                                                      "the document must stay an automation (start with "
                                                      "'automation: <id>')"))]

    return []


def _save(request: Request, automation: AutomationDef, document: str, base: str) -> Response:
    ws, path = workspace(request), automation.source.file
    stored = ws.sources().get(path, "")
    if base != _digest(stored):
        return _detail(request, automation, document, status=409, conflict=True)
    if document == stored:
        return RedirectResponse(f"/admin/automations/{quote(automation.id, safe='')}?done=unchanged", status_code=303)
    problems = _kind_problem(path, document)
    try:
        if problems:
            raise DefinitionError(problems)
        ws.publish({path: document}, author_id=admin_id(request), comment=f"automation {automation.id} edited")
    except DefinitionError as exc:
        return _detail(request, automation, document, status=422, problems=exc.problems)
    saved = next((a for a in ws.definitions.automations.values() if a.source.file == path), automation)
    with ws.writing() as conn:
        record_audit(conn, ws.now(), "automation_edited", actor_id=admin_id(request), target=saved.id,
                     address=address_of(request), detail={"file": path, **_line_changes(stored, document)})
    return RedirectResponse(f"/admin/automations/{quote(saved.id, safe='')}?done=saved", status_code=303)


def _line_changes(before: str, after: str) -> dict[str, int]:
    added = removed = 0
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    return {"added": added, "removed": removed}


@admin_only
def run_page(request: Request) -> Response:
    """GET one run: its trigger and record, each step's outcome, its own job and the jobs it queued."""
    ws, automation = workspace(request), _automation_or_404(request)
    with ws.reading() as conn:
        run = get_run(conn, automation.id, str(request.path_params["key"]))
    if run is None:
        raise HTTPException(404)
    shown = _shown_runs(ws, automation, [run])[0]
    context = {"section": "automations", "a": automation, "run": shown, "notice": _notice(request),
               "label_text": text(automation.label, choose_language(request)), **_job_context()}
    return page(request, "admin_automation_run.html", context)


ROUTES: list[BaseRoute] = [
    Route("/admin/automations", automations_page),
    Route("/admin/automations/{id}", automation_page, methods=["GET", "POST"]),
    Route("/admin/automations/{id}/switch", switch, methods=["POST"]),
    Route("/admin/automations/{id}/runs/{key:path}", run_page),
]
