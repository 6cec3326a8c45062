"""The `attention` block: records of a form that need the viewer's attention (overdue follow-ups, stalled deals…).

It is the form's list under the block's filter: the same conditions, parsed by the list's own parser and queried
under the viewer's scope, so the count here is the count of the list the link opens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from starlette.datastructures import QueryParams

from engine.definitions.model import FieldDef, FormDef
from engine.errors import QueryInvalid
from engine.fields.registry import field_type
from engine.fields.types.ids import MeOperand
from engine.home.checks import TIME_WORDS
from engine.home.model import BlockDef
from engine.i18n import text
from engine.records.model import Filter
from web.home.blocks import HomeBlock, Viewer, register
from web.views.filters import RANGE_SEP
from web.views.listing import base_url
from web.views.liststate import ListState, read_state
from web.views.records import visible_form


def _time_word(word: str, f: FieldDef, now: datetime) -> str:
    """`$now` and `$today` as the list's URL writes a moment or a day in the viewer's zone."""
    if word == "$now" and field_type(f.type).result_type(f).value_type == "datetime":
        return now.strftime("%Y-%m-%dT%H:%M")
    return now.date().isoformat()


def token(flt: Filter, form: FormDef, now: datetime) -> str:
    """The list's `f` parameter for one filter of the block (`field:op[:value]`)."""
    f = form.field(flt.field)
    values = list(flt.value) if isinstance(flt.value, tuple) else [] if flt.value is None else [flt.value]
    shown = [_time_word(v, f, now) if f is not None and v in TIME_WORDS else str(v) for v in values]
    value = (RANGE_SEP if flt.op == "between" else ",").join(shown)
    return f"{flt.field}:{flt.op}" + (f":{value}" if value else "")


def list_state(viewer: Viewer, form: FormDef, block: BlockDef) -> ListState:
    """The list state of the block: its conditions and sort, as the list page reads them from the link."""
    now = viewer.ws.now().astimezone(viewer.tz)
    params: list[tuple[str, str]] = [("f", token(flt, form, now)) for flt in block.filters]
    if block.sort:
        params += [("sort", block.sort), ("dir", "desc" if block.descending else "asc")]
    ctx = viewer.ws.records.filter_context(viewer.actor)
    return read_state(QueryParams(params), form, viewer.ws.records.runtime(form.id).main, ctx, viewer.lang)


def reason_field(form: FormDef, block: BlockDef) -> FieldDef | None:
    """The field that shows why a record needs attention: the first filtered date, else the first filtered field
    that is not the viewer ($me)."""
    fields = [form.field(flt.field) for flt in block.filters if flt.value != "$me"]
    candidates = [f for f in fields if f is not None and f.id != form.title_field()]
    dated = [f for f in candidates if field_type(f.type).result_type(f).value_type in ("date", "datetime")]
    plain = [f for f in candidates if not isinstance(field_type(f.type), MeOperand)]
    chosen = dated or plain
    return chosen[0] if chosen else None


@register
class Attention(HomeBlock):
    name = "attention"
    template = "home/_attention.html"

    def show(self, viewer: Viewer, block: BlockDef) -> Mapping[str, Any] | None:
        defs = viewer.ws.definitions
        form = defs.forms.get(block.form or "")
        if form is None:
            return None
        guard = viewer.ws.records.guard(viewer.actor, form.id)
        if not guard.access.can("read"):
            return None
        if guard.access.hidden:
            form = visible_form(form, guard.access.hidden)
        state = list_state(viewer, form, block)
        if state.problems:  # a condition names a field the viewer may not see, or no longer applies
            return None
        try:
            found = viewer.ws.records.list(viewer.actor, form.id, state.query(block.limit, viewer.tz))
        except QueryInvalid:
            return None
        base = base_url(form)
        reason = reason_field(form, block)
        title = form.title_field()
        rows = [{"href": f"{base}/{r.id}", "title": str(r.values.get(title) or f"#{r.id}"),
                 "reason": _shown(reason, r.values.get(reason.id), viewer) if reason is not None else ""}
                for r in found.records]
        return {"label": text(block.label, viewer.lang) if block.label else text(form.label, viewer.lang),
                "total": found.total or 0, "rows": rows, "href": state.url(base),
                "reason_label": text(reason.label, viewer.lang) if reason is not None else ""}


def _shown(f: FieldDef, value: Any, viewer: Viewer) -> str:
    return field_type(f.type).format(f, value, viewer.lang, viewer.tz) if value is not None else "—"
