"""/admin/email: the SMTP settings (with a test send that reports the server's answer in words), the log of
outgoing messages (by status, newest first, with opens and clicks), one message, and the email templates with
an editor that checks and previews them against the latest record of a form (nothing saved on an error)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.audit import record_audit
from engine.automation.facts import display_record
from engine.automation.history import automations_of
from engine.i18n import text
from engine.locale_format import moment
from engine.mail.config import SmtpConfig, forget_smtp, save_smtp, smtp_of, smtp_problems, valid_address
from engine.mail.log import STATUSES, MessageFilter, get_message, list_messages, status_counts
from engine.mail.outgoing import send_job_key
from engine.mail.sending import base_url, send_test_email
from engine.mail.templates import (TemplateInvalid, delete_template, get_template, list_templates, render_body,
                                   render_subject, save_template, source_problems)
from engine.org.users import display_names
from engine.record_links.visits import urls as record_link_urls
from engine.records.model import Query
from engine.templating import TemplateProblem
from web.endpoints import form_view, workspace
from web.i18n import choose_language
from web.render import page
from web.session import actor_of, current_user
from web.views.admin_access import address_of, admin_id, admin_only, no_store, path_id
from web.views.admin_jobs import page_number, run_url
from web.views.notifications import record_link

PAGE = 50
NOTICES = ("saved", "forgotten", "deleted")
FIELDS = ("host", "port", "security", "username", "sender", "sender_name", "timeout")


# --- SMTP settings -------------------------------------------------------------------------------------------

def _number(raw: Any, kind: type[int] | type[float]) -> Any:
    try:
        return kind(str(raw or "").strip())
    except ValueError:
        return 0


def _typed(form: FormData) -> SmtpConfig:
    """The configuration the settings form describes (bad numbers become 0, which the checks refuse)."""
    def get(name: str) -> str:
        return str(form.get(name) or "").strip()
    return SmtpConfig(host=get("host"), port=_number(get("port"), int), security=get("security"),
                      username=get("username"), password=str(form.get("password") or ""), sender=get("sender"),
                      sender_name=get("sender_name"), timeout=_number(get("timeout"), float))


def _settings_page(request: Request, values: Mapping[str, Any], *, status: int = 200, **extra: Any) -> Response:
    ws = workspace(request)
    with ws.reading() as conn:
        current = smtp_of(ws, conn)
    notice = request.query_params.get("done")
    context = {"section": "email", "tab": "settings", "values": values, "source": current.source, "errors": {},
               "has_password": bool(current.password), "notice": notice if notice in NOTICES else None, **extra}
    return no_store(page(request, "admin_mail_settings.html", context, status=status))


def _public(config: SmtpConfig) -> dict[str, Any]:
    """Every setting but the password (what the form shows and the audit log keeps)."""
    return {k: v for k, v in config.stored().items() if k != "password"}


def _shown(config: SmtpConfig, test_to: str) -> dict[str, Any]:
    return {**_public(config), "test_to": test_to}


def _with_password(request: Request, typed: SmtpConfig, clear: bool) -> tuple[SmtpConfig, str]:
    """The typed settings with the password in use when none was typed (unless cleared), and what happened to it:
    kept, changed or cleared."""
    ws = workspace(request)
    with ws.reading() as conn:
        current = smtp_of(ws, conn).password
    if clear:
        return replace(typed, password=""), "cleared"
    if not typed.password:
        return replace(typed, password=current), "kept"
    return typed, "kept" if typed.password == current else "changed"


@form_view
@admin_only
def settings_page(request: Request, form: FormData) -> Response:
    """GET the SMTP settings; POST saves them (action=save), sends a test (action=test) or forgets them."""
    ws = workspace(request)
    if request.method == "GET":
        with ws.reading() as conn:
            config = smtp_of(ws, conn)
        return _settings_page(request, _shown(config, str((current_user(request) or {}).get("email") or "")))
    action = str(form.get("action") or "save")
    if action == "forget":
        return _forget(request)
    typed, test_to = _typed(form), str(form.get("test_to") or "").strip()
    errors = smtp_problems(typed)
    if action == "test" and not valid_address(test_to):
        errors["test_to"] = {"zh": "请填写有效的收件地址", "en": "Enter a valid address to send the test to"}
    if errors:
        return _settings_page(request, _shown(typed, test_to), errors=errors, status=422)
    config, password = _with_password(request, typed, form.get("clear_password") == "1")
    if action == "test":
        return _test(request, config, test_to)
    with ws.writing() as conn:
        save_smtp(conn, config, keep_password=False)
        record_audit(conn, ws.now(), "mail_settings_changed", actor_id=admin_id(request), target="smtp",
                     address=address_of(request), detail={**_public(config), "password": password})
    return RedirectResponse("/admin/email?done=saved", status_code=303)


def _test(request: Request, config: SmtpConfig, to: str) -> Response:
    """Send a test with the typed settings now (nothing saved) and show the outcome in words; audited."""
    ws = workspace(request)
    failure = send_test_email(ws, to, config)
    with ws.writing() as conn:
        record_audit(conn, ws.now(), "mail_test_sent", actor_id=admin_id(request), target=to,
                     address=address_of(request), detail={"host": config.host, "port": config.port,
                                                          "ok": failure is None,
                                                          **({"error": str(failure)} if failure else {})})
    lang = choose_language(request)
    return _settings_page(request, _shown(config, to), tested=to, test_error=failure.message(lang) if failure else None)


def _forget(request: Request) -> Response:
    ws = workspace(request)
    with ws.writing() as conn:
        if forget_smtp(conn):
            record_audit(conn, ws.now(), "mail_settings_changed", actor_id=admin_id(request), target="smtp",
                         address=address_of(request), detail={"forgotten": True})
    return RedirectResponse("/admin/email?done=forgotten", status_code=303)


# --- the log -------------------------------------------------------------------------------------------------

def _log_url(flt: MessageFilter, number: int = 1) -> str:
    query = {k: v for k, v in (("status", flt.status), ("batch", flt.batch), ("q", flt.search)) if v}
    return f"/admin/email/log?{urlencode({**query, **({'page': number} if number > 1 else {})})}"


@admin_only
def log_page(request: Request) -> Response:
    """GET a page of outgoing messages, newest first, filtered by status, batch and recipient or subject."""
    params = request.query_params
    status = params.get("status") if params.get("status") in STATUSES else None
    batch, search = params.get("batch", "").strip()[:200], params.get("q", "").strip()[:200]
    flt = MessageFilter(status, batch or None, search or None)
    number = page_number(params.get("page"))
    with workspace(request).reading() as conn:
        counts = status_counts(conn, flt)
        found = list_messages(conn, flt, page=number, per_page=PAGE)
    context = {"section": "email", "tab": "log", "statuses": STATUSES, "counts": counts, "flt": flt,
               "messages": found.messages, "tab_url": lambda s: _log_url(MessageFilter(s, flt.batch, flt.search)),
               "newer": _log_url(flt, number - 1) if number > 1 else None,
               "older": _log_url(flt, number + 1) if found.more else None}
    return page(request, "admin_mail_log.html", context)


@admin_only
def message_page(request: Request) -> Response:
    """GET one message: its headers, status, error, tracking counts, the HTML (sandboxed) and the text."""
    ws = workspace(request)
    with ws.reading() as conn:
        found = get_message(conn, path_id(request))
        if found is None:
            raise HTTPException(404)
        runs = automations_of(conn, [found["source"]]) if found.get("source") else {}
    job = ws.jobs.get(send_job_key(int(found["id"])))
    context = {"section": "email", "tab": "log", "m": found, "job": job,
               "record_url": record_link(ws.definitions, found.get("form"), found.get("record_id")),
               "run_url": run_url(runs[found["source"]], found["source"]) if found.get("source") in runs else None}
    return page(request, "admin_mail_message.html", context)


# --- templates -----------------------------------------------------------------------------------------------

@admin_only
def templates_page(request: Request) -> Response:
    """GET every email template, by name."""
    with workspace(request).reading() as conn:
        templates = list_templates(conn)
        names = display_names(conn, [t["updated_by"] for t in templates if t["updated_by"] is not None])
    notice = request.query_params.get("done")
    return page(request, "admin_mail_templates.html", {
        "section": "email", "tab": "templates", "templates": templates, "names": names,
        "notice": notice if notice in NOTICES else None})


def _used_by(request: Request, name: str) -> list[Any]:
    """The automations whose email actions use the template `name`."""
    automations = workspace(request).definitions.automations.values()
    return [a for a in automations if any(act.type == "email" and act.get("template") == name for act in a.actions)]


def _editor(request: Request, template: Mapping[str, Any] | None, values: Mapping[str, Any], *,
            errors: Mapping[str, Any] | None = None, status: int = 200, **extra: Any) -> Response:
    ws, lang = workspace(request), choose_language(request)
    forms = sorted(((f.id, text(f.label, lang)) for f in ws.definitions.forms.values()), key=lambda p: p[1])
    notice = request.query_params.get("done")
    context = {"section": "email", "tab": "templates", "template": template, "values": values,
               "errors": errors or {}, "form_choices": forms,
               "used_by": _used_by(request, str(values.get("name") or "")),
               "notice": notice if notice in NOTICES else None, **extra}
    return page(request, "admin_mail_template.html", context, status=status)


def _preview_context(request: Request, form_id: str) -> tuple[dict[str, Any], int | None]:
    """What a template reads in the preview: the latest record of the form (as an automation would give it)."""
    ws, lang = workspace(request), choose_language(request)
    context: dict[str, Any] = {"record": {}, "values": {}, "old": {}, "steps": {}, "link": base_url(ws) + "/",
                               "record_links": {},
                               "form": "", "automation": "", "lang": lang,
                               "now": moment(ws.now().astimezone(ws.tz), lang)}
    form = ws.definitions.forms.get(form_id)
    if form is None:
        return context, None
    user = current_user(request)
    assert user is not None  # admin_only let the request in
    latest = ws.records.list(actor_of(user, lang), form.id, Query(limit=1)).records
    context["form"] = text(form.label, lang)
    if not latest:
        return context, None
    values = {**latest[0].values, "id": latest[0].id}
    with ws.reading() as conn:
        context["record"] = display_record(conn, ws.records.runtimes, form, values, lang, ws.tz)
    context.update(values=values, link=f"{base_url(ws)}/apps/{form.app}/{form.id}/{latest[0].id}",
                   record_links=record_link_urls(ws, form, latest[0].id, base_url(ws)))
    return context, latest[0].id


def _preview(request: Request, template: Mapping[str, Any] | None, values: dict[str, Any]) -> Response:
    """The editor with the typed template rendered for the chosen form's latest record (nothing saved)."""
    errors = source_problems(values["subject"], values["body"])
    if errors:
        return _editor(request, template, values, errors=errors, status=422)
    context, record_id = _preview_context(request, values["preview_form"])
    rendered: dict[str, str] = {}
    for field, render in (("subject", render_subject), ("body", render_body)):
        try:
            rendered[field] = render(values[field], context)
        except TemplateProblem as exc:
            errors[field] = {"zh": str(exc).replace("template error", "模板错误"), "en": str(exc)}
    if errors:
        return _editor(request, template, values, errors=errors, status=422)
    return _editor(request, template, values, preview={"subject": rendered["subject"], "html": rendered["body"],
                                                       "record_id": record_id, "form": values["preview_form"]})


