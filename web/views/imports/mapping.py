"""Step 2: the column matching. Each column of the file with a select of the form's importable fields (the engine's
suggestion first, "do not import" always there) and its sample values; the duplicate rule (key field; skip, update
or create); the dry run; the sheet, for a workbook of several. Sent choices are checked by the engine's preview, so a
mistake comes back to this page with its message (400)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import imports
from engine.imports import FileInfo, ImportOptions, ImportRefused, Staged
from web.endpoints import form_view
from web.render import page
from web.views.imports.access import Visit, refusal_status
from web.views.imports.staging import chosen, remember, staged_or_refusal


@form_view
def mapping(request: Request, form: FormData) -> Response:
    """GET the matching of the staged file's columns; POST the choices (on to the preview, or back with the problem)."""
    found = staged_or_refusal(request)
    if isinstance(found, Response):
        return found
    v, staged = found
    token = staged.token
    before = chosen(request, token)
    sheet = (form.get("sheet") if request.method == "POST" else request.query_params.get("sheet")) or \
        (before.sheet if before else None)
    try:
        info = imports.inspect_file(staged.path, sheet=str(sheet) if sheet else None)
    except ImportRefused as exc:  # a sheet that is not in the file
        info = imports.inspect_file(staged.path)
        return mapping_page(request, v, staged, info, None, exc.message(v.lang), refusal_status(exc))
    if request.method != "POST":
        kept = before if before and before.sheet in (None, info.sheet) else None
        return mapping_page(request, v, staged, info, kept)
    options = read_options(form, info)
    try:
        imports.preview(v.ws, v.actor, v.form.id, staged.path, options, v.lang, rows=1, sample=1)
    except ImportRefused as exc:
        return mapping_page(request, v, staged, info, options, exc.message(v.lang), refusal_status(exc))
    remember(request, token, options)
    return RedirectResponse(f"{v.start}/{token}/preview", status_code=303)


def read_options(form: FormData, info: FileInfo) -> ImportOptions:
    """The choices the mapping form sends: `map.<column index>` → field id, key, rule, dry run, sheet."""
    mapping = {header: str(form.get(f"map.{i}") or "") for i, header in enumerate(info.headers)}
    return ImportOptions(mapping=mapping, key=str(form.get("key") or "") or None,
                         on_duplicate=str(form.get("on_duplicate") or imports.SKIP),
                         dry_run=form.get("dry_run") == "1", sheet=info.sheet)


def mapping_page(request: Request, v: Visit, staged: Staged, info: FileInfo, options: ImportOptions | None,
                 refusal: str = "", status: int = 200) -> Response:
    """The mapping step: the kept choices, else the engine's suggestion."""
    choices = imports.writable_fields(v.ws, v.actor, v.form.id)  # a field hidden from the user is not offered
    suggested = dict(options.mapping) if options else imports.suggest_mapping(
        v.form, info.headers, imports.field_access(v.ws, v.actor, v.form.id))
    context = {"form": v.form, "base": v.base, "url": f"{v.start}/{staged.token}", "info": info,
               "file_name": staged.filename, "choices": choices, "mapping": suggested,
               "options": options or ImportOptions(), "refusal": refusal}
    return page(request, "imports/mapping.html", context, status=status)
