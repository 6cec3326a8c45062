"""Step 3: the preview — the first rows as they will be stored and each column's conversion problems — and the Start
button, which queues the import as a background job and goes to its progress page."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import imports
from engine.i18n import text
from engine.imports import ImportOptions, ImportRefused
from web.endpoints import form_view
from web.i18n import translator
from web.render import page
from web.views.imports.access import Visit, refusal_status
from web.views.imports.staging import chosen, forget, staged_or_refusal


def rule_text(v: Visit, options: ImportOptions) -> str:
    """The duplicate rule in words: 'Duplicates: Find by Full name — update the record from the row'."""
    t = translator(v.lang)
    if not options.key:
        return t("import_summary_choice").format(rule=t("import_no_key"))
    f = v.form.field(options.key)
    name = text(f.label, v.lang) if f is not None else options.key
    return t("import_summary_choice").format(rule=f"{name} — {t('import_dup_' + options.on_duplicate)}")


def unmatched_required(v: Visit, options: ImportOptions) -> list[str]:
    """Labels of required fields without a default that no column fills: every row would fail on them."""
    mapped = set(options.mapping.values())
    return [text(c.label, v.lang) for c in imports.writable_fields(v.ws, v.actor, v.form.id)
            if c.required and c.id not in mapped and (f := v.form.field(c.id)) is not None and f.default is None]


def show(request: Request) -> Response:
    """GET the preview of the staged file under the choices of the mapping step."""
    found = staged_or_refusal(request)
    if isinstance(found, Response):
        return found
    v, staged = found
    options = chosen(request, staged.token)
    url = f"{v.start}/{staged.token}"
    if options is None:  # no choices yet: the mapping step comes first
        return RedirectResponse(f"{url}/mapping", status_code=303)
    try:
        shown = imports.preview(v.ws, v.actor, v.form.id, staged.path, options, v.lang)
    except ImportRefused as exc:
        return page(request, "error.html", {"message": "bad_query", "detail": exc.message(v.lang)},
                    status=refusal_status(exc))
    context = {"form": v.form, "base": v.base, "url": url, "preview": shown, "options": options,
               "field_labels": dict(shown.fields),
               "missing": unmatched_required(v, options),
               "rule_text": rule_text(v, options)}
    return page(request, "imports/preview.html", context)


@form_view
def start(request: Request, form: FormData) -> Response:
    """POST: queue the import (the engine checks everything again) and go to its progress page."""
    found = staged_or_refusal(request)
    if isinstance(found, Response):
        return found
    v, staged = found
    options = chosen(request, staged.token)
    if options is None:
        return RedirectResponse(f"{v.start}/{staged.token}/mapping", status_code=303)
    try:
        token = imports.start_import(v.ws, v.actor, v.form.id, staged.path, options, filename=staged.filename,
                                     lang=v.lang)
    except ImportRefused as exc:
        return page(request, "error.html", {"message": "bad_query", "detail": exc.message(v.lang)},
                    status=refusal_status(exc))
    imports.discard_staged(v.ws, v.user_id, staged.token)
    forget(request, staged.token)
    return RedirectResponse(f"{v.base}/imports/{token}", status_code=303)
