"""Global filters of a dashboard and linkage between its reports, as filters added to a report.

A filter component is one registered type (date_range, owner, department, select): what field it fits, how a
chosen value is read from a URL and what filters it adds. A report whose form lacks the component's field (or
the field its `apply` names for it) is not filtered by it. Linkage adds, for each dimension of the clicked report
whose field exists in the target's form, the filters selecting the clicked member (as drill-down does)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any, ClassVar

import sqlalchemy as sa

from engine.fields.screen import DEPARTMENT, USER
from engine.fields.types.ids import ME
from engine.i18n import I18n
from engine.permissions.viewer import descendants
from engine.records.model import Filter
from engine.records.paths import FieldPath, resolve_path
from engine.records.runtime import FormRuntime
from engine.reports.dashboard import DashboardDef, FilterComponent
from engine.reports.drill import member_filters
from engine.reports.labels import OTHERS_KEY
from engine.reports.model import ReportDef
from engine.reports.ranges import DateRange


class BadChoice(ValueError):
    """A chosen filter value that cannot be read (the page says which component)."""

    def __init__(self, component: FilterComponent, raw: str):
        super().__init__(f"{component.id}: {raw!r}")
        self.component, self.raw = component, raw


@dataclass(frozen=True)
class Choice:
    """A component's chosen value, read: `value` is what its filters need (a DateRange, a user id, a tuple of
    department ids with every sub-department, an option value)."""

    component: FilterComponent
    raw: str
    value: Any


class ComponentType(ABC):
    name: ClassVar[str]
    needs: ClassVar[I18n]  # what the field must be, for the publish check

    @abstractmethod
    def fits(self, path: FieldPath) -> bool:
        """Whether the component can filter this field."""

    def read(self, component: FilterComponent, raw: str, conn: sa.Connection) -> Any:
        """The chosen value from its URL text; ValueError when it cannot be read."""
        return raw

    @abstractmethod
    def filters(self, field: str, path: FieldPath, value: Any, now: datetime, tz: tzinfo) -> list[Filter]:
        """The list filters a chosen value adds on `field`."""


_TYPES: dict[str, ComponentType] = {}


def register(cls: type[ComponentType]) -> type[ComponentType]:
    _TYPES[cls.name] = cls()
    return cls


def component_type(name: str) -> ComponentType | None:
    return _TYPES.get(name)


def component_types() -> tuple[str, ...]:
    return tuple(_TYPES)


def _refers(path: FieldPath, kind: str) -> bool:
    ref = path.ftype.refers_to(path.field)
    return ref is not None and ref.kind == kind and not path.ftype.many


@register
class DateRangeFilter(ComponentType):
    name = "date_range"
    needs = {"zh": "日期或日期时间字段", "en": "a date or date-time field"}

    def fits(self, path: FieldPath) -> bool:
        return path.ftype.bucketable(path.field)

    def read(self, component: FilterComponent, raw: str, conn: sa.Connection) -> Any:
        return DateRange.parse(raw)

    def filters(self, field: str, path: FieldPath, value: Any, now: datetime, tz: tzinfo) -> list[Filter]:
        found: list[Filter] = value.filters(field, path.ftype.zoned(path.field), now, tz)
        return found


@register
class OwnerFilter(ComponentType):
    name = "owner"
    needs = {"zh": "成员字段", "en": "a user field"}

    def fits(self, path: FieldPath) -> bool:
        return _refers(path, USER)

    def read(self, component: FilterComponent, raw: str, conn: sa.Connection) -> Any:
        if raw == ME:
            return ME
        if not raw.isdigit():
            raise ValueError(raw)
        return int(raw)

    def filters(self, field: str, path: FieldPath, value: Any, now: datetime, tz: tzinfo) -> list[Filter]:
        return [Filter(field, "eq", value)]


@register
class DepartmentFilter(ComponentType):
    name = "department"
    needs = {"zh": "部门字段", "en": "a department field"}

    def fits(self, path: FieldPath) -> bool:
        return _refers(path, DEPARTMENT)

    def read(self, component: FilterComponent, raw: str, conn: sa.Connection) -> Any:
        if not raw.isdigit():
            raise ValueError(raw)
        return tuple(sorted(descendants(conn, {int(raw)})))

    def filters(self, field: str, path: FieldPath, value: Any, now: datetime, tz: tzinfo) -> list[Filter]:
        return [Filter(field, "in", tuple(value))]


@register
class SelectFilter(ComponentType):
    name = "select"
    needs = {"zh": "单选字段", "en": "a single-choice field"}

    def fits(self, path: FieldPath) -> bool:
        return not path.ftype.many and path.ftype.refers_to(path.field) is None and bool(path.ftype.members(path.field))

    def filters(self, field: str, path: FieldPath, value: Any, now: datetime, tz: tzinfo) -> list[Filter]:
        return [Filter(field, "eq", value)]


def read_choices(dashboard: DashboardDef, raw: Mapping[str, str], conn: sa.Connection,
                 options: Mapping[str, list[Any]] | None = None) -> list[Choice]:
    """The chosen values of the dashboard's components (`raw`: component id → URL text; a component absent
    from `raw` takes its default; an empty text means "all"). BadChoice names an unreadable value.
    `options`, when given, holds the allowed values of select components (component id → values)."""
    found = []
    for component in dashboard.filters:
        text = raw[component.id] if component.id in raw else (component.default or "")
        text = text.strip()
        if not text:
            continue
        kind = component_type(component.type)
        if kind is None:
            continue
        try:
            value = kind.read(component, text, conn)
        except ValueError:
            raise BadChoice(component, text) from None
        if options is not None and component.id in options and value not in options[component.id]:
            raise BadChoice(component, text)
        found.append(Choice(component, text, value))
    return found


def filtered_report(report: ReportDef, rt: FormRuntime, choices: list[Choice], now: datetime,
                    tz: tzinfo) -> ReportDef:
    """The report with the chosen global filters added, each on its field for this report (none when the
    report's form lacks it)."""
    extra: list[Filter] = []
    for choice in choices:
        kind = component_type(choice.component.type)
        name = choice.component.field_for(report.id)
        path = resolve_path(rt, name)
        if kind is None or path is None or not kind.fits(path):
            continue
        extra.extend(kind.filters(name, path, choice.value, now, tz))
    return replace(report, filters=report.filters + tuple(extra)) if extra else report


def linked_report(source: ReportDef, keys: Mapping[str, Any], target: ReportDef, rt: FormRuntime,
                  tz: tzinfo) -> ReportDef:
    """`target` filtered by the members clicked in `source` (`keys`: dimension id → member key): each dimension
    whose field (or path) exists in the target's form adds the filters selecting that member."""
    extra: list[Filter] = []
    for dim in source.dimensions:
        if dim.id not in keys or keys[dim.id] == OTHERS_KEY or resolve_path(rt, dim.field) is None:
            continue
        extra.extend(member_filters(rt, dim, keys[dim.id], tz))
    return replace(target, filters=target.filters + tuple(extra)) if extra else target
