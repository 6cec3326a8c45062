"""The two toolbar menus every view of a form's records shares (table, kanban, calendar, gallery): "View" lists the
other ways to see the same records (keeping the list's filters and search), "More" the export, import and bin links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from engine.definitions.kanban import calendar_fields, gallery_fields, grouping_fields
from engine.definitions.model import FormDef
from engine.i18n import text
from engine.workspace import Workspace
from web.i18n import translator
from web.views.liststate import URL_SAFE, ListState

# the kinds of view keyed by their path under the form, each with the fields it can use and its name in the menu
VIEW_KINDS = (("kanban", grouping_fields), ("calendar", calendar_fields), ("gallery", gallery_fields))


def filter_query(state: ListState) -> str:
    """The list's conditions and search as a query string, carried from one view to another."""
    return urlencode([(k, v) for k, v in state.params(view=False) if k in ("f", "q")], safe=URL_SAFE)


def view_items(ws: Workspace, form: FormDef, state: ListState, lang: str, current: str,
               table_url: str) -> list[tuple[str, str, bool]]:
    """(text, URL, shown now) of each view of the form: the table, a kanban per single choice, a calendar per date
    field, a gallery per image field and the stage reports; `current` is "table" or "<kind>:<field id>"."""
    t = translator(lang)
    base = f"/apps/{form.app}/{form.id}"
    carried = filter_query(state)
    items = [(t("list_view_table"), table_url, current == "table")]
    for kind, fields in VIEW_KINDS:
        for f in fields(form):
            url = f"{base}/{kind}?by={f.id}" + (f"&{carried}" if carried else "")
            items.append((f"{t(kind)} · {text(f.label, lang)}", url, current == f"{kind}:{f.id}"))
    for p in ws.definitions.pipelines.values():
        if p.form == form.id and form.field(p.field):
            items.append((f"{t('pipeline_report')} · {text(p.label, lang)}", f"{base}/pipelines/{p.id}", False))
    return items


def menu_context(ws: Workspace, form: FormDef, state: ListState, lang: str, current: str,
                 table_url: str) -> dict[str, Any]:
    """What _view_menus.html needs besides the form: the view items, the carried query, the list's state."""
    return {"view_items": view_items(ws, form, state, lang, current, table_url), "filter_query": filter_query(state),
            "state": state}
