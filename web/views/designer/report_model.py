"""What the report designer draws from the draft: the source form's field list, the dimension, measure and filter
cards with the problems at each, the chart types that fit, the chart's options, and the live preview (the draft
run on real data as the designer may see it, or the reasons it cannot run)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request

from engine.definitions.model import FieldDef
from engine.drafts import Draft
from engine.formulas import FUNCTIONS
from engine.i18n import text
from engine.records.paths import resolve_path
from engine.reports.charts import NUMBER, SERIES_DRAWINGS, chart_type as engine_chart
from engine.reports.field_palette import KINDS, PaletteField, fitting_charts, palette
from engine.reports.model import build_report
from engine.definitions.yamlsource import YamlSyntaxError, parse_yaml
from web.charts import chart_types
from web.views.condition_value import ValueInput, value_input
from web.views.designer.doc_design import DocDesign
from web.views.filters import NO_VALUE_OPS
from web.views.reports.access import viewer_of
from web.views.reports.shown import Shown, show

AGGREGATES = ("count", "sum", "avg", "min", "max", "distinct", "duration")
FORMATS = ("number", "money", "percent", "days")
BUCKETS = ("day", "week", "month", "quarter", "year")
FUNCTIONS_SUGGESTED = [{"name": name, "signature": fn.signature or f"{name}()"} for name, fn in sorted(FUNCTIONS.items())]
OPTION_SKIP = ("title", "colors", "columns", "right", "size")  # options the designer does not edit (YAML keeps them)
LAYOUT_KEYS = {"pivot": ("rows", "columns", "subtotals", "totals"), "dual_axis": ("left", "right", "series")}  # own forms


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def placed_problems(d: DocDesign, draft: Draft) -> dict[str, list[str]]:
    """The draft's problems by place: `dimensions/0`, `measures/2`, `filters/1`, `chart`, `form`, else `other`."""
    placed: dict[str, list[str]] = {}
    for problem in d.ws.drafts.problems(draft):
        parts = [p for p in problem.pointer.split("/") if p]
        if problem.file and problem.file != d.path:
            key = "other"
        elif len(parts) >= 2 and parts[0] in ("dimensions", "measures", "filters", "items") and parts[1].isdigit():
            key = f"{parts[0]}/{parts[1]}"
        elif parts and parts[0] in ("chart", "form", "links", "filters"):
            key = parts[0] if parts[0] != "links" or len(parts) < 2 else f"links/{parts[1]}"
        else:
            key = "other"
        placed.setdefault(key, []).append(problem.text(d.lang))
    return placed


def report_context(request: Request, d: DocDesign, draft: Draft) -> dict[str, Any]:
    """Everything the report designer's body shows for this version of the draft."""
    doc, lang = draft.doc, d.lang
    form_id = str(doc.get("form") or "")
    rt = d.ws.records.runtime(form_id) if form_id in d.ws.definitions.forms else None
    fields: dict[str, list[PaletteField]] = palette(rt) if rt is not None else {k: [] for k in KINDS}
    by_path = {f.path: f for found in fields.values() for f in found}

    def named(path: Any) -> str:
        f = by_path.get(str(path))
        if f is None:
            return str(path or "")
        return f"{text(f.link, lang)} · {text(f.label, lang)}" if f.link else text(f.label, lang)

    problems = placed_problems(d, draft)
    dims = [{"i": i, "id": str(x.get("id") or str(x.get("field", "")).replace(".", "_")), "field": x.get("field"),
             "name": text(x["label"], lang) if x.get("label") else named(x.get("field")), "bucket": x.get("bucket"),
             "bucketable": getattr(by_path.get(str(x.get("field"))), "bucketable", False), "entry": x,
             "problems": problems.get(f"dimensions/{i}", [])} for i, x in enumerate(map(_map, _list(doc.get("dimensions"))))]
    measures = [_measure(i, m, named, lang, problems) for i, m in enumerate(map(_map, _list(doc.get("measures"))))]
    for m in measures:  # a formula measure reads the measures before it: the formula editor suggests those
        m["suggest"] = json.dumps({"fields": [{"id": e["id"], "label": e["name"]} for e in measures[:m["i"]]],
                                   "functions": FUNCTIONS_SUGGESTED}, ensure_ascii=False)
    actor = viewer_of(request).actor
    filters = [_filter(i, f, named, rt, problems, lambda fd, op, cur: value_input(d.ws, actor, lang, fd, op, cur))
               for i, f in enumerate(map(_map, _list(doc.get("filters"))))]
    chart = _map(doc.get("chart"))
    ctype = str(chart.get("type") or "table")
    registered = chart_types()
    fits = [n for n in fitting_charts([str(x["id"]) for x in dims], [str(m.get("id")) for m in _list(doc.get("measures"))
                                                                if isinstance(m, Mapping)]) if n in registered]
    if ctype not in fits:
        fits.append(ctype)
    app_forms = [d.ws.definitions.forms[f] for f in d.app.forms if f in d.ws.definitions.forms]
    own_problems = any(k != "other" for k in problems)
    return {
        "d": d, "base": d.base, "path": d.path, "draft": draft, "doc": doc, "fields": fields, "kinds": KINDS,
        "dims": dims, "measures": measures, "filters": filters, "chart_type": ctype,
        "charts": [(n, registered[n].label.get(lang, registered[n].label["en"]) if n in registered else n) for n in fits],
        "options": _options(ctype, _map(chart.get("options"))), "problems": problems,
        "layout": chart_layout(ctype, _map(chart.get("options")), dims, measures),
        "problem_count": sum(len(v) for v in problems.values()), "app_forms": app_forms, "form_id": form_id,
        "aggregates": AGGREGATES, "formats": FORMATS, "buckets": BUCKETS,
        "sort_choices": [(x["id"], x["name"]) for x in dims] + [(m["id"], m["name"]) for m in measures],
        "sort": _map((_list(doc.get("sort")) or [{}])[0]), "limit": doc.get("limit"), "others": doc.get("others", True),
        "compare": doc.get("compare"), "preview": None if own_problems else _preview(request, d, draft),
        "number_fields": fields["number"], "date_fields": fields["date"],
        "all_fields": [f for k in KINDS for f in fields[k]], "named": named,
    }


