"""What a report over a form may use, for the report designer's field list: the form's fields, its system fields
and the fields one hop away through a single relation or user field, each with what it can be — a date (bucketed
dimension, duration end), a number (sum, avg, min, max), a group (a dimension, count distinct) — and which chart
types fit a report's dimensions and measures (the engine's own chart checks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.definitions.model import FieldDef
from engine.fields.screen import RECORD
from engine.i18n import I18n
from engine.records.paths import USER_FIELDS, resolve_path
from engine.records.runtime import FormRuntime
from engine.reports.charts import chart_names, chart_type

KINDS = ("date", "number", "group")  # the field list's groups, in this order
SHOWN_SYSTEM = ("created_at", "updated_at", "created_by", "department_id")


@dataclass(frozen=True)
class PaletteField:
    """A path a report may name, its label (through its link's label for a path) and what it can be."""

    path: str
    label: I18n
    kind: str  # date | number | group
    link: I18n | None = None  # the label of the relation or user field the path goes through

    @property
    def bucketable(self) -> bool:
        return self.kind == "date"


def _kind(rt: FormRuntime, path: str) -> str | None:
    found = resolve_path(rt, path)
    if found is None:
        return None
    ftype = found.ftype
    if ftype.bucketable(found.field):
        return "date"
    if ftype.measurable(found.field):
        return "number"
    if ftype.groupable(found.field):
        return "group"
    return None


def palette(rt: FormRuntime) -> dict[str, list[PaletteField]]:
    """The form's usable fields by kind: its own first, then the system fields, then one hop away."""
    out: dict[str, list[PaletteField]] = {k: [] for k in KINDS}
    own = [f for f in rt.form.fields if not f.fields] + [rt.field(s) for s in SHOWN_SYSTEM]
    for f in own:
        if f is None:
            continue
        kind = _kind(rt, f.id)
        if kind is not None:
            out[kind].append(PaletteField(f.id, f.label, kind))
    for f in rt.form.fields:
        for target in _one_hop(rt, f):
            path = f"{f.id}.{target.id}"
            kind = _kind(rt, path)
            if kind is not None:
                out[kind].append(PaletteField(path, target.label, kind, f.label))
    return out


def _one_hop(rt: FormRuntime, f: FieldDef) -> list[FieldDef]:
    """The fields a path through `f` may reach (none when `f` is not a single relation or user field)."""
    ftype = rt.field_type_of(f)
    ref = ftype.refers_to(f)
    if ref is None or ftype.many:
        return []
    if ref.kind == RECORD:
        form = rt.defs.forms.get(str(ref.form))
        return [g for g in form.fields if not g.fields] if form is not None else []
    return [FieldDef(key, target.type, target.label) for key, target in USER_FIELDS.items()]


def fitting_charts(dimensions: list[str], measures: list[str], options: Mapping[str, object] | None = None) -> list[str]:
    """The chart types that can draw a report with these dimension and measure ids (no problem from their check)."""
    fit = []
    for name in chart_names():
        chart = chart_type(name)
        assert chart is not None
        complaints: list[str] = []
        chart.check(dimensions, measures, {}, lambda sub, message: complaints.append(sub))
        if not complaints:
            fit.append(name)
    return fit
