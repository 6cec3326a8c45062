"""/design/reports/{report}: the report designer — the source form's fields | dimensions, measures and filters |
the chart — and below them the live preview. Every change is one operation on the signed-in designer's draft
(drag and drop and the buttons post the operation; the settings forms post their fields, turned into one
operation here); the answer is the re-rendered designer with the preview run on real data."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from engine.definitions.edit_error import EditError
from engine.drafts import Draft
from engine.records.paths import FieldPath, resolve_path
from web.endpoints import form_view
from web.views.condition_value import stored_value, value_input
from web.render import page
from web.views.designer import doc_design
from web.views.designer.doc_design import DocDesign, designed, refusal, render_fragment
from web.views.reports.access import viewer_of
from web.views.designer.report_model import AGGREGATES, BUCKETS, FORMATS, report_context

MAX_TEXT = 200


def answer(request: Request, d: DocDesign, draft: Draft, extra: dict[str, Any]) -> Response:
    """The designer's body and, out of band, the undo/redo state."""
    return render_fragment(request, "design/_report_answer.html", {**report_context(request, d, draft), **extra})


@designed("report")
def design_report(request: Request, d: DocDesign) -> Response:
    """GET the page; opening it starts the draft from the published text (an untouched one follows the latest)."""
    draft = d.ws.drafts.open(d.path, d.user_id, follow=d.published)
    return page(request, "design/report.html", report_context(request, d, draft))


