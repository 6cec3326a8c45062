"""What the property panel, the rules editor and the preview share: the draft of the form named by the URL, the
signed-in designer's id, applying one operation, and the draft's problems by field key or rule."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.definitions.edit_error import EditError
from engine.drafts import Draft
from engine.workspace import Workspace
from web.endpoints import workspace
from web.i18n import choose_language
from web.render import page
from web.views.designer.access import can_design, designer_id, designs_anything, refused
from web.texts.designer_props import translate

DRAFT_CHANGED = {"HX-Trigger": "draft-changed"}


@dataclass
class Designing:
    """The form being designed: its document path, the user's draft and the draft's plain document."""

    ws: Workspace
    form_id: str
    path: str
    user_id: int
    draft: Draft
    lang: str
    _doc: dict[str, Any] | None = None

    @property
    def doc(self) -> dict[str, Any]:
        """The draft as plain data (parsed once per version of the draft)."""
        if self._doc is None:
            self._doc = self.draft.doc
        return self._doc

    def edit(self, op: dict[str, Any]) -> None:
        """Apply one operation to the draft (EditError: nothing changed); an added field's id lands in op["id"]."""
        self.draft = self.ws.drafts.edit(self.path, self.user_id, op)
        self._doc = None

    def t(self, key: str, **params: str | int) -> str:
        return translate(self.lang, key, **params)


@dataclass
class Problems:
    """The draft's problems, placed: by (field pointer, key), by rule index, and the rest."""

    at_key: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    at_rule: dict[int, list[str]] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)

    def of(self, pointer: str, key: str) -> list[str]:
        return self.at_key.get((pointer, key), [])

    def of_field(self, pointer: str) -> list[str]:
        return [m for (p, _), found in self.at_key.items() if p == pointer for m in found]


def fingerprint(value: Any) -> str:
    """A short digest of part of the draft as a page drew it: a post made from an older drawing is not applied."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()[:16]


def designing(request: Request) -> Designing | Response:
    """The signed-in designer's draft of the form in the URL, or the 403/404 page to answer with (administrators
    design every form, an app's administrators the forms of their app)."""
    ws = workspace(request)
    if not designs_anything(request, ws):
        return refused(request)
    form_id = str(request.path_params["form"])
    form = ws.definitions.forms.get(form_id)
    if form is None:
        return page(request, "error.html", {"message": "not_found"}, status=404)
    if not can_design(request, ws, form.app):
        return refused(request)
    user_id = designer_id(request)
    drafts = ws.drafts
    draft = drafts.open(form.source.file, user_id) if request.method == "POST" else \
        drafts.peek(form.source.file, user_id)  # looking at the designer stores no draft
    return Designing(ws, form_id, form.source.file, user_id, draft, choose_language(request))


def problems(d: Designing) -> Problems:
    """The draft's problems placed at the field key (`/fields/3` + `options`) or rule they are about."""
    placed = Problems()
    for problem in d.ws.drafts.problems(d.draft):
        parts, said = problem.pointer.split("/"), problem.text(d.lang)
        if problem.file and problem.file != d.path:
            placed.other.append(said)
        elif len(parts) >= 3 and parts[1] == "rules" and parts[2].isdigit():
            placed.at_rule.setdefault(int(parts[2]), []).append(said)
        elif len(parts) >= 5 and parts[1] == "fields" and parts[3] == "fields" and parts[4].isdigit():
            key = parts[5] if len(parts) > 5 else ""
            placed.at_key.setdefault(("/".join(parts[:5]), key), []).append(said)
        elif len(parts) >= 3 and parts[1] == "fields" and parts[2].isdigit():
            key = parts[3] if len(parts) > 3 else ""
            placed.at_key.setdefault(("/".join(parts[:3]), key), []).append(said)
        else:
            placed.other.append(said)
    return placed


def edit_error_text(exc: EditError, lang: str) -> str:
    """An EditError in the user's language."""
    return str(exc.message(lang))
