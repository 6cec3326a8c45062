"""A kanban board of a form grouped by a single-choice field; dropping a card on a column sets that field."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.definitions.kanban import card_fields, sum_field
from engine.definitions.model import FieldDef, FormDef
from engine.errors import Conflict, NotFound, QueryInvalid, RecordInvalid
from engine.fields.registry import field_type
from engine.fields.types.options import OptionsMixin
from engine.workflow.errors import WorkflowConflict
from engine.records.model import Actor, Filter, Query, Record
from engine.workspace import Workspace
from engine.zones import zone_or
from web.endpoints import form_view
from web.i18n import choose_language, translator
from web.render import page
from web.session import actor_of, current_user
from web.views.board_views import bad_query, chosen_field, open_view
from web.views.display import Formatter
from web.views.listing import kanban_fields
from web.views.listoptions import option_pairs
from web.views.records import _form_or_404
from web.zones import user_tz

CARDS_PER_COLUMN = 50


@dataclass
class Card:
    """One card: the record, its title and the chosen fields that have a value, as (label, HTML)."""

    record: Record
    title: str
    fields: list[tuple[Any, Markup]]
    measure: Decimal | None = None  # the summed field's value, so a moved card moves its amount between sums


@dataclass
class Column:
    """One column of the board: an option (or '' for no value), its label and colour, count, sum and first cards."""

    value: str
    label: str
    colour: str = ""
    total: int = 0
    sum: str | None = None  # the measured field's sum, formatted (None: the board adds nothing up)
    raw_sum: Decimal | None = None
    cards: list[Card] = field(default_factory=list)


def board(request: Request) -> Response:
    """GET: one column per option of the grouping field (?by=, else the form's declared or first single-choice
    field) plus one for records without a value."""
    opened = open_view(request, kanban_fields)
    if isinstance(opened, Response):
        return opened
    form, lang = opened.form, opened.lang
    actor = actor_of(current_user(request) or {}, lang)
    try:
        columns = _columns(opened.ws, actor, form, opened.by, opened.state.query(CARDS_PER_COLUMN, user_tz(request)),
                           lang)
    except QueryInvalid as exc:
        return bad_query(request, exc.error.message(lang))
    measure = sum_field(form) if any(c.sum is not None for c in columns) else None
    return page(request, "kanban.html", opened.context(
        request, "kanban", columns=columns, kanban_fields=kanban_fields(form),
        sum_label=measure.label if measure is not None else None,
        live_sum=_live_sum(measure, lang) if measure is not None else None))


def _columns(ws: Workspace, actor: Actor, form: FormDef, by: FieldDef, query: Query, lang: str) -> list[Column]:
    """Each option's column (and the 'no value' one) with its count and sum (one aggregate query for the board)
    and its first cards, under the list's query and the reader's scope."""
    measure = sum_field(form)
    totals = ws.records.totals(actor, form.id, dataclasses.replace(query, after=None, sort=()), by.id,
                               measure.id if measure is not None else None)
    ftype = field_type(by.type)
    columns = [Column(v, label, ftype.option_colour(by, v) if isinstance(ftype, OptionsMixin) else "")
               for v, label in option_pairs(by, lang)]
    columns.append(Column("", translator(lang)("kanban_empty")))
    shown = card_fields(form, by.id)
    tz = zone_or(actor.timezone, ws.tz)
    page_query = dataclasses.replace(query, after=None, with_total=False)
    for column in columns:
        found = totals.of(column.value)
        column.total = found.count
        if measure is not None and found.sum is not None:
            column.sum, column.raw_sum = field_type(measure.type).format(measure, found.sum, lang), found.sum
        if not column.total:
            continue
        flt = Filter(by.id, "eq", column.value) if column.value else Filter(by.id, "empty")
        result = ws.records.list(actor, form.id, dataclasses.replace(page_query, filters=(*query.filters, flt)))
        fmt = Formatter(ws, form, result.records, lang, tz)
        column.cards = _cards(fmt, form, result.records, shown, measure if totals.measured else None)
    return columns


def _live_sum(measure: FieldDef, lang: str) -> dict[str, Any] | None:
    """How the page re-writes a sum after a card moves: the text before the digits (¥) and the decimal places,
    when the field shows a sum as that prefix and the digits grouped by thousands (else the sums stay as read)."""
    decimals = field_type(measure.type).decimals(measure) or 0
    digits = f"{Decimal(0):,.{decimals}f}"
    shown = field_type(measure.type).format(measure, Decimal(0), lang)
    return {"prefix": shown[:-len(digits)], "decimals": decimals} if shown.endswith(digits) else None


def _cards(fmt: Formatter, form: FormDef, records: list[Record], shown: list[FieldDef],
           measure: FieldDef | None) -> list[Card]:
    """Each record's card; empty fields (and fields the reader may not see) are left off."""
    title = form.field(form.title_field())
    return [Card(r, fmt.cell(r, title) if title is not None else "",
                 [(f.label, fmt.cell_html(r, f)) for f in shown if fmt.get(r, f) not in (None, "", [])],
                 r.get(measure.id) if measure is not None else None)
            for r in records]


@form_view
def move(request: Request, data: FormData) -> Response:
    """POST id, version, value: set the grouping field of one record; JSON with the new version or the reason."""
    form = _form_or_404(request)
    by = chosen_field(request, kanban_fields(form)) if form is not None else None
    lang = choose_language(request)
    t = translator(lang)
    if form is None or by is None:
        return JSONResponse({"message": t("not_found")}, status_code=404)
    record_id, version = str(data.get("id", "")), str(data.get("version", ""))
    if not (record_id.isdigit() and version.isdigit()):
        return JSONResponse({"message": t("kanban_bad_move")}, status_code=400)
    ws = request.app.state.ws
    actor = actor_of(current_user(request) or {}, lang)
    try:
        record = ws.records.update(actor, form.id, int(record_id), {by.id: str(data.get("value", ""))},
                                   version=int(version), fmt="form", via="web")
    except Conflict:
        return JSONResponse({"message": t("kanban_conflict")}, status_code=409)
    except WorkflowConflict as exc:  # in approval: it changes through its to-do item
        return JSONResponse({"message": exc.error.message(lang)}, status_code=409)
    except NotFound:
        return JSONResponse({"message": t("not_found")}, status_code=404)
    except RecordInvalid as exc:
        reasons = "; ".join(e.message(lang) for errs in exc.errors.values() for e in errs)
        return JSONResponse({"message": t("kanban_invalid").format(reasons=reasons)}, status_code=422)
    return JSONResponse({"id": record.id, "version": record.version, "value": record.get(by.id)})