@designed("report")
def apply_op(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.apply_posted(request, d, data, answer)


@designed("report")
def step(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.step(request, d, answer)


@designed("report")
def discard(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.discard(request, d, answer)


@designed("report")
def publish(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.publish_dialog(request, d, data)


@designed("report")
def settings(request: Request, d: DocDesign, data: FormData) -> Response:
    """POST a settings form (`what`: dimension, measure, filter, chart, more, source) as one operation."""
    what = str(data.get("what") or "")
    build = SETTINGS.get(what)
    if build is None:
        return refusal(request, d.t("rd_bad_op"))
    try:
        op = build(data)
        draft = d.ws.drafts.edit(d.path, d.user_id, op)
    except EditError as exc:
        return refusal(request, exc.message(d.lang), 422)
    return answer(request, d, draft, {"clear_message": True})


def _index(data: FormData) -> int:
    raw = str(data.get("index") or "")
    if not raw.isdigit() or len(raw) > 4:
        raise EditError("no entry at that position; reload the designer", "该位置没有内容,请刷新设计器")
    return int(raw)


def _field(data: FormData, name: str) -> str:
    return str(data.get(name) or "").strip()[:MAX_TEXT]


def _label(data: FormData) -> dict[str, str] | None:
    zh, en = _field(data, "label_zh"), _field(data, "label_en")
    return {"zh": zh or en, "en": en or zh} if zh or en else None


def _changes(values: dict[str, Any]) -> dict[str, Any]:
    """A change operation's `set` (given values) and `unset` (empty ones)."""
    return {"set": {k: v for k, v in values.items() if v not in (None, "")},
            "unset": [k for k, v in values.items() if v in (None, "")]}


def _dimension(data: FormData) -> dict[str, Any]:
    bucket = _field(data, "bucket")
    if bucket and bucket not in BUCKETS:
        raise EditError("unknown date bucket", "未知的日期分组")
    return {"op": "report_change_dimension", "index": _index(data),
            **_changes({"bucket": bucket, "label": _label(data)})}


def _measure(data: FormData) -> dict[str, Any]:
    aggregate = _field(data, "aggregate")
    if aggregate not in (*AGGREGATES, "formula"):
        raise EditError("unknown aggregate", "未知的汇总方式")
    fmt = _field(data, "format")
    if fmt and fmt not in FORMATS:
        raise EditError("unknown format", "未知的格式")
    formula = aggregate == "formula"
    duration = aggregate == "duration"
    values: dict[str, Any] = {
        "aggregate": None if formula else aggregate, "formula": _field(data, "formula") if formula else None,
        "field": _field(data, "field") if aggregate not in ("count", "duration", "formula") else None,
        "from": _field(data, "from") if duration else None, "to": _field(data, "to") if duration else None,
        "format": fmt, "label": _label(data)}
    return {"op": "report_change_measure", "index": _index(data), **_changes(values)}


def _chart(data: FormData) -> dict[str, Any]:
    """The chart's switches and numbers (its other options, e.g. a pivot's layout, are kept)."""
    options: dict[str, Any] = {}
    for key in data.getlist("bool_options"):
        options[str(key)[:40]] = data.get(f"opt_{key}") == "1"
    for key in data.getlist("number_options"):
        raw = _field(data, f"opt_{key}")
        if raw:
            try:
                options[str(key)[:40]] = float(raw) if "." in raw else int(raw)
            except ValueError:
                raise EditError(f"'{raw[:20]}' is not a number", f"“{raw[:20]}”不是数字") from None
        else:
            options[str(key)[:40]] = None
    return {"op": "report_set_options", "set": options}


def _pivot(data: FormData) -> dict[str, Any]:
    """Each dimension down the side or across (`place_<id>`), subtotals and totals."""
    places = {str(k)[6:46]: str(data.get(k)) for k in data.keys() if str(k).startswith("place_")}
    rows = [d for d, p in places.items() if p == "rows"]
    columns = [d for d, p in places.items() if p == "columns"]
    return {"op": "report_set_pivot", "rows": rows, "columns": columns,
            "subtotals": data.get("subtotals") == "1", "totals": data.get("totals") == "1"}


def _axes(data: FormData) -> dict[str, Any]:
    """Each measure's axis (`side_<id>`: left, right or none) and drawing (`drawing_<id>`)."""
    sides = {str(k)[5:45]: str(data.get(k)) for k in data.keys() if str(k).startswith("side_")}
    return {"op": "report_set_axes", "left": [m for m, s in sides.items() if s == "left"],
            "right": [m for m, s in sides.items() if s == "right"],
            "series": {m: _field(data, f"drawing_{m}") for m in sides if sides[m] != "none" and _field(data, f"drawing_{m}")}}


def _more(data: FormData) -> dict[str, Any]:
    by, limit = _field(data, "sort_by"), _field(data, "limit")
    if limit and not limit.isdigit():
        raise EditError("the top N must be a whole number from 1 to 1000", "前 N 名须为 1 到 1000 的整数")
    label = _label(data)
    return {"op": "report_set", "set": {
        **({"label": label} if label else {}),
        "sort": [{"by": by, **({"desc": True} if data.get("desc") == "1" else {})}] if by else None,
        "limit": int(limit) if limit else None, "others": None if data.get("others") == "1" or not limit else False,
        "compare": "previous_period" if data.get("compare") == "1" else None}}


def _source(data: FormData) -> dict[str, Any]:
    return {"op": "report_set", "set": {"form": _field(data, "form")}}


SETTINGS = {"dimension": _dimension, "measure": _measure, "chart": _chart, "pivot": _pivot, "axes": _axes, "more": _more,
            "source": _source}


def _filter_field(d: DocDesign, draft: Draft, index: int) -> tuple[list[dict[str, Any]], FieldPath]:
    """The draft's filters and the field the one at `index` names (EditError when there is none)."""
    filters = [dict(f) for f in draft.doc.get("filters") or [] if isinstance(f, dict)]
    if index >= len(filters):
        raise EditError("no filter at that position; reload the designer", "该位置没有筛选,请刷新设计器")
    form = str(draft.doc.get("form") or "")
    rt = d.ws.records.runtime(form) if form in d.ws.definitions.forms else None
    found = resolve_path(rt, str(filters[index].get("field") or "")) if rt is not None else None
    if found is None:
        raise EditError("the filter's field is not in the source form", "筛选的字段不在来源表单中")
    return filters, found


@designed("report")
def change_filter(request: Request, d: DocDesign, data: FormData) -> Response:
    """POST one filter's condition and its typed value (the report's filters are written as a whole list)."""
    draft = d.ws.drafts.open(d.path, d.user_id)
    try:
        index = _index(data)
        filters, found = _filter_field(d, draft, index)
        op = _field(data, "op")
        if op not in found.ftype.operators_for(found.field):
            raise EditError("that condition does not fit the field", "该条件不适用于此字段")
        value = stored_value(found.field, op, [str(v)[:MAX_TEXT] for v in data.getlist("value")])
        filters[index] = {"field": filters[index].get("field"), "op": op, **({"value": value} if value is not None else {})}
        draft = d.ws.drafts.edit(d.path, d.user_id, {"op": "report_set", "set": {"filters": filters}})
    except EditError as exc:
        return refusal(request, exc.message(d.lang), 422)
    return answer(request, d, draft, {"clear_message": True})


@designed("report")
def filter_value(request: Request, d: DocDesign) -> Response:
    """GET the value input that fits a filter's field and the chosen condition (`index`, `op`)."""
    draft = d.ws.drafts.open(d.path, d.user_id)
    raw = str(request.query_params.get("index") or "")
    try:
        filters, found = _filter_field(d, draft, int(raw) if raw.isdigit() and len(raw) < 5 else 10_000)
    except EditError as exc:
        return refusal(request, exc.message(d.lang), 404)
    ops = found.ftype.operators_for(found.field)
    op = str(request.query_params.get("op") or "")
    current = filters[int(raw)].get("value") if op == filters[int(raw)].get("op") else None
    v = value_input(d.ws, viewer_of(request).actor, d.lang, found.field, op if op in ops else ops[0], current)
    return render_fragment(request, "_condition_value.html", {"v": v, "vname": "value"})


ROUTES: list[BaseRoute] = [
    Route("/design/reports/{report}", design_report),
    Route("/design/reports/{report}/ops", form_view(apply_op), methods=["POST"]),
    Route("/design/reports/{report}/settings", form_view(settings), methods=["POST"]),
    Route("/design/reports/{report}/filter", form_view(change_filter), methods=["POST"]),
    Route("/design/reports/{report}/filter-value", filter_value),
    Route("/design/reports/{report}/undo", form_view(step), methods=["POST"]),
    Route("/design/reports/{report}/redo", form_view(step), methods=["POST"]),
    Route("/design/reports/{report}/discard", form_view(discard), methods=["POST"]),
    Route("/design/reports/{report}/publish", form_view(publish), methods=["GET", "POST"]),
]
