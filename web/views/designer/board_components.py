"""What the dashboard designer shows of filter components and text blocks, and the operations their forms post:
the kinds a component may be with the fields each fits in the board's reports (by label), each component's
label, default (the choices its kind offers the viewer, by label) and the field it filters in each report (or
none); a text block's title and text in both languages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from engine.definitions.edit_error import EditError
from engine.i18n import I18n, text
from engine.records.paths import FieldPath, resolve_path
from engine.reports.dashboard_filters import component_type, component_types
from engine.reports.field_palette import KINDS, palette
from engine.reports.model import ReportDef
from web.views.reports.access import Viewer
from web.views.reports.board_state import CUSTOM
from web.views.reports.filter_bar import BUILDERS, Component

MAX_TEXT = 4000


@dataclass(frozen=True)
class Fitting:
    """A field a component kind may filter: its path, its name as people read it, the board reports having it."""

    path: str
    name: str
    reports: tuple[str, ...]


def _name(label: I18n, link: I18n | None, lang: str) -> str:
    return f"{text(link, lang)} · {text(label, lang)}" if link is not None else text(label, lang)


def fitting_fields(viewer: Viewer, reports: list[ReportDef]) -> dict[str, list[Fitting]]:
    """Per component kind, the fields of the board reports' forms it fits (fields in more reports first)."""
    found: dict[str, dict[str, tuple[str, list[str]]]] = {k: {} for k in component_types()}
    for report in reports:
        if report.form not in viewer.ws.definitions.forms:
            continue
        rt = viewer.ws.records.runtime(report.form)
        for field in (f for kind in KINDS for f in palette(rt)[kind]):
            path = resolve_path(rt, field.path)
            for name in component_types():
                kind = component_type(name)
                if path is not None and kind is not None and kind.fits(path):
                    entry = found[name].setdefault(field.path, (_name(field.label, field.link, viewer.lang), []))
                    entry[1].append(report.id)
    return {k: sorted((Fitting(p, n, tuple(r)) for p, (n, r) in v.items()), key=lambda f: (-len(f.reports), f.name))
            for k, v in found.items()}


def _first_path(viewer: Viewer, reports: list[ReportDef], name: str) -> FieldPath | None:
    for report in reports:
        if report.form in viewer.ws.definitions.forms:
            found = resolve_path(viewer.ws.records.runtime(report.form), name)
            if found is not None:
                return found
    return None


def component_cards(viewer: Viewer, raw: list[Mapping[str, Any]], reports: list[ReportDef],
                    fitting: dict[str, list[Fitting]], problems: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """Each component as its card and edit form show it."""
    cards: list[dict[str, Any]] = []
    with viewer.ws.reading() as conn:
        for i, c in enumerate(raw):
            kind, field = str(c.get("type") or ""), str(c.get("field") or "")
            names = {f.path: f.name for f in fitting.get(kind, [])}
            choice = Component(str(c.get("id") or ""), kind, "", str(c.get("default") or ""))
            if kind in BUILDERS:
                BUILDERS[kind](viewer, choice, _first_path(viewer, reports, field), conn)
            given = c.get("apply")
            apply: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
            cards.append({
                "i": i, "id": choice.id, "type": kind, "label": c.get("label"), "field": names.get(field, field),
                "field_path": field,
                "label_value": c.get("label") if isinstance(c.get("label"), Mapping) else {},
                "default": choice.value, "defaults": [(v, n) for v, n in choice.choices if v != CUSTOM],
                "reports": [_applied(r, field, apply, fitting.get(kind, [])) for r in reports],
                "problems": problems.get(f"filters/{i}", [])})
    return cards


def _applied(report: ReportDef, field: str, apply: Mapping[str, Any], fitting: list[Fitting]) -> dict[str, Any]:
    """One report's line in a component's form: the fields it may filter there and the one it does ("" none)."""
    choices = [(f.path, f.name) for f in fitting if report.id in f.reports]
    given = apply.get(report.id)
    chosen = "" if given is False else str(given) if given else field
    return {"id": report.id, "name": report.label, "choices": choices, "has": any(p == field for p, _ in choices),
            "chosen": chosen if any(p == chosen for p, _ in choices) else ""}


def _field(data: FormData, name: str, limit: int = 200) -> str:
    return str(data.get(name) or "").strip()[:limit]


def _texts(data: FormData, name: str, limit: int = 200) -> dict[str, str] | None:
    zh, en = _field(data, f"{name}_zh", limit), _field(data, f"{name}_en", limit)
    return {"zh": zh or en, "en": en or zh} if zh or en else None


def _index(data: FormData) -> int:
    raw = _field(data, "index")
    if not raw.isdigit() or len(raw) > 3:
        raise EditError("no entry at that position; reload the designer", "该位置没有内容,请刷新设计器")
    return int(raw)


def add_component(data: FormData) -> dict[str, Any]:
    """The add form: a kind and one of the fields it fits (`kind_field` is `<kind>:<path>`)."""
    kind, _, field = _field(data, "kind_field").partition(":")
    if not kind or not field:
        raise EditError("choose what to filter by", "请选择筛选依据")
    found: dict[str, Any] = {"type": kind, "field": field}
    label = _texts(data, "label")
    if label:
        found["label"] = label
    return {"op": "dashboard_add_filter", "filter": found}


def edit_component(data: FormData) -> dict[str, Any]:
    """The edit form: label, default and, per report on the board (`reports`), the field it filters there."""
    field = _field(data, "field")
    apply: dict[str, Any] = {}
    for rid in data.getlist("reports"):
        rid = str(rid)[:80]
        chosen = _field(data, f"apply_{rid}")
        if chosen != field and (chosen or data.get(f"has_{rid}") == "1"):  # "" where the form lacks it: nothing
            apply[rid] = chosen or False
    values = {"label": _texts(data, "label"), "default": _field(data, "default") or None, "apply": apply or None}
    return {"op": "dashboard_change_filter", "index": _index(data),
            "set": {k: v for k, v in values.items() if v is not None},
            "unset": [k for k, v in values.items() if v is None]}


def add_text(data: FormData) -> dict[str, Any]:
    body = _texts(data, "text", MAX_TEXT)
    if body is None:
        raise EditError("write the text first", "请先填写文本")
    title = _texts(data, "title")
    return {"op": "dashboard_add_item", "item": {**({"title": title} if title else {}), "text": body, "w": 12,
                                                 "h": 1 + bool(title) + min(body["en"].count("\n"), 3)}}


def edit_text(data: FormData) -> dict[str, Any]:
    body = _texts(data, "text", MAX_TEXT)
    if body is None:
        raise EditError("a text block needs some text", "文本块需要内容")
    title = _texts(data, "title")
    return {"op": "dashboard_change_item", "index": _index(data), "set": {"text": body, **({"title": title} if title else {})},
            "unset": [] if title else ["title"]}
