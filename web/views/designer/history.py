"""/design/history?path=…: every version of one document (number, author, time, note), what each changed field
by field (labels, not ids) and line by line (the YAML diff), and restoring an older version as a new one."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.definitions.changes import field_changes
from engine.definitions.model import AppDef
from engine.definitions.yamlsource import YamlSyntaxError, safe_data
from engine.errors import DefinitionError
from engine.i18n import text
from engine.lifecycle import LifecycleError, history, rollback
from engine.org.users import display_names
from web.endpoints import form_view, workspace
from web.i18n import choose_language, translator
from web.render import page
from web.views.designer.access import can_design, designable_apps, designer_id, is_admin, refused
from web.views.designer.publishing import app_folder, problem_text

MAX_VERSIONS = 100  # the newest; older ones stay in the database and the CLI's `formwork history`


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff and how it is shown: add, remove, hunk or context."""

    kind: str
    text: str


def diff_lines(before: str | None, after: str | None) -> list[DiffLine]:
    """The unified diff between two texts, each line with its kind."""
    lines = difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(), lineterm="", n=2)
    kinds = {"@@": "hunk", "+": "add", "-": "remove"}
    return [DiffLine(next((k for p, k in kinds.items() if line.startswith(p)), "context"), line)
            for i, line in enumerate(lines) if i >= 2]  # the first two name the files: the page names the versions


def app_of_path(request: Request, path: str) -> AppDef | None:
    """The app a document belongs to (its app.yaml, or a form, report or dashboard in its folders), if any."""
    parts = PurePosixPath(path)
    folder = parts.parent.parent if parts.parent.name in ("forms", "reports", "dashboards") else parts.parent
    shown = "" if str(folder) == "." else str(folder)
    return next((a for a in workspace(request).definitions.apps if app_folder(a) == shown), None)


def may_see(request: Request, path: str) -> bool:
    """Administrators see every document's history; an app's administrators that app's documents."""
    if is_admin(request):
        return True
    app = app_of_path(request, path)
    return app is not None and can_design(request, workspace(request), app.id)


def _labels(*texts: str | None) -> dict[str, Any]:
    """Field id → label, from the fields (and subform columns) of the given versions (later ones win)."""
    found: dict[str, Any] = {}
    for body in texts:
        try:
            data = safe_data(body or "{}")
        except YamlSyntaxError:
            continue
        stack = list(data.get("fields") or []) if isinstance(data, dict) else []
        while stack:
            f = stack.pop()
            if isinstance(f, dict) and f.get("id"):
                found[str(f["id"])] = f.get("label") or f["id"]
                stack.extend(f.get("fields") or [])
    return found


def key_label(key: str, t: Callable[[str], str]) -> str:
    """A field property's name in words ('必填' for required), or the key itself for one without a text."""
    shown = t(f"design_key_{key}")
    return key if shown == f"design_key_{key}" else shown


def _versions(request: Request, path: str) -> tuple[list[dict[str, Any]], bool]:
    """The newest versions as the page shows them, and whether older ones were left out."""
    ws, lang = workspace(request), choose_language(request)
    rows = history(ws, path)[:MAX_VERSIONS + 1]
    with ws.reading() as conn:
        names = display_names(conn, [int(str(r["author_id"])) for r in rows if r["author_id"] is not None])
    texts = [r["text"] if isinstance(r["text"], str) else None for r in rows]
    shown = []
    for i, row in enumerate(rows[:MAX_VERSIONS]):
        first = i + 1 == len(rows) and int(str(row["version"])) == 1
        before, after = (texts[i + 1] if i + 1 < len(rows) else None), texts[i]
        labels = _labels(before, after)
        changes = [] if first else [{"label": text(c.label or labels.get(c.field, c.field), lang), "kind": c.kind,
                                     "props": c.keys} for c in field_changes(before, after)]
        author = row["author_id"]
        shown.append({**row, "author_name": names.get(author) if isinstance(author, int) else None, "first": first,
                      "removed": after is None, "changes": changes, "diff": diff_lines(before, after),
                      "latest": i == 0})
    return shown, len(rows) > MAX_VERSIONS


def history_page(request: Request, path: str, errors: list[str] | None = None, status: int = 200) -> Response:
    """The page (again, with the refusal, after a rollback that could not be published)."""
    if not designable_apps(request, workspace(request)) or not may_see(request, path):
        return refused(request)
    try:
        versions, more = _versions(request, path)
    except LifecycleError as exc:
        raise HTTPException(404) from exc
    app = app_of_path(request, path)
    done = request.query_params.get("done")
    t = translator(choose_language(request))
    ctx = {"path": path, "versions": versions, "app": app, "nav": "history", "errors": errors or [],
           "key_label": lambda key: key_label(key, t),
           "more": more, "notice": done == "restored"}
    return page(request, "design/history.html", ctx, status=status)


def history_view(request: Request) -> Response:
    """GET /design/history?path=<document path>."""
    path = request.query_params.get("path", "")
    if not path or len(path) > 255:
        raise HTTPException(404)
    return history_page(request, path)


def restore(request: Request, form: FormData) -> Response:
    """Publish an older version's text as a new version (records kept), as the signed-in designer."""
    path, raw = str(form.get("path") or ""), str(form.get("version") or "")
    if not designable_apps(request, workspace(request)) or not may_see(request, path):
        return refused(request)
    t = translator(choose_language(request))
    if not raw.isdigit() or len(raw) > 9:
        return history_page(request, path, [t("design_bad_version")], 400)
    try:
        rollback(workspace(request), path, int(raw), note=t("design_note_rollback").format(version=raw),
                 author_id=designer_id(request))
    except LifecycleError:
        return history_page(request, path, [t("design_bad_version")], 400)
    except DefinitionError as exc:
        lang = choose_language(request)
        return history_page(request, path, [t("design_refused_intro")] + [problem_text(p, lang) for p in exc.problems],
                            409)

    return RedirectResponse(f"/design/history?path={quote(path)}&done=restored", status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/design/history", history_view),
    Route("/design/history/restore", form_view(restore), methods=["POST"]),
]
