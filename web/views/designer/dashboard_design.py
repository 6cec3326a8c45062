"""/design/dashboards/{dashboard}: the dashboard designer — the dashboard's 12-column grid with each item's live
chart, moved by drag (its order in the flow) and resized by its corner (or the buttons on each box); a side panel
adds a report or a text block and edits the filter components, links, roles and name. Each change is one operation
on the signed-in designer's draft; publish, history and rollback as for forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from engine.definitions.edit_error import EditError
from engine.drafts import Draft
from engine.i18n import text
from web.endpoints import form_view
from web.render import page
from web.views.designer import doc_design
from web.views.designer.analysis import document_path
from web.views.designer.board_components import (
    add_component, add_text, component_cards, edit_component, edit_text, fitting_fields,
)
from web.views.designer.doc_design import DocDesign, designed, refusal, render_fragment
from web.views.designer.report_model import placed_problems
from web.views.reports.access import viewer_of
from web.views.reports.shown import show

MAX_TEXT = 500


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def board_context(request: Request, d: DocDesign, draft: Draft) -> dict[str, Any]:
    doc, lang = draft.doc, d.lang
    reports = d.ws.definitions.reports
    problems = placed_problems(d, draft)
    viewer = viewer_of(request)
    items: list[dict[str, Any]] = []
    for i, raw in enumerate(_list(doc.get("items"))):
        item = raw if isinstance(raw, Mapping) else {}
        rid = str(item.get("report") or "").rpartition(".")[2]
        report = reports.get(rid) if rid else None
        name = text(report.label, lang) if report is not None else (
            text(item.get("title") or item["text"], lang) if item.get("text") else rid or "?")
        w, h = item.get("w", 6), item.get("h", 3)
        items.append({"i": i, "w": w if isinstance(w, int) else 6, "h": h if isinstance(h, int) else 3,
                      "x": item.get("x"), "y": item.get("y"), "name": name, "is_text": "text" in item,
                      "title": _both(item.get("title")), "text": _both(item.get("text")),
                      "shown": show(viewer, report) if report is not None else None,
                      "problems": problems.get(f"items/{i}", [])})
    on_board = [it for it in items if it["shown"] is not None]
    board_reports = list({it["shown"].report.id: it["shown"].report for it in on_board}.values())
    fitting = fitting_fields(viewer, board_reports)
    filters = [f for f in _list(doc.get("filters")) if isinstance(f, Mapping)]
    links = [link for link in _list(doc.get("links")) if isinstance(link, Mapping)]
    folder = document_path(d.app, "report", "x")[:-len("x.yaml")]
    app_reports = sorted((r for r in reports.values() if r.source.file.startswith(folder)), key=lambda r: text(r.label, lang))
    return {
        "d": d, "base": d.base, "path": d.path, "draft": draft, "doc": doc, "items": items, "problems": problems,
        "problem_count": sum(len(v) for v in problems.values()), "app_reports": app_reports,
        "board_reports": list(dict.fromkeys((it["shown"].report.id, it["name"]) for it in on_board)),
        "components": component_cards(viewer, filters, board_reports, fitting, problems), "fitting": fitting,
        "links": [{"i": i, "from": _name(reports, link.get("from"), lang),
                   "to": ", ".join(_name(reports, t, lang) for t in _list(link.get("to"))),
                   "problems": problems.get(f"links/{i}", [])} for i, link in enumerate(links)],
        "roles": d.ws.definitions.roles,
        "board_roles": [str(r) for r in _list(doc.get("roles"))], "label_value": doc.get("label") or {},
    }


def _both(value: Any) -> dict[str, str]:
    """A text as its zh and en inputs show it."""
    if isinstance(value, Mapping):
        return {"zh": str(value.get("zh") or ""), "en": str(value.get("en") or "")}
    return {"zh": str(value or ""), "en": str(value or "")}


def _name(reports: Mapping[str, Any], ref: Any, lang: str) -> str:
    rid = str(ref or "").rpartition(".")[2]
    return text(reports[rid].label, lang) if rid in reports else rid


def answer(request: Request, d: DocDesign, draft: Draft, extra: dict[str, Any]) -> Response:
    return render_fragment(request, "design/_dashboard_answer.html", {**board_context(request, d, draft), **extra})


@designed("dashboard")
def design_dashboard(request: Request, d: DocDesign) -> Response:
    draft = d.ws.drafts.open(d.path, d.user_id, follow=d.published)
    return page(request, "design/dashboard.html", board_context(request, d, draft))


@designed("dashboard")
def apply_op(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.apply_posted(request, d, data, answer)


@designed("dashboard")
def step(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.step(request, d, answer)


@designed("dashboard")
def discard(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.discard(request, d, answer)


@designed("dashboard")
def publish(request: Request, d: DocDesign, data: FormData) -> Response:
    return doc_design.publish_dialog(request, d, data)


def _field(data: FormData, name: str) -> str:
    return str(data.get(name) or "").strip()[:MAX_TEXT]


def _texts(data: FormData, name: str) -> dict[str, str] | None:
    zh, en = _field(data, f"{name}_zh"), _field(data, f"{name}_en")
    return {"zh": zh or en, "en": en or zh} if zh or en else None


def _add_link(data: FormData) -> dict[str, Any]:
    return {"op": "dashboard_add_link", "link": {"from": _field(data, "from"),
                                                 "to": [str(t)[:80] for t in data.getlist("to")]}}


def _board(data: FormData) -> dict[str, Any]:
    label = _texts(data, "label")
    if label is None:
        raise EditError("the dashboard needs a name", "看板需要名称")
    return {"op": "dashboard_set", "set": {"label": label, "roles": [str(r)[:40] for r in data.getlist("roles")] or None}}


SETTINGS = {"text": add_text, "text_edit": edit_text, "component": add_component, "component_edit": edit_component,
            "link": _add_link, "board": _board}


@designed("dashboard")
def settings(request: Request, d: DocDesign, data: FormData) -> Response:
    """POST a side-panel or text-block form (`what`: text, text_edit, component, component_edit, link, board) as
    one operation."""
    build = SETTINGS.get(_field(data, "what"))
    if build is None:
        return refusal(request, d.t("rd_bad_op"))
    try:
        draft = d.ws.drafts.edit(d.path, d.user_id, build(data))
    except EditError as exc:
        return refusal(request, exc.message(d.lang), 422)
    return answer(request, d, draft, {"clear_message": True})


ROUTES: list[BaseRoute] = [
    Route("/design/dashboards/{dashboard}", design_dashboard),
    Route("/design/dashboards/{dashboard}/ops", form_view(apply_op), methods=["POST"]),
    Route("/design/dashboards/{dashboard}/settings", form_view(settings), methods=["POST"]),
    Route("/design/dashboards/{dashboard}/undo", form_view(step), methods=["POST"]),
    Route("/design/dashboards/{dashboard}/redo", form_view(step), methods=["POST"]),
    Route("/design/dashboards/{dashboard}/discard", form_view(discard), methods=["POST"]),
    Route("/design/dashboards/{dashboard}/publish", form_view(publish), methods=["GET", "POST"]),
]
