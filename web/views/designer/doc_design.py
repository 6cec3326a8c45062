"""What the report and dashboard designers share: finding the document the URL names (published, or a new one in
the signed-in designer's drafts), who may design it (administrators, and the administrators of its app), applying
one posted operation to the draft, undo, redo, discard, and the publish dialog (the form designer's, with the
document's changes as its plan: a report or dashboard has no schema step)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from engine.definitions.edit_error import EditError
from engine.definitions.model import AppDef
from engine.drafts import Draft, DraftConflict
from engine.errors import DefinitionError
from engine.i18n import text
from engine.workspace import Workspace
from web.endpoints import workspace
from web.i18n import choose_language, translator
from web.render import environment, page
from web.texts.designer_canvas import TEXTS as CANVAS_TEXTS
from web.texts.report_designer import TEXTS as DESIGNER_TEXTS
from web.views.designer.access import can_design, designer_id, designs_anything, refused
from web.views.designer.publishing import app_folder

MAX_OP_CHARS = 50_000
UNIT_TEXTS = {**CANVAS_TEXTS, **DESIGNER_TEXTS}


@dataclass
class DocDesign:
    """A report or dashboard being designed: its kind (`report`, `dashboard`), id, app, path and the user's draft."""

    ws: Workspace
    kind: str
    id: str
    app: AppDef
    path: str
    user_id: int
    lang: str
    published: bool

    @property
    def base(self) -> str:
        return f"/design/{self.kind}s/{self.id}"

    @property
    def page_url(self) -> str:
        return f"/apps/{self.app.id}/{self.kind}s/{self.id}"

    def t(self, key: str) -> str:
        return translator(self.lang)(key)


def app_of_document(ws: Workspace, path: str) -> AppDef | None:
    """The app whose folder holds `<folder>/reports/<id>.yaml` or `<folder>/dashboards/<id>.yaml`."""
    folder = str(PurePosixPath(path).parent.parent)
    folder = "" if folder == "." else folder
    return next((a for a in ws.definitions.apps if app_folder(a) == folder), None)


def locate(request: Request, kind: str) -> DocDesign | Response:
    """The document in the URL, or the 403/404 page to answer with."""
    ws = workspace(request)
    if not designs_anything(request, ws):
        return refused(request)
    doc_id = str(request.path_params[kind])
    defs = ws.definitions.reports if kind == "report" else ws.definitions.dashboards
    user_id = designer_id(request)
    item = defs.get(doc_id)
    path = item.source.file if item is not None else next(
        (str(d["path"]) for d in ws.drafts.of_user(user_id) if str(d["path"]).endswith(f"/{kind}s/{doc_id}.yaml")),
        None)
    app = app_of_document(ws, path) if path else None
    if path is None or app is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    if not can_design(request, ws, app.id):
        return refused(request)
    return DocDesign(ws, kind, doc_id, app, path, user_id, choose_language(request), item is not None)


def designed(kind: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Wrap a view of `/design/<kind>s/{id}…`: it gets the DocDesign (then the posted form)."""
    def wrap(view: Callable[..., Response]) -> Callable[..., Response]:
        def guarded(request: Request, *args: Any) -> Response:
            found = locate(request, kind)
            return found if isinstance(found, Response) else view(request, found, *args)
        guarded.__name__ = view.__name__
        guarded.__doc__ = view.__doc__
        return guarded
    return wrap


def parse_op(raw: Any, prefix: str) -> dict[str, Any] | str:
    """The posted operation (JSON), or the text key of why it is refused: only this kind's operations."""
    source = str(raw or "")
    if len(source) > MAX_OP_CHARS:
        return "dc_too_big"
    try:
        op = json.loads(source)
    except (ValueError, RecursionError):
        return "dc_bad_json"
    if not isinstance(op, dict) or not isinstance(op.get("op"), str) or not op["op"].startswith(prefix):
        return "rd_bad_op"
    return op


def render_fragment(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    lang = choose_language(request)
    html = environment.get_template(template).render(
        {**context, "lang": lang, "t": translator(lang), "label": lambda v: text(v, lang)})
    return HTMLResponse(html, status_code=status)


def refusal(request: Request, message: str, status: int = 400) -> HTMLResponse:
    """A refused operation: its message in the designer's message line (as the form designer does)."""
    response = render_fragment(request, "design/_canvas_refusal.html", {"message": message}, status)
    response.headers["HX-Retarget"] = "#canvas-message"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


Answer = Callable[[Request, DocDesign, Draft, dict[str, Any]], Response]


def apply_posted(request: Request, d: DocDesign, data: FormData, answer: Answer) -> Response:
    """POST one operation to the draft; the re-rendered designer, or the refusal."""
    op = parse_op(data.get("op"), d.kind + "_")
    if isinstance(op, str):
        return refusal(request, d.t(op).replace("{detail}", ""))
    try:
        draft = d.ws.drafts.edit(d.path, d.user_id, op)
    except EditError as exc:
        return refusal(request, exc.message(d.lang), 422)
    return answer(request, d, draft, {"clear_message": True})


def step(request: Request, d: DocDesign, answer: Answer) -> Response:
    """POST undo or redo (the URL's last segment)."""
    method = d.ws.drafts.undo if request.url.path.endswith("/undo") else d.ws.drafts.redo
    return answer(request, d, method(d.path, d.user_id), {"clear_message": True})


def discard(request: Request, d: DocDesign, answer: Answer) -> Response:
    """POST: drop the draft. A document never published is gone with it: back to its app's designer page."""
    d.ws.drafts.discard(d.path, d.user_id)
    if not d.published:
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = f"/design/apps/{d.app.id}"
        return response
    return answer(request, d, d.ws.drafts.open(d.path, d.user_id), {"notice": "dc_discarded", "clear_message": True})


def publish_dialog(request: Request, d: DocDesign, data: FormData) -> Response:
    """GET the plan of the draft (problems, another admin's publish, what changed); POST publishes it."""
    template = "design/_canvas_publish.html"
    if request.method == "GET":
        return page(request, template, _dialog(d))
    note = str(data.get("note") or "").strip()[:2_000]
    try:
        d.ws.drafts.publish(d.path, d.user_id, note)
    except DraftConflict as exc:
        return page(request, template, {**_dialog(d), "refused": exc.conflict, "note": note}, status=409)
    except DefinitionError:
        return page(request, template, {**_dialog(d), "note": note}, status=422)
    defs = d.ws.definitions.reports if d.kind == "report" else d.ws.definitions.dashboards
    item = defs.get(d.id)
    response = page(request, template, {"published": True, "list_url": d.page_url,
                                        "open_key": f"rd_pub_open_{'report' if d.kind == 'report' else 'board'}",
                                        "form_label": item.label if item is not None else d.id})
    response.headers["HX-Trigger"] = "draft-changed"
    return response


def _dialog(d: DocDesign) -> dict[str, Any]:
    draft = d.ws.drafts.open(d.path, d.user_id)
    plan = d.ws.drafts.plan(d.path, d.user_id)
    return {"base": d.base, "draft": draft, "doc": draft.doc, "plan": plan, "conflict": plan.conflict,
            "problems": plan.problems, "labels": {}, "blocked": not plan.publishable, "steps": [], "impacts": [],
            "lossy": False, "note": "", "unit_texts": UNIT_TEXTS}
