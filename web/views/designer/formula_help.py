"""The formula editor's server side: what autocomplete offers (the fields a formula may name, the function
library) and the live type check of a formula against the draft form, with the error's position."""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine.definitions.model import FormDef
from engine.definitions.scope import FormScope
from engine.errors import FormulaError
from engine.formulas import FUNCTIONS, check, compile_formula
from engine.formulas.catalogue import functions_help
from engine.i18n import text
from web.endpoints import form_view
from web.i18n import choose_language
from web.render import page
from web.texts.designer_props import FORMULA_TYPES, translate
from web.views.designer.access import design_view
from web.views.designer.draft_access import Designing, designing
from web.views.designer.draft_defs import draft_load

MAX_FORMULA = 10_000


@dataclass(frozen=True)
class Verdict:
    """A formula's check: its result type, or the error and where it is."""

    formula: str
    type: str = ""
    error: str = ""
    position: int | None = None


def scope_form(d: Designing, scope: str) -> FormDef | None:
    """The form a formula is about (this draft's form, or a rollup's source), from the draft's definitions (the
    published ones when the draft cannot be built at all)."""
    defs = draft_load(d.ws, d.path, d.draft.text).definitions
    form = defs.forms.get(scope or d.form_id)
    return form if form is not None else d.ws.definitions.forms.get(scope or d.form_id)


def verdict(d: Designing, formula: str, scope: str = "", parent: str = "") -> Verdict:
    """Type-check `formula` in the form (or one row of the subform `parent`) as the draft defines it."""
    if not formula.strip():
        return Verdict(formula)
    form = scope_form(d, scope)
    if form is None:
        return Verdict(formula, error=d.t("dp_no_form"))
    defs = draft_load(d.ws, d.path, d.draft.text).definitions
    row = form.field(parent) if parent else None
    form_scope = FormScope(defs if form.id in defs.forms else d.ws.definitions, form, row)
    try:
        ftype = check(compile_formula(formula), form_scope.type_of, candidates=form_scope.names())
    except FormulaError as exc:
        return Verdict(formula, error=text(exc.message, d.lang), position=exc.position)

    return Verdict(formula, type=str(ftype))


def type_name(name: str, lang: str) -> str:
    """A formula type in words (a list of a type reads as that type's words)."""
    base = name.removeprefix("list[").removesuffix("]") if name.startswith("list[") else name
    words = FORMULA_TYPES.get(base, FORMULA_TYPES["any"])
    return words.get(lang, words["en"]) + (" …" if base != name else "")


def suggestions(d: Designing, scope: str = "", parent: str = "") -> str:
    """JSON for the editor's autocomplete: the fields (id and label) and the functions (name and signature)."""
    form = scope_form(d, scope)
    fields: list[dict[str, str]] = []
    if form is not None:
        row = form.field(parent) if parent else None
        for f in [*(row.fields if row is not None else ()), *form.fields]:
            fields.append({"id": f.id, "label": text(f.label, d.lang)})
    functions = [{"name": name, "signature": fn.signature or f"{name}()"} for name, fn in sorted(FUNCTIONS.items())]
    return json.dumps({"fields": fields, "functions": functions}, ensure_ascii=False)


@form_view
def formula_check(request: Request, data: FormData) -> Response:
    """POST a formula (the input named by `?input=`): its result type, or the error with a caret under it."""
    d = designing(request)
    if isinstance(d, Response):
        return d
    name = request.query_params.get("input", "formula")
    formula = str(data.get(name) or "")[:MAX_FORMULA]
    found = verdict(d, formula, request.query_params.get("scope", ""), request.query_params.get("parent", ""))
    return page(request, "design/_formula_check.html", {
        "v": found, "tp": d.t, "type_words": type_name(found.type, d.lang) if found.type else ""})


def result_words(name: str, lang: str) -> str:
    """A catalogue result type in words: `文本`, `文本列表` / `text`, `list of text`."""
    if name.startswith("list[") and name.endswith("]"):
        words = type_name(name[5:-1], lang)
        return f"{words}列表" if lang == "zh" else f"list of {words}"
    return type_name(name, lang)


@design_view
def formula_functions(request: Request) -> Response:
    """The function catalogue in the viewer's language, for the formula editor's autocomplete and help: each
    function's signature, result type, category, one-line description and an example with its result."""
    lang = choose_language(request)
    functions = [{**f, "result": result_words(f["result"], lang)} for f in functions_help(lang)]
    return JSONResponse({"functions": functions,
                         "labels": {"example": translate(lang, "dp_formula_example")}},
                        headers={"Cache-Control": "private, max-age=600", "Vary": "Cookie, Accept-Language"})


ROUTES: list[Route] = [
    Route("/design/forms/{form}/formula", formula_check, methods=["POST"]),
    Route("/design/formula-functions", formula_functions),
]
