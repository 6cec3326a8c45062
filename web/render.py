"""Jinja2 environment (autoescape on) and the page context every template gets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from engine import locale_format
from engine.fields.html import sanitize_html
from engine.fields.registry import field_type
from engine.files import policy as upload_policy
from engine.i18n import text
from engine.workspace import Workspace
from web import regions
from web.icons import APP_ICONS, DEFAULT_APP_ICON, SPRITE, UI_SPRITE
from web.i18n import choose_language, translator
from web.texts.channels import via_label
from web.texts.zones import zone_name
from web.isolation import DataAttributes, finalize
from web.session import actor_of, csrf_token, current_user
from web.views.reports.visibility import menu_of
from web.views.widgets import differs, input_value, options_of, widget_templates
from web.zones import user_tz

TEMPLATES = Path(__file__).parent / "templates"
# finalize isolates bidirectional controls in every shown value; DataAttributes keeps data attributes exact
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                          trim_blocks=True, lstrip_blocks=True, finalize=finalize, extensions=[DataAttributes])
environment.globals["regions"] = regions
environment.globals["upload_policy"] = upload_policy
environment.globals["sanitize_html"] = sanitize_html
environment.globals["widget_templates"] = widget_templates
environment.globals.update(app_sprite=SPRITE, ui_sprite=UI_SPRITE, app_icons=frozenset(APP_ICONS),
                           default_app_icon=DEFAULT_APP_ICON)
environment.globals["via_label"] = via_label  # the timeline names a change's channel, never its code
environment.globals["type_of"] = lambda f: field_type(f.type)  # templates ask a field's type, never its name


@pass_context
def when(context: Context, value: datetime | None, seconds: bool = False) -> str:
    """`{{ moment|when }}`: a moment in the reader's zone and language (2026年12月6日 14:30 · Dec 6, 2026, 14:30)."""
    if value is None:
        return ""
    zone = context.get("tz")
    return locale_format.moment(value.astimezone(zone) if zone else value, str(context.get("lang") or "zh"), seconds)


environment.filters["when"] = when


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a template with the common context: language, texts, user, CSRF token, navigation."""
    lang = choose_language(request)
    user = current_user(request)
    ws: Workspace = request.app.state.ws
    actor = actor_of(user, lang) if user else None
    tz = user_tz(request)

    def can(form_id: str, operation: str = "read") -> bool:
        """Whether the signed-in user may do `operation` on the form (navigation and buttons follow it)."""
        return actor is not None and form_id in ws.definitions.forms and \
            ws.records.guard(actor, form_id).access.can(operation)

    apps = [a for a in ws.definitions.apps if any(can(f) for f in a.forms)] if user else []

    def analysis(app: Any) -> tuple[list[Any], list[Any]]:
        """The app's dashboards and reports the signed-in user may see (for the app menu)."""
        return menu_of(ws, actor, app) if actor is not None else ([], [])

    roles = set(user.get("roles") or ()) if user else set()
    may_design = user is not None and (bool(user.get("is_admin")) or any(set(a.admins) & roles for a in ws.definitions.apps))
    base = {
        "request": request, "lang": lang, "t": translator(lang), "label": lambda v: text(v, lang),
        "user": user, "csrf": csrf_token(request), "apps": apps, "can": can, "may_design": may_design,
        "analysis": analysis, "zone_name": lambda zone: zone_name(str(zone), lang),
        "forms": ws.definitions.forms, "tz": tz,
        "input_value": lambda f, v: input_value(f, v, tz),
        "options_of": lambda f, choices: options_of(f, choices, lang),
        "differs": lambda f, a, b: differs(f, a, b, tz),
        "shown": lambda f, v: field_type(f.type).format(f, v, lang, tz) if v is not None else "—",
    }
    html = environment.get_template(name).render({**base, **context})
    return HTMLResponse(html, status_code=status)