def _posted(form: FormData) -> dict[str, Any]:
    return {"name": str(form.get("name") or "").strip(), "subject": str(form.get("subject") or "").strip(),
            "body": str(form.get("body") or ""), "preview_form": str(form.get("preview_form") or "")}


def _post_template(request: Request, form: FormData, template: Mapping[str, Any] | None) -> Response:
    """Save (checked; every problem shown and nothing saved) or preview the posted template."""
    ws = workspace(request)
    values = _posted(form)
    if form.get("action") == "preview":
        return _preview(request, template, values)
    template_id = int(template["id"]) if template else None
    try:
        with ws.writing() as conn:
            saved_id = save_template(conn, template_id, name=values["name"], subject=values["subject"],
                                     body=values["body"], now=ws.now(), actor_id=admin_id(request))
            record_audit(conn, ws.now(), "mail_template_saved", actor_id=admin_id(request), target=values["name"],
                         address=address_of(request), detail={"id": saved_id, "created": template_id is None})
    except TemplateInvalid as exc:
        return _editor(request, template, values, errors=exc.errors, status=422)
    query = urlencode({"done": "saved", **({"preview_form": values["preview_form"]} if values["preview_form"] else {})})
    return RedirectResponse(f"/admin/email/templates/{saved_id}?{query}", status_code=303)


