"""Forms removed from the definitions: their documents' last text and their tables, kept until purged.

Removing a form publishes its document as removed; sync keeps its table (and its subforms' tables) with every
record, so publishing the last text again restores it whole. Purging drops those tables for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from engine.audit import record_audit
from engine.definitions.yamlsource import YamlSyntaxError, safe_data
from engine.storage import documents
from engine.storage.database import read_transaction, write_transaction
from engine.storage.sync import form_tables_present, purge_tables

if TYPE_CHECKING:
    from engine.workspace import Workspace


class PurgeRefused(Exception):
    """A purge that cannot be done: the form is defined again, or nothing of it is left."""


@dataclass(frozen=True)
class RemovedForm:
    """A form whose document was removed: where it was, its last text and the tables still holding its data."""

    path: str
    form_id: str
    label: object  # the i18n label of the last text
    last_text: str
    removed_version: int
    removed_at: datetime
    removed_by: int | None
    tables: tuple[str, ...]


def form_path(app_folder: str, form_id: str) -> str:
    """Where a form of the app stored in `app_folder` lives."""
    return f"{app_folder}/forms/{form_id}.yaml" if app_folder else f"forms/{form_id}.yaml"


def _read(text: str, path: str) -> dict[str, object]:
    try:
        data = safe_data(text, path)
    except YamlSyntaxError:
        return {}
    return data if isinstance(data, dict) else {}


def removed_forms(ws: Workspace, app_folder: str, app_id: str) -> list[RemovedForm]:
    """The removed forms of one app, with the tables that still hold their records."""
    with read_transaction(ws.engine) as conn:
        folder = PurePosixPath(form_path(app_folder, "x")).parent
        rows = documents.removed_under(conn, f"{folder}/")
        found = []
        for row in rows:
            path, text = str(row["path"]), str(row["last_text"])
            if PurePosixPath(path).suffix != ".yaml" or PurePosixPath(path).parent != folder:
                continue
            data = _read(text, path)
            form_id = str(data.get("form") or PurePosixPath(path).stem)
            tables = form_tables_present(conn, f"f_{app_id}_{form_id}")
            found.append(RemovedForm(path, form_id, data.get("label") or form_id, text, int(str(row["version"])),
                                     row["created_at"], row["author_id"], tuple(tables)))  # type: ignore[arg-type]
    return found


def purge_form(ws: Workspace, removed: RemovedForm, *, actor_id: int, address: str | None = None) -> list[str]:
    """Drop the kept tables of a removed form and audit it, in one transaction; returns the tables dropped."""
    if removed.form_id in ws.definitions.forms:
        raise PurgeRefused(f"form '{removed.form_id}' is defined again; its table is in use")
    with write_transaction(ws.engine) as conn:
        tables = [t for t in removed.tables if t in form_tables_present(conn, t)]
        if not tables:
            raise PurgeRefused(f"form '{removed.form_id}' has no kept table left")
        purge_tables(conn, ws.definitions, tables)
        record_audit(conn, ws.now(), "form_purged", actor_id=actor_id, target=removed.path, address=address,
                     detail={"form": removed.form_id, "tables": tables})
    return tables
