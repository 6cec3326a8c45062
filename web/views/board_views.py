"""What the list's other views (kanban, calendar, gallery) share: the form and the field `?by=` names, the list's
conditions read from the query, the refusals (404, 400 naming the problem), and the title bar's context (the 视图 and
更多 menus, the condition chips, the way back to the list)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.definitions.model import FieldDef, FormDef
from engine.workspace import Workspace
from web.i18n import choose_language, translator
from web.render import page
from web.views.listing import base_url, chips, request_state
from web.views.liststate import ListState, problem_text
from web.views.records import _form_or_404
from web.views.viewmenu import menu_context


@dataclass(frozen=True)
class Opened:
    """A view asked for: the form, the field it is drawn on, the reader's language and the list's conditions."""

    ws: Workspace
    form: FormDef
    by: FieldDef
    lang: str
    state: ListState

    @property
    def base(self) -> str:
        return base_url(self.form)

    def context(self, request: Request, view: str, **more: Any) -> dict[str, Any]:
        """The title bar's context for the view `view` ("kanban", "calendar", "gallery") and `more` of its own;
        `unfiltered` (the view without conditions) keeps only ?by= unless `more` says otherwise."""
        list_url = self.state.url(self.base, extra={})
        return {**menu_context(self.ws, self.form, self.state, self.lang, f"{view}:{self.by.id}", list_url),
                "form": self.form, "by": self.by, "base": self.base, "list_url": list_url,
                "chips": chips(request, self.form, self.state, self.lang),
                "unfiltered": f"{self.base}/{view}?by={self.by.id}", **more}


def open_view(request: Request, fields_of: Callable[[FormDef], Sequence[FieldDef]],
              extra: tuple[str, ...] = ("by",)) -> Opened | Response:
    """The view's form and field (?by=, else the first that fits) with the list's conditions; the refusal to send
    instead: 404 for an unknown form or field, 400 naming a condition that does not read."""
    form = _form_or_404(request)
    by = chosen_field(request, fields_of(form)) if form is not None else None
    if form is None or by is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    lang = choose_language(request)
    state = request_state(request, form, extra=extra)
    if state.problems:
        return bad_query(request, problem_text(state.problems[0], translator(lang), lang))
    return Opened(request.app.state.ws, form, by, lang, state)


def chosen_field(request: Request, fields: Sequence[FieldDef]) -> FieldDef | None:
    """The field named by ?by= among `fields`, or the first of them; None when ?by= names another (or none fit)."""
    wanted = request.query_params.get("by", "")
    return next((f for f in fields if f.id == wanted), None if wanted else (fields[0] if fields else None))


def bad_query(request: Request, detail: str) -> Response:
    """400: the page says what in the query does not read."""
    return page(request, "error.html", {"message": "bad_query", "detail": detail}, status=400)
