"""GET /search?q=…: records holding a term in every form the signed-in user may read, a few per form, in the order
of the apps menu, each linking to its record and each form to its list searched for the term."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine.errors import QueryInvalid
from engine.fields.registry import field_type
from engine.i18n import text
from engine.records.global_search import search_forms
from web.endpoints import workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.zones import user_tz


@dataclass(frozen=True)
class Hit:
    title: str
    href: str


@dataclass(frozen=True)
class FormResult:
    label: str
    hits: list[Hit]
    more_href: str | None


def search(request: Request) -> Response:
    user = current_user(request)
    assert user is not None  # the sign-in middleware sends others to /login
    ws, lang, tz = workspace(request), choose_language(request), user_tz(request)
    t = translator(lang)
    term = request.query_params.get("q", "").strip()
    app_of = {form: app.id for app in ws.definitions.apps for form in app.forms}
    results: list[FormResult] = []
    error = None
    try:
        found = search_forms(ws.records, actor_of(user, lang), list(app_of), term)
    except QueryInvalid as exc:
        found, error = [], t("everywhere_bad_term").format(reason=exc.error.message(lang))
    for hits in found:
        form = ws.definitions.forms[hits.form]
        title_field = form.field(form.title_field())
        base = f"/apps/{app_of[hits.form]}/{hits.form}"

        def title(values: dict[str, object], record_id: int) -> str:
            value = values.get(title_field.id) if title_field is not None else None
            if title_field is None or value is None or value == "":
                return f"#{record_id}"
            return str(field_type(title_field.type).format(title_field, value, lang, tz))

        results.append(FormResult(
            text(form.label, lang), [Hit(title(dict(r.values), r.id), f"{base}/{r.id}") for r in hits.records],
            f"{base}?{urlencode({'q': term})}" if hits.more else None))
    status = 400 if error else 200
    return page(request, "search.html", {"q": term, "results": results, "error": error}, status)
