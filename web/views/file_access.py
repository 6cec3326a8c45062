"""Who may download a stored file: its uploader, an administrator, or someone who can read a record holding it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from engine.definitions.model import FieldDef, FormDef
from engine.errors import FieldError
from engine.files.holders import records_holding
from engine.files.policy import holds_files
from engine.files.store import FileStore, StoredFile
from engine.workspace import Workspace
from web.i18n import choose_language
from web.session import actor_of, current_user


def file_store(ws: Workspace) -> FileStore:
    """The workspace's file store: `<home>/files`."""
    return FileStore(ws.engine, ws.settings.home_path / "files", ws.now)


def may_read_file(ws: Workspace, user: dict[str, Any], stored: StoredFile, lang: str = "zh") -> bool:
    """True for the uploader and administrators; otherwise the user must be able to read a live record whose
    file, image or signature field (not hidden from them) holds the file."""
    if user.get("is_admin") or (stored.created_by is not None and int(stored.created_by) == int(user["id"])):
        return True
    with ws.reading() as conn:
        holders = records_holding(conn, ws.records.runtimes, stored.id)
    actor = actor_of(user, lang)
    for holder in holders:
        if holder.field_id in ws.records.guard(actor, holder.form_id).access.hidden:
            continue
        if ws.records.allowed(actor, holder.form_id, holder.record_id, "read"):
            return True
    return False


def may_download(request: Request, stored: StoredFile) -> bool:
    """Whether the signed-in user may have the file; everyone else is told it does not exist."""
    user = current_user(request)
    return user is not None and may_read_file(request.app.state.ws, user, stored, choose_language(request))


def _referenced_ids(f: FieldDef, value: Any) -> list[str]:
    refs = value if isinstance(value, list) else [value]
    return [str(r["id"]) for r in refs if isinstance(r, Mapping) and isinstance(r.get("id"), str)]


def foreign_files(ws: Workspace, user: dict[str, Any], form: FormDef, values: Mapping[str, Any],
                  lang: str = "zh") -> dict[str, list[FieldError]]:
    """Errors for references (in values sent to the API) to stored files the user could not download: an id
    learnt elsewhere does not become one's own by attaching it. Ids of no stored file are the engine's to judge."""
    wanted: dict[str, tuple[FieldDef, list[str]]] = {}
    for f in form.fields:
        given = values.get(f.id)
        if holds_files(f):
            wanted[f.id] = (f, _referenced_ids(f, given))
        elif f.fields and isinstance(given, list):
            ids = [i for row in given if isinstance(row, Mapping) for c in f.fields if holds_files(c)
                   for i in _referenced_ids(c, row.get(c.id))]
            wanted[f.id] = (f, ids)
    referenced = [i for _, ids in wanted.values() for i in ids]
    if not referenced:  # the usual create: no file named, nothing to look up (no query, no filesystem call)
        return {}
    stored = file_store(ws).many(referenced)
    errors: dict[str, list[FieldError]] = {}
    for field_id, (f, ids) in wanted.items():
        if any(i in stored and not may_read_file(ws, user, stored[i], lang) for i in ids):
            errors[field_id] = [FieldError("file_not_found", {"label": f.label})]
    return errors
