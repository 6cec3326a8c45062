"""Dashboard definitions as frozen objects (built from schema-checked YAML): a grid of reports and text blocks of
one app, global filter components applied to every report on it, and links (clicking one report filters others)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field as dataclass_field
from pathlib import PurePosixPath
from typing import Any

from engine.definitions.model import Source, frozen
from engine.definitions.yamlsource import YamlDocument
from engine.i18n import I18n
from engine.reports.schedules import Schedulable, ScheduleDef, build_schedules, register_schedulable

GRID_COLUMNS = 12


@dataclass(frozen=True)
class FilterComponent:
    """A global filter: its `type` (date_range, owner, department, select) on `field` of each report's form;
    `apply` names another field for some reports (report id → field; "" for a report it does not filter)."""

    id: str
    type: str
    field: str
    default: str | None = None
    label: I18n | None = None
    apply: Mapping[str, str] = dataclass_field(default_factory=lambda: frozen({}))
    source: Source = Source()

    def field_for(self, report_id: str) -> str:
        """The field the component filters in the report ("" when it leaves the report alone)."""
        return self.apply.get(report_id, self.field)

    def skips(self, report_id: str) -> bool:
        return self.apply.get(report_id) == ""


@dataclass(frozen=True)
class DashboardItem:
    """A cell of the grid: a report (`report`, an id of the same app or `app.report`) or a text block (`text`,
    plain text whose line breaks are kept, under an optional `title`)."""

    report: str | None = None
    text: I18n | None = None
    title: I18n | None = None
    w: int = 6
    h: int = 3
    x: int | None = None
    y: int | None = None
    source: Source = Source()

    @property
    def report_id(self) -> str | None:
        return self.report.rpartition(".")[2] if self.report else None


@dataclass(frozen=True)
class LinkDef:
    """Clicking a point of report `start` filters the reports `to` by the clicked members."""

    start: str
    to: tuple[str, ...]
    source: Source = Source()


@dataclass(frozen=True)
class DashboardDef:
    id: str
    app: str
    label: I18n
    roles: tuple[str, ...] | None = None  # None: everyone who can open the app
    filters: tuple[FilterComponent, ...] = ()
    items: tuple[DashboardItem, ...] = ()
    links: tuple[LinkDef, ...] = ()
    description: I18n | None = None
    schedules: tuple[ScheduleDef, ...] = ()  # sent by email as a PDF, with the default filter values
    source: Source = Source()

    def report_ids(self) -> list[str]:
        """The reports on the grid, in order, once each."""
        return list(dict.fromkeys(i.report_id for i in self.items if i.report_id))

    def component(self, component_id: str) -> FilterComponent | None:
        return next((c for c in self.filters if c.id == component_id), None)

    def targets_of(self, report_id: str) -> tuple[str, ...]:
        """The reports a click on `report_id` filters."""
        return tuple(t for link in self.links if link.start == report_id for t in link.to)

    def visible_to(self, roles: frozenset[str] | set[str], is_admin: bool) -> bool:
        return is_admin or self.roles is None or bool(set(self.roles) & set(roles))


def _src(doc: YamlDocument, pointer: str) -> Source:
    return Source(doc.file, doc.line(pointer), pointer)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _ref(value: Any) -> str:
    return str(value).rpartition(".")[2] if value else ""


def build_dashboard(doc: YamlDocument, rel: str) -> DashboardDef:
    """A dashboard document; its app is the folder holding `dashboards/`."""
    data = _dict(doc.data)
    parts = PurePosixPath(rel).parts
    app = parts[-3] if len(parts) >= 3 and parts[-2] == "dashboards" else ""
    filters = tuple(FilterComponent(
        id=str(f.get("id", "")), type=str(f.get("type", "")), field=str(f.get("field", "")),
        default=str(f["default"]) if f.get("default") else None, label=f.get("label"),
        apply=frozen({_ref(k): "" if v is False else str(v) for k, v in _dict(f.get("apply")).items()}),
        source=_src(doc, f"/filters/{i}"),
    ) for i, f in enumerate(map(_dict, _list(data.get("filters")))))
    items = tuple(DashboardItem(
        report=str(it["report"]) if it.get("report") else None, text=it.get("text"), title=it.get("title"),
        w=_int(it.get("w"), 6) or 0, h=_int(it.get("h"), 3) or 0, x=_int(it.get("x"), None), y=_int(it.get("y"), None),
        source=_src(doc, f"/items/{i}"),
    ) for i, it in enumerate(map(_dict, _list(data.get("items")))))
    links = tuple(LinkDef(_ref(link.get("from")), tuple(_ref(t) for t in _list(link.get("to"))),
                          _src(doc, f"/links/{i}"))
                  for i, link in enumerate(map(_dict, _list(data.get("links")))))
    roles = data.get("roles")
    return DashboardDef(
        id=str(data.get("dashboard", "")), app=app, label=data.get("label") or str(data.get("dashboard", "")),
        roles=tuple(str(r) for r in roles) if isinstance(roles, list) else None, filters=filters, items=items,
        links=links, description=data.get("description"), schedules=build_schedules(doc, data.get("schedules")),
        source=_src(doc, ""),
    )


register_schedulable(Schedulable("dashboard", "dashboards"))  # a dashboard may be sent on a schedule
