"""The condition builder of /admin/home's records blocks: one row per condition — a field of the chosen form, an
operator valid for it, and the typed value input the report designer's filters use (web/views/condition_value.py).
Rows are drawn by the server (the form's fields, the field's operators and value input) and posted with the block
as `cf_<n>`, `co_<n>` and `cv_<n>`; `posted_filters` turns them into the `filter` list the home document holds."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from engine.definitions.edit_error import EditError
from engine.definitions.model import FieldDef, FormDef
from engine.i18n import text
from engine.workspace import Workspace
from web.endpoints import workspace
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.admin_access import admin_only
from web.views.condition_value import stored_value, value_input
from web.views.filters import filterable, operators

ROW = re.compile(r"^cf_(\d{1,3})$")
MAX_ROWS = 20


def _form(ws: Workspace, form_id: Any) -> FormDef | None:
    return ws.definitions.forms.get(str(form_id or ""))


def _row(request: Request, form: FormDef, n: int, field_id: str = "", op: str = "", current: Any = None) -> dict[str, Any]:
    """One row's context: the form's filterable fields, the chosen field's operators and its value input (showing
    `current`, as stored)."""
    lang = choose_language(request)
    fields = filterable(form)
    f: FieldDef = next((x for x in fields if x.id == field_id), fields[0])
    ops = operators(f)
    op = op if op in ops else ops[0]
    actor = actor_of(current_user(request) or {}, lang)
    return {"n": n, "form_id": form.id, "fields": [(x.id, text(x.label, lang)) for x in fields], "field": f.id,
            "ops": ops, "op": op, "v": value_input(workspace(request), actor, lang, f, op, current, moments=True),
            "vname": f"cv_{n}"}


def block_rows(request: Request, form: FormDef, filters: Any) -> list[dict[str, Any]]:
    """The rows of a block's current conditions (those its form still offers), for its edit form."""
    names = {f.id for f in filterable(form)}
    return [_row(request, form, n, flt.field, flt.op, list(flt.value) if isinstance(flt.value, tuple) else flt.value)
            for n, flt in enumerate(flt for flt in filters if flt.field in names)]


@admin_only
def condition_row(request: Request) -> Response:
    """GET one condition row (`form`, `n`, and the row's chosen `cf_<n>` and `co_<n>`), with the next row's Add
    button when `add` is given."""
    ws, q = workspace(request), request.query_params
    form = _form(ws, q.get("cform") or q.get("form"))
    raw = str(q.get("n") or "")
    if form is None or not filterable(form) or not raw.isdigit() or int(raw) >= MAX_ROWS:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    n = int(raw)
    row = _row(request, form, n, str(q.get(f"cf_{n}") or ""), str(q.get(f"co_{n}") or ""))
    return page(request, "home/_condition_rows.html", {"rows": [row], "next": n + 1 if q.get("add") else None,
                                                        "form_id": form.id, "max_rows": MAX_ROWS})


@admin_only
def condition_builder(request: Request) -> Response:
    """GET the builder for the chosen form (`form`): no rows yet and the Add button."""
    form = _form(workspace(request), request.query_params.get("form"))
    return page(request, "home/_condition_builder.html", {"form_id": form.id if form is not None else "",
                                                           "has_fields": form is not None and bool(filterable(form))})


def posted_filters(form: FormDef, data: FormData, lang: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The `filter` entries of the posted rows, in row order, and the problems found (each naming its row)."""
    t = translator(lang)
    by_id = {f.id: f for f in filterable(form)}
    found: list[dict[str, Any]] = []
    problems: list[str] = []
    rows = sorted(int(m.group(1)) for m in (ROW.match(str(k)) for k in data.keys()) if m)
    for number, n in enumerate(rows[:MAX_ROWS], start=1):
        f = by_id.get(str(data.get(f"cf_{n}") or ""))
        op = str(data.get(f"co_{n}") or "")
        if f is None or op not in operators(f):
            problems.append(t("cv_bad_row").replace("{n}", str(number)))
            continue
        try:
            value = stored_value(f, op, [str(v)[:200] for v in data.getlist(f"cv_{n}")])
        except EditError as exc:
            problems.append(f"{t('cv_row').replace('{n}', str(number))} ({text(f.label, lang)}): {exc.message(lang)}")
            continue
        found.append({"field": f.id, "op": op, **({"value": value} if value is not None else {})})
    return found, problems


ROUTES: list[BaseRoute] = [
    Route("/admin/home/conditions", condition_builder),
    Route("/admin/home/condition", condition_row),
]