def _measure(i: int, m: Mapping[str, Any], named: Any, lang: str, problems: dict[str, list[str]]) -> dict[str, Any]:
    aggregate = str(m.get("aggregate") or ("formula" if m.get("formula") else ""))
    if m.get("label"):
        name = text(m["label"], lang)
    elif aggregate == "count":
        name = ""
    else:
        name = named(m.get("field") or m.get("to") or "") or str(m.get("formula") or m.get("id"))
    return {"i": i, "id": str(m.get("id") or ""), "name": name or str(m.get("id") or ""), "aggregate": aggregate,
            "field": m.get("field"), "from": m.get("from"), "to": m.get("to"), "formula": m.get("formula"),
            "format": m.get("format"), "label": _map(m.get("label")), "has_filter": bool(m.get("filter")),
            "problems": problems.get(f"measures/{i}", [])}


def _filter(i: int, f: Mapping[str, Any], named: Any, rt: Any, problems: dict[str, list[str]],
            typed: Callable[[FieldDef, str, Any], ValueInput]) -> dict[str, Any]:
    """A filter card: its field's name, the operators the field offers and the value input that fits them."""
    found = resolve_path(rt, str(f.get("field") or "")) if rt is not None else None
    ops = list(found.ftype.operators_for(found.field)) if found is not None else []
    op = str(f.get("op") or "")
    value = f.get("value")
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else ("" if value is None else str(value))
    v = typed(found.field, op if op in ops else ops[0], value) if found is not None and ops else None
    return {"i": i, "field": f.get("field"), "name": named(f.get("field")), "op": op, "ops": ops, "value": shown,
            "value_input": v, "needs_value": op not in NO_VALUE_OPS, "problems": problems.get(f"filters/{i}", [])}


def _options(ctype: str, current: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chart's options the designer edits: switches and numbers, with their current values."""
    chart = engine_chart(ctype)
    if chart is None:
        return []
    out = []
    for key, kinds in chart.options.items():
        if key in OPTION_SKIP or key in LAYOUT_KEYS.get(ctype, ()):
            continue
        kind = "bool" if kinds == (bool,) else "number" if kinds == NUMBER else None
        if kind is not None:
            out.append({"key": key, "kind": kind, "value": current.get(key)})
    return out


def _preview(request: Request, d: DocDesign, draft: Draft) -> Shown | None:
    """The draft run for the designer (their scope and field access), drawn as its chart."""
    try:
        parsed = parse_yaml(draft.text, d.path)
    except YamlSyntaxError:
        return None
    report = build_report(parsed, d.path)
    if report.form not in d.ws.definitions.forms:
        return None
    return show(viewer_of(request), report, with_table=True)


def _keys(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value] if isinstance(value, list) else []


def _pivot_layout(options: Mapping[str, Any], dims: list[dict[str, Any]], measures: list[dict[str, Any]]) -> dict[str, Any]:
    """Each dimension's place (rows or columns; by default the last goes across) and the two switches."""
    rows, columns = _keys(options.get("rows")), _keys(options.get("columns"))
    ids = [str(x["id"]) for x in dims]
    if not columns:
        columns = ids[-1:] if len(ids) > 1 else []
    return {"kind": "pivot", "subtotals": options.get("subtotals") is not False, "totals": options.get("totals") is not False,
            "entries": [{"id": x["id"], "name": x["name"],
                         "place": "columns" if x["id"] in columns and x["id"] not in rows else "rows"} for x in dims]}


def _axes_layout(options: Mapping[str, Any], dims: list[dict[str, Any]], measures: list[dict[str, Any]]) -> dict[str, Any]:
    """Each measure's axis (the first on the left by default, the others on the right) and its drawing."""
    ids = [str(m["id"]) for m in measures]
    left = [k for k in _keys(options.get("left")) if k in ids] or ids[:1]
    right = [k for k in _keys(options.get("right")) if k in ids and k not in left] or [k for k in ids if k not in left]
    series = _map(options.get("series"))
    entries = []
    for m in measures:
        side = "left" if m["id"] in left else "right" if m["id"] in right else "none"
        entries.append({"id": m["id"], "name": m["name"], "side": side,
                        "drawing": series.get(m["id"]) or ("bar" if side == "left" else "line")})
    return {"kind": "dual_axis", "entries": entries, "drawings": SERIES_DRAWINGS}


LAYOUTS = {"pivot": _pivot_layout, "dual_axis": _axes_layout}


def chart_layout(ctype: str, options: Mapping[str, Any], dims: list[dict[str, Any]],
                 measures: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the chart's layout form shows (a pivot's rows and columns, a dual-axis chart's axes), if it has one."""
    build = LAYOUTS.get(ctype)
    return build(options, dims, measures) if build is not None else None
