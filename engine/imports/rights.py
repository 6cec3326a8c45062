"""Who may import: the `import` right on the form, with create (and update when rows update records)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.errors import NotFound
from engine.imports.errors import ImportRefused
from engine.imports.mapping import UPDATE, FieldChoice, ImportOptions, importable_fields
from engine.records.model import Actor
from engine.records.runtime import FormRuntime

if TYPE_CHECKING:
    from engine.workspace import Workspace

IMPORT_RIGHT = "import"


def may_import(ws: Workspace, actor: Actor, form_id: str) -> bool:
    """Whether `actor` may import into the form at all (import and create): the list page's Import button."""
    try:
        access = ws.records.guard(actor, form_id).access
    except (KeyError, NotFound):
        return False
    return access.can(IMPORT_RIGHT) and access.can("create")


def check_rights(ws: Workspace, actor: Actor, form_id: str, options: ImportOptions | None = None) -> FormRuntime:
    """The form's runtime when `actor` may run this import; ImportRefused("no_right") otherwise."""
    try:
        rt = ws.records.runtime(form_id)
        access = ws.records.guard(actor, form_id).access
    except (KeyError, NotFound):
        raise ImportRefused("not_found") from None
    updating = options is not None and bool(options.key) and options.on_duplicate == UPDATE
    needed = [IMPORT_RIGHT, "create", *(["update"] if updating else [])]
    if not all(access.can(op) for op in needed):
        raise ImportRefused("no_right_update" if updating else "no_right")
    return rt


def writable_fields(ws: Workspace, actor: Actor, form_id: str) -> list[FieldChoice]:
    """The fields `actor` may fill by an import, in form order (importable_fields under the actor's field
    access: hidden and read-only fields left out)."""
    return importable_fields(ws.records.runtime(form_id).form, field_access(ws, actor, form_id))


def field_access(ws: Workspace, actor: Actor, form_id: str) -> Callable[[str], bool]:
    """Whether `actor` may write a field of the form (its id)."""
    return ws.records.guard(actor, form_id).access.writable
