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
from web.endpoints import form_view
from web.render import page
from web.views.designer import doc_design
from web.views.designer.doc_design import DocDesign, designed, refusal, render_fragment
from web.views.designer.report_model import AGGREGATES, BUCKETS, FORMATS, posted_value, report_context

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
    return {"op": "report_set_chart", "type": _field(data, "type"),
            "options": {k: v for k, v in options.items() if v is not False}}


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


SETTINGS = {"dimension": _dimension, "measure": _measure, "chart": _chart, "more": _more, "source": _source}


@designed("report")
def change_filter(request: Request, d: DocDesign, data: FormData) -> Response:
    """POST one filter's condition and value (the report's filters are written as a whole list)."""
    draft = d.ws.drafts.open(d.path, d.user_id)
    filters = [dict(f) for f in draft.doc.get("filters") or [] if isinstance(f, dict)]
    try:
        index = _index(data)
        if index >= len(filters):
            raise EditError("no filter at that position; reload the designer", "该位置没有筛选,请刷新设计器")
        op = _field(data, "op")
        value = posted_value(op, _field(data, "value"))
        filters[index] = {"field": filters[index].get("field"), "op": op, **({"value": value} if value is not None else {})}
        draft = d.ws.drafts.edit(d.path, d.user_id, {"op": "report_set", "set": {"filters": filters}})
    except EditError as exc:
        return refusal(request, exc.message(d.lang), 422)
    return answer(request, d, draft, {"clear_message": True})


ROUTES: list[BaseRoute] = [
    Route("/design/reports/{report}", design_report),
    Route("/design/reports/{report}/ops", form_view(apply_op), methods=["POST"]),
    Route("/design/reports/{report}/settings", form_view(settings), methods=["POST"]),
    Route("/design/reports/{report}/filter", form_view(change_filter), methods=["POST"]),
    Route("/design/reports/{report}/undo", form_view(step), methods=["POST"]),
    Route("/design/reports/{report}/redo", form_view(step), methods=["POST"]),
    Route("/design/reports/{report}/discard", form_view(discard), methods=["POST"]),
    Route("/design/reports/{report}/publish", form_view(publish), methods=["GET", "POST"]),
]
