"""What the app pages share: reading posted ids and labels, editing app.yaml through the engine's document
operations, and publishing at once with the author and an automatic note."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from engine.definitions.edit_error import EditError
from engine.definitions.editing import apply_operation
from engine.definitions.model import AppDef
from engine.definitions.yamldoc import dump_document, load_document
from engine.errors import DefinitionError, Problem
from engine.workspace import PublishResult
from web.endpoints import workspace
from web.i18n import choose_language, translator
from web.views.designer.access import designer_id

ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_LABEL = 100
MAX_DESCRIPTION = 500


@dataclass
class Refusal(Exception):
    """Input the designer cannot take: messages in the user's language, shown above the form with a 400."""

    messages: list[str] = field(default_factory=list)
    status: int = 400


def app_folder(app: AppDef) -> str:
    """The folder of the app's documents (`crm/client` for `crm/client/app.yaml`)."""
    parent = str(PurePosixPath(app.source.file).parent)
    return "" if parent == "." else parent


def say(request: Request, key: str, **params: Any) -> str:
    """A text in the user's language, with its `{params}` filled in."""
    return translator(choose_language(request))(key).format(**params)


def check_id(request: Request, raw: str, what: str) -> str:
    """A posted id, or a Refusal naming what is wrong with it."""
    value = raw.strip()
    if not value:
        raise Refusal([say(request, f"design_{what}_id_missing")])
    if not ID.match(value):
        raise Refusal([say(request, "design_bad_id", id=value[:60])])
    return value


def posted_text(form: FormData, name: str, limit: int) -> dict[str, str]:
    """A zh/en text from `<name>_zh` and `<name>_en` (empty languages left out), cut to `limit` characters."""
    found = {lang: str(form.get(f"{name}_{lang}") or "").strip()[:limit] for lang in ("zh", "en")}
    return {lang: value for lang, value in found.items() if value}


def posted_label(request: Request, form: FormData) -> dict[str, str]:
    """The posted label in both languages: one language given is used for both; none is a Refusal."""
    label = posted_text(form, "label", MAX_LABEL)
    if not label:
        raise Refusal([say(request, "design_label_missing")])
    return {"zh": label.get("zh") or label["en"], "en": label.get("en") or label["zh"]}


def edited_app(request: Request, app: AppDef, set_: Mapping[str, Any], unset: Sequence[str] = ()) -> str:
    """The app document's text with `set_app` applied (comments and key order kept); a bad edit is a Refusal."""
    path = app.source.file
    doc = load_document(workspace(request).sources()[path], path)
    try:
        apply_operation(doc, {"op": "set_app", "set": dict(set_), "unset": list(unset)})
    except EditError as exc:
        raise Refusal([exc.message(choose_language(request))]) from exc
    return dump_document(doc)


def publish(request: Request, changes: Mapping[str, str | None], note_key: str, **params: Any) -> PublishResult:
    """Publish now, as the signed-in designer, with a note in their language; problems become a Refusal."""
    t = translator(choose_language(request))
    try:
        return workspace(request).publish(dict(changes), author_id=designer_id(request),
                                          comment=t(note_key).format(**params))
    except DefinitionError as exc:
        lang = choose_language(request)
        raise Refusal([t("design_refused_intro")] + [problem_text(p, lang) for p in exc.problems], 409) from exc


def problem_text(problem: Problem, lang: str) -> str:
    """One definition problem as a line in `lang`: the document, what is wrong and the suggestion."""
    return f"{problem.file}: {problem.text(lang)}"



def without_form_permissions(request: Request, form_id: str) -> dict[str, str]:
    """The roles documents with every role's permissions on this form taken out (a removed form has none)."""
    ws = workspace(request)
    files = sorted({r.source.file for r in ws.definitions.roles if form_id in r.permissions})
    sources, changed = ws.sources(), {}
    for path in files:
        doc = load_document(sources[path], path)
        for role in doc.get("roles") or []:
            permissions = role.get("permissions") if hasattr(role, "get") else None
            if permissions is not None and form_id in permissions:
                del permissions[form_id]
        changed[path] = dump_document(doc)
    return changed
