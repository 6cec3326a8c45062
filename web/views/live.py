"""Live form behaviour: the server recomputes rules, formulas and errors while the user types (htmx previews),
the address cascade's selects, and the state a generated form starts with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timezone
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from engine.definitions.model import FieldDef, FormDef
from engine.errors import NotFound, RecordInvalid
from engine.fields.registry import field_type
from engine.fields.screen import PostedForm
from engine.fields.types.places import Address
from engine.fields.types.relations import Subform
from engine.formulas.errors import error_description
from engine.records.export import lookup_target
from engine.records.preview import Preview
from engine.records.values import Errors
from web import regions
from web.endpoints import form_view
from web.i18n import choose_language
from web.render import environment, page
from web.session import actor_of, current_user
from web.views.linked_fill import fill_fragment, fill_slots
from web.views.records import _form_or_404
from web.views.related import prefilled
from web.zones import user_tz

REGION_PARTS = ("province", "city", "district")


def dom_id(path: str) -> str:
    """An element id for a field path: `items[2].price` → `items-2-price`, the record itself → `_record`."""
    if not path:
        return "_record"
    return re.sub(r"[^A-Za-z0-9_]", "-", re.sub(r"\[(\w+)\]\.", r"-\1-", path))


def shows_computed(f: FieldDef, editable_ids: set[str]) -> bool:
    """Fields the form shows read-only as the preview computes them: formulas, lookups, rollups and serial
    numbers (system fields draw themselves)."""
    ftype = field_type(f.type)
    return f.id not in editable_ids and not ftype.layout_only and not ftype.shows_itself and computed_column(f)


def computed_column(c: FieldDef) -> bool:
    """A field or subform column the server computes (the form shows it read-only)."""
    return bool(c.formula) or field_type(c.type).computed


def row_count(sub: FieldDef, data: FormData) -> int:
    """How many rows of a subform the page posted (`<sub>.rows`)."""
    ftype = field_type(sub.type)
    return ftype.posted_row_count(sub, PostedForm(data, timezone.utc)) if isinstance(ftype, Subform) else 0


def row_positions(sub: FieldDef, data: FormData) -> list[int]:
    """The indices of the posted rows of a subform that hold a value (the ones the service receives, in order)."""
    ftype = field_type(sub.type)
    return ftype.posted_rows(sub, PostedForm(data, timezone.utc)) if isinstance(ftype, Subform) else []


def preview_state(request: Request, form: FormDef, raw: Mapping[str, Any], record_id: int | None) -> Preview:
    """The preview of the posted (or empty) values, with address errors added."""
    ws = request.app.state.ws
    actor = actor_of(current_user(request) or {}, choose_language(request))
    state: Preview = ws.records.preview(actor, form.id, raw, fmt="form", record_id=record_id)
    stored = ws.records.get(actor, form.id, record_id).values if record_id is not None else {}
    for path, errors in region_errors(form, raw, stored).items():
        state.errors.setdefault(path, []).extend(errors)
    return state


def region_errors(form: FormDef, raw: Mapping[str, Any], stored: Mapping[str, Any] | None = None) -> Errors:
    """Address fields whose city is not in the chosen province (or district not in the city). An address whose
    province, city and district are the record's stored ones passes: a division since abolished stays as kept."""
    found: Errors = {}
    for f in form.fields:
        value, kept = raw.get(f.id), (stored or {}).get(f.id)
        if isinstance(kept, Mapping) and isinstance(value, Mapping) and \
                all((value.get(p) or "") == (kept.get(p) or "") for p in REGION_PARTS):
            continue
        if isinstance(field_type(f.type), Address) and isinstance(value, Mapping):
            errors = regions.address_errors(f.label, {p: value.get(p) for p in REGION_PARTS})
            if errors:
                found[f.id] = errors
    return found


def check_regions(request: Request, form: FormDef, raw: Mapping[str, Any], record: Any = None) -> None:
    """Raise RecordInvalid (with every other problem the save would find) when an address is not a real one (or
    the record's stored one)."""
    record_id = record.id if record is not None else None
    if region_errors(form, raw, record.values if record is not None else None):
        raise RecordInvalid(preview_state(request, form, raw, record_id).errors)


def page_context(request: Request, form: FormDef, values: Mapping[str, Any], record: Any,
                 editable_ids: set[str]) -> dict[str, Any]:
    """What edit.html needs beyond the values: field states and computed values (of the posted values after a
    POST, else of the stored record or the defaults), element ids."""
    record_id = record.id if record is not None else None
    raw = values if request.method == "POST" else \
        prefilled(request.app.state.ws, form, request.query_params,
                  actor_of(current_user(request) or {}, choose_language(request))) if record is None else {}
    try:
        state = preview_state(request, form, raw, record_id)
    except NotFound:
        state = Preview(values={})
    context = form_context(request, form, state, editable_ids, submitted=request.method == "POST")
    context["linked_slots"] = fill_slots(form, state, editable_ids, new=record is None)
    return context


