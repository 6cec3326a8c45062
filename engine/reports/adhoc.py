"""Questions asked without a report document (the API's group-by and aggregate): short words — `stage`,
`ordered_on:month`, `count`, `sum:amount` — checked against the form and the asker's field access, then run as a
report by the report engine (engine/reports/run.py), so under the asker's scope and with its labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.definitions.model import FieldDef, FormDef
from engine.errors import FieldError, PermissionDenied, QueryInvalid
from engine.fields.base import FieldType
from engine.fields.registry import field_type
from engine.i18n import I18n, text
from engine.records.model import Actor, Filter
from engine.records.paths import FieldPath, resolve_path
from engine.records.runtime import SYSTEM_FIELDS, FormRuntime
from engine.records.service import RecordService
from engine.reports.buckets import BUCKETS
from engine.reports.dataset import Member
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import compute_report

AGGREGATES = ("count", "sum", "avg", "min", "max")
MAX_GROUPS = 1000  # more groups than a chart or an integrator's table can use: refused, naming the cap
MAX_FIELDS = 3
MAX_MEASURES = 10
LISTED_SYSTEM_FIELDS = ("created_at", "updated_at", "created_by", "updated_by", "owner_id", "department_id")


@dataclass(frozen=True)
class Grouping:
    """Group by `field` (a field, or a path through one relation), dates by `bucket`."""

    field: str
    bucket: str | None = None

    @property
    def name(self) -> str:
        return f"{self.field}:{self.bucket}" if self.bucket else self.field


@dataclass(frozen=True)
class Measure:
    """`count` of the records, or the sum, avg, min or max of a number field."""

    aggregate: str
    field: str | None = None

    @property
    def name(self) -> str:
        return f"{self.aggregate}:{self.field}" if self.field else self.aggregate


@dataclass(frozen=True)
class Question:
    """What to aggregate: the form's records under `filters` and `search`, grouped by `groupings` (none: one row)."""

    form: str
    groupings: tuple[Grouping, ...] = ()
    measures: tuple[Measure, ...] = (Measure("count"),)
    filters: tuple[Filter, ...] = ()
    search: str | None = None


@dataclass(frozen=True)
class Group:
    """One group: its member of each grouping by grouping name ({value, label: {zh, en}, color?}, see
    `member_json`) and the measures' values by measure name."""

    keys: dict[str, dict[str, Any]]
    values: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """The groups in their natural order, the totals over every record the question reaches, and the label of
    each grouping's field."""

    groups: list[Group]
    totals: dict[str, Any]
    labels: dict[str, dict[str, str]]


class FieldNotVisible(PermissionDenied):
    """The question groups, measures or filters by a field the asker may not see."""

    def __init__(self, actor: Actor, form: str, name: str):
        super().__init__(actor, "read", f"{form}.{name}")
        self.field = name
        self.error = FieldError("group_field_hidden", {"value": name})


def grouping(word: str) -> Grouping:
    """`field` or `field:bucket`; QueryInvalid for an unknown bucket."""
    name, _, bucket = word.strip().partition(":")
    if bucket and bucket not in BUCKETS:
        raise QueryInvalid("bad_bucket", value=bucket, allowed=", ".join(BUCKETS))
    return Grouping(name, bucket or None)


def measure(word: str) -> Measure:
    """`count` or `aggregate:field`; QueryInvalid for anything else."""
    aggregate, _, name = word.strip().partition(":")
    if aggregate not in AGGREGATES or (aggregate == "count") != (name == "") or (name == "" and ":" in word):
        raise QueryInvalid("bad_measure", value=word)
    return Measure(aggregate, name or None)


def check(rt: FormRuntime, question: Question, sees: Callable[[str], bool], actor: Actor) -> None:
    """Every field the question names exists, is seen by the asker and fits its use (QueryInvalid or
    FieldNotVisible naming it); the counts of groupings and measures are within their caps."""
    if len(question.groupings) > MAX_FIELDS:
        raise QueryInvalid("too_many_params", label="field", max=MAX_FIELDS)
    if len(question.measures) > MAX_MEASURES:
        raise QueryInvalid("too_many_params", label="measure", max=MAX_MEASURES)
    for flt in question.filters:
        _path(rt, flt.field, sees, actor)
    for g in question.groupings:
        path = _path(rt, g.field, sees, actor)
        if not path.ftype.groupable(path.field):
            raise QueryInvalid("not_groupable", value=g.field)
        if g.bucket and not path.ftype.bucketable(path.field):
            raise QueryInvalid("not_bucketable", value=g.field)
    for m in question.measures:
        if m.field is not None:
            path = _path(rt, m.field, sees, actor)
            if not path.ftype.measurable(path.field):
                raise QueryInvalid("not_measurable", value=m.field, aggregate=m.aggregate)


def _path(rt: FormRuntime, name: str, sees: Callable[[str], bool], actor: Actor) -> FieldPath:
    path = resolve_path(rt, name)
    if path is None:
        raise QueryInvalid("group_unknown_field", value=name)
    if not sees(name):
        raise FieldNotVisible(actor, rt.form.id, name)
    return path