@form_view
@admin_only
def new_template(request: Request, form: FormData) -> Response:
    """GET an empty editor; POST creates the template (or previews it)."""
    if request.method == "POST":
        return _post_template(request, form, None)
    return _editor(request, None, {"name": "", "subject": "", "body": "", "preview_form": ""})


def _template_or_404(request: Request) -> dict[str, Any]:
    with workspace(request).reading() as conn:
        found = get_template(conn, path_id(request))
    if found is None:
        raise HTTPException(404)
    return found


@form_view
@admin_only
def edit_template(request: Request, form: FormData) -> Response:
    """GET the editor of one template; POST saves it (or previews it)."""
    template = _template_or_404(request)
    if request.method == "POST":
        return _post_template(request, form, template)
    values = {k: template[k] for k in ("name", "subject", "body")}
    return _editor(request, template, {**values, "preview_form": request.query_params.get("preview_form", "")})


@admin_only
def remove_template(request: Request) -> Response:
    """POST: delete the template (audited)."""
    ws, template = workspace(request), _template_or_404(request)
    with ws.writing() as conn:
        if delete_template(conn, int(template["id"])) is not None:
            record_audit(conn, ws.now(), "mail_template_deleted", actor_id=admin_id(request), target=template["name"],
                         address=address_of(request), detail={"id": template["id"]})
    return RedirectResponse("/admin/email/templates?done=deleted", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/admin/email", settings_page, methods=["GET", "POST"]),
    Route("/admin/email/log", log_page),
    Route("/admin/email/log/{id:int}", message_page),
    Route("/admin/email/templates", templates_page),
    Route("/admin/email/templates/new", new_template, methods=["GET", "POST"]),
    Route("/admin/email/templates/{id:int}", edit_template, methods=["GET", "POST"]),
    Route("/admin/email/templates/{id:int}/delete", remove_template, methods=["POST"]),
]