def form_context(request: Request, form: FormDef, state: Preview, editable_ids: set[str],
                 submitted: bool) -> dict[str, Any]:
    """Template helpers and the preview state shared by edit.html and the live fragments."""
    lang = choose_language(request)
    tz = user_tz(request)

    defs = request.app.state.ws.definitions

    def calc(f: FieldDef, value: Any, path: str = "") -> str:
        """A computed value as the record page shows it: a lookup or a rollup of money as money…; a formula that
        ends in an error says which (`division by zero (#DIV/0!)`)."""
        if path in state.formula_errors:
            return error_description(state.formula_errors[path], lang)
        if value in (None, "", []):
            return "—"
        shown, many = lookup_target(defs, form, f)
        values = value if many and isinstance(value, list) else [value]
        return ", ".join(field_type(shown.type).format(shown, v, lang, tz) for v in values if v not in (None, ""))

    return {"state": state, "dom_id": dom_id, "computed_column": computed_column, "submitted": submitted,
            "computed_ids": {f.id for f in form.fields if shows_computed(f, editable_ids)}, "calc": calc}


@form_view
def preview(request: Request, data: FormData) -> Response:
    """POST the form being filled: out-of-band fragments with field states, computed values and errors."""
    from web.views.forms import access_of, editable, raw_values  # forms imports this module

    form = _form_or_404(request)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    ws = request.app.state.ws
    record_text = request.query_params.get("record", "")
    record_id = int(record_text) if record_text.isdigit() else None
    access = access_of(request, form)
    raw = raw_values(form, data, user_tz(request), access=access)
    try:
        state = preview_state(request, form, raw, record_id)
    except NotFound:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    editable_ids = {f.id for f in editable(form, access)}
    subforms = {}
    for f in form.fields:
        if field_type(f.type).holds_rows and f.id in editable_ids:
            subforms[f.id] = _dom_rows(f, data, state)
    state.formula_errors = _dom_formula_errors(form, data, state)
    context = form_context(request, form, state, editable_ids, submitted=False)
    context.update(state=state, form=form, editable=editable_ids, subforms=subforms, lang=choose_language(request))
    html = environment.get_template("_live.html").render(context)
    if record_id is None:
        html += fill_fragment(request, form, state, editable_ids)
    return HTMLResponse(html)


def _dom_rows(sub: FieldDef, data: FormData, state: Preview) -> list[tuple[dict[str, Any], Errors]]:
    """Per row on the page: the computed values and the errors of that row (blank rows get nothing)."""
    rows: list[tuple[dict[str, Any], Errors]] = [({}, {}) for _ in range(row_count(sub, data))]
    computed = state.values.get(sub.id) or []
    for k, position in enumerate(row_positions(sub, data)):
        values = computed[k] if k < len(computed) else {}
        prefix = f"{sub.id}[{k}]."
        errors = {c.id: state.errors.get(prefix + c.id, []) for c in sub.fields}
        rows[position] = (values, errors)
    return rows


def _dom_formula_errors(form: FormDef, data: FormData, state: Preview) -> dict[str, str]:
    """The formula errors by the page's paths: a subform row's index counts the blank rows the page posted too."""
    positions = {f.id: row_positions(f, data) for f in form.fields if field_type(f.type).holds_rows}
    found: dict[str, str] = {}
    for path, code in state.formula_errors.items():
        match = re.fullmatch(r"(\w+)\[(\d+)\]\.(.+)", path)
        rows = positions.get(match.group(1), []) if match else []
        if match and int(match.group(2)) < len(rows):
            path = f"{match.group(1)}[{rows[int(match.group(2))]}].{match.group(3)}"
        found[path] = code
    return found


def region_options(request: Request) -> Response:
    """GET the province / city / district selects of an address, lower levels matching the chosen upper ones."""
    params = request.query_params
    name = params.get("field", "")
    if not re.fullmatch(r"[A-Za-z0-9_\[\]\.]{1,120}", name):
        return HTMLResponse("", status_code=400)
    chosen = {p: params.get(f"{name}.{p}", "") for p in REGION_PARTS}
    if chosen["city"] not in regions.cities(chosen["province"]):
        chosen["city"] = chosen["district"] = ""
    elif chosen["district"] not in regions.districts(chosen["province"], chosen["city"]):
        chosen["district"] = ""
    level = params.get("level", "detail")
    return page(request, "_regions_fragment.html", {"name": name, "chosen": chosen, "level": level})