def choices(form: FormDef, visible: Callable[[str], bool]) -> tuple[list[str], dict[str, str]]:
    """What a form offers directly to a reader who sees the fields `visible` accepts: the groupings (`field`,
    `field:bucket`) and the measures with the kind of their values (count, integer, decimal or float). Paths through a
    relation (`client.grade`) are accepted too, and not listed."""
    fields = [f for f in (*form.fields, *(SYSTEM_FIELDS[k] for k in LISTED_SYSTEM_FIELDS)) if visible(f.id)]
    groupings: list[str] = []
    measures: dict[str, str] = {"count": "count"}
    for f in fields:
        ftype = field_type(f.type)
        if ftype.groupable(f):
            groupings.append(f.id)
            if ftype.bucketable(f):
                groupings.extend(f"{f.id}:{bucket}" for bucket in BUCKETS)
        if ftype.measurable(f) and f.id not in SYSTEM_FIELDS:
            measures.update({f"{a}:{f.id}": "float" if a == "avg" else "integer" if _whole(ftype, f) else "decimal"
                             for a in AGGREGATES[1:]})
    return groupings, measures


def as_report(question: Question, max_groups: int = MAX_GROUPS) -> ReportDef:
    """The question as a report the engine runs: dimensions d0…, measures m0… (shown as plain numbers: a percent
    field's average stays in its points, as the API sends the field)."""
    return ReportDef(
        id="api", app="", label="api", form=question.form, filters=question.filters,
        dimensions=tuple(DimensionDef(f"d{i}", g.field, bucket=g.bucket) for i, g in enumerate(question.groupings)),
        measures=tuple(MeasureDef(f"m{i}", aggregate=m.aggregate, field=m.field, format="number")
                       for i, m in enumerate(question.measures)),
        search=question.search, max_groups=max_groups if question.groupings else None)


def ask(records: RecordService, actor: Actor, question: Question) -> Answer:
    """The answer as `actor` may see it, computed now: PermissionDenied without the read right, FieldNotVisible or
    QueryInvalid for a field they may not use, TooManyGroups past MAX_GROUPS groups."""
    guard = records.guard(actor, question.form)
    guard.require("read")
    rt = records.runtime(question.form)
    check(rt, question, guard.sees, actor)
    dataset = compute_report(records, actor, as_report(question))  # not kept: questions vary, copies cost
    n = len(question.groupings)
    shape = [_shape(rt, m) for m in question.measures]

    def values(numbers: list[Any]) -> dict[str, Any]:
        return {m.name: fit(v) for m, fit, v in zip(question.measures, shape, numbers)}

    paths = [resolve_path(rt, g.field) for g in question.groupings]

    def keys(members: list[Member]) -> dict[str, dict[str, Any]]:
        return {g.name: member_json(p, g.bucket, m) for g, p, m in zip(question.groupings, paths, members) if p}

    totals = values([dataset.totals.get(f"m{i}") for i in range(len(question.measures))])
    groups = [Group(keys(row[:n]), values(row[n:])) for row in dataset.rows] if n else []
    labels = {g.name: i18n_json(p.field.label) for g, p in zip(question.groupings, paths) if p}
    return Answer(groups, totals, labels)


def _shape(rt: FormRuntime, m: Measure) -> Callable[[Any], Any]:
    """How a measure's value is given: counts and sums of whole numbers as integers, averages as floats, other
    sums, minimums and maximums as decimals at the field's places."""
    if m.field is None:
        return lambda v: int(v or 0)
    if m.aggregate == "avg":
        return lambda v: None if v is None else float(v)
    path = resolve_path(rt, m.field)
    assert path is not None  # checked
    if whole_numbers(path):
        return lambda v: None if v is None else int(v)
    places = path.ftype.decimals(path.field)
    return lambda v: None if v is None else _at_places(Decimal(str(v)), places)


def _at_places(value: Decimal, places: int | None) -> Decimal:
    """`value` at the field's places (SQLite sums REAL columns), or as it is when that needs more digits than a
    decimal holds."""
    if places is None:
        return value
    try:
        return value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        return value


def whole_numbers(path: FieldPath) -> bool:
    """Whether the field holds whole numbers (its sum is a whole number too): its API type is integer."""
    return _whole(path.ftype, path.field)


def _whole(ftype: FieldType, f: FieldDef) -> bool:
    return ftype.json_schema(f).get("type") in ("integer", ["integer", "null"])


def member_json(path: FieldPath, bucket: str | None, member: Member) -> dict[str, Any]:
    """{value, label: {zh, en}} of a group's member (and `color` for an option that has one): the value is what a
    list filter takes (an option's value, an id, a bucket's first day), the label what a person reads."""
    key = member.key
    if key is not None and not bucket and path.ftype.refers_to(path.field) is None:
        key = _plain(path.ftype.to_json(path.field, key))
    found = {"value": key, "label": i18n_json(member.label)}
    if member.color:
        found["color"] = member.color
    return found


def i18n_json(label: I18n) -> dict[str, str]:
    return {"zh": text(label, "zh"), "en": text(label, "en")}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
