"""/design/forms/{form}: the form designer's page — palette, canvas and property aside — and the canvas's own
requests: one editing operation at a time (applied to the user's server-side draft), undo, redo, discard.

Every answer that changes the draft is the re-rendered canvas plus, out of band, the undo/redo state and the
"draft saved" line; a refused operation answers 4xx with its message, shown at the canvas.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from engine.definitions.edit_error import EditError
from engine.definitions.model import AppDef, FormDef
from engine.drafts import Draft
from engine.i18n import text
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import environment, page
from web.views.designer.access import design_form_view, designer_id
from web.texts.designer_canvas import TEXTS
from web.views.designer.canvas_model import build_canvas, new_field, palette

MAX_OP_CHARS = 200_000  # one operation's JSON (a whole layout of a large form is a few KB)
CANVAS_OPS = frozenset({"add_field", "set_layout", "duplicate_field", "remove_field"})
STEPS = {"undo": "undo", "redo": "redo"}  # posted step → DraftService method


class OpRefused(Exception):
    """A posted operation the canvas does not send: its text key and detail."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(key)
        self.key, self.detail = key, detail


def form_path(form: FormDef) -> str:
    """The stored path of a form's document."""
    return form.source.file


def canvas_context(request: Request, path: str, draft: Draft) -> dict[str, Any]:
    """What the canvas and its out-of-band pieces need."""
    ws = workspace(request)
    form_id = request.path_params["form"]
    problems = ws.drafts.problems(draft)
    doc = draft.doc  # parsed on every access: once here
    return {"form_id": form_id, "base": f"/design/forms/{form_id}", "path": path, "draft": draft,
            "doc": doc, "canvas": build_canvas(doc, problems, choose_language(request)), "problem_count": len(problems)}



def fragment(request: Request, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """The canvas and its out-of-band state, rendered alone (the answer to every canvas request)."""
    lang = choose_language(request)
    html = environment.get_template("design/_canvas_answer.html").render(
        {**context, "lang": lang, "t": translator(lang), "label": lambda v: text(v, lang)})
    return HTMLResponse(html, status_code=status)


def refusal(request: Request, message: str, status: int = 400) -> HTMLResponse:
    """A 4xx answer that the canvas script shows in the canvas's message line."""
    lang = choose_language(request)
    html = environment.get_template("design/_canvas_refusal.html").render(
        {"message": message, "t": translator(lang)})
    response = HTMLResponse(html, status_code=status)
    response.headers["HX-Retarget"] = "#canvas-message"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


@design_form_view
def design_form(request: Request, app: AppDef, form: FormDef) -> Response:
    """GET the designer page of a form, showing the user's draft: opening the designer starts one from the published
    text, so its base is the version the admin saw (a publish by someone else meanwhile is then named); a draft
    with no change in it follows the latest version (after a rollback the page shows the restored form)."""
    path = form_path(form)
    context = canvas_context(request, path, workspace(request).drafts.open(path, designer_id(request), follow=True))
    return page(request, "design/form.html", {**context, "palette": palette(), "new_section": TEXTS["dc_new_section"],
                                             "new_tab": TEXTS["dc_new_tab"]})


@design_form_view
def canvas(request: Request, app: AppDef, form: FormDef) -> Response:
    """GET the canvas alone (after the property panel or another tab changed the draft)."""
    path = form_path(form)
    return fragment(request, canvas_context(request, path, workspace(request).drafts.open(path, designer_id(request))))


def parse_op(raw: Any) -> dict[str, Any]:
    """The posted operation as the engine takes it; OpRefused for anything the canvas never sends."""
    source = str(raw or "")
    if len(source) > MAX_OP_CHARS:
        raise OpRefused("dc_too_big")
    try:
        op = json.loads(source)
    except (ValueError, RecursionError):
        raise OpRefused("dc_bad_json") from None
    if not isinstance(op, dict) or op.get("op") not in CANVAS_OPS:
        name = op.get("op") if isinstance(op, dict) else None
        raise OpRefused("dc_bad_op", str(name)[:60] if isinstance(name, str) else "")
    if op["op"] == "add_field":
        wanted = op.get("field")
        made = new_field(str(wanted.get("type"))) if isinstance(wanted, dict) else None
        if made is None:
            raise OpRefused("dc_unknown_type")
        op["field"] = made
    return op


@design_form_view
def apply_op(request: Request, app: AppDef, form: FormDef, data: FormData) -> Response:
    """POST one canvas operation (`op`, JSON) to the user's draft; answers the re-rendered canvas."""
    path, lang = form_path(form), choose_language(request)
    try:
        op = parse_op(data.get("op"))
    except OpRefused as exc:
        return refusal(request, translator(lang)(exc.key).replace("{detail}", exc.detail))
    try:
        draft = workspace(request).drafts.edit(path, designer_id(request), op)
    except EditError as exc:
        return refusal(request, exc.message(lang), 422)
    return fragment(request, {**canvas_context(request, path, draft), "clear_message": True})


@design_form_view
def step(request: Request, app: AppDef, form: FormDef, data: FormData) -> Response:
    """POST undo or redo (the last segment of the URL) on the user's draft."""
    path = form_path(form)
    method = getattr(workspace(request).drafts, STEPS[request.url.path.rsplit("/", 1)[-1]])
    draft = method(path, designer_id(request))
    return fragment(request, {**canvas_context(request, path, draft), "clear_message": True})


@design_form_view
def discard(request: Request, app: AppDef, form: FormDef, data: FormData) -> Response:
    """POST: throw the user's draft away; the canvas shows the published form again."""
    path, user_id = form_path(form), designer_id(request)
    ws = workspace(request)
    ws.drafts.discard(path, user_id)
    context = canvas_context(request, path, ws.drafts.open(path, user_id))
    return fragment(request, {**context, "notice": "dc_discarded", "clear_message": True})


ROUTES: list[BaseRoute] = [
    Route("/design/forms/{form}", design_form),
    Route("/design/forms/{form}/canvas", canvas),
    Route("/design/forms/{form}/ops", form_view(apply_op), methods=["POST"]),
    Route("/design/forms/{form}/undo", form_view(step), methods=["POST"]),
    Route("/design/forms/{form}/redo", form_view(step), methods=["POST"]),
    Route("/design/forms/{form}/discard", form_view(discard), methods=["POST"]),
]
