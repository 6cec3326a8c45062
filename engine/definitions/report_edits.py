"""Edit operations on a `report` document (registered in edit_ops): its source form and settings (filters, sort,
top N, comparison, label), its dimensions and measures (add, change, remove, move) and its chart. Like the form
operations they only shape the YAML; whether the report is valid is the report checks' business
(engine/reports/checks.py), shown at each problem's path while the draft is edited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap

from engine.definitions.edit_error import EditError
from engine.definitions.edit_ops import EditContext, operation
from engine.definitions.list_edits import (
    FILTER_ORDER, add_entry, change_entry, checked_id, free_id, ids_of, move_entry, new_entry, remove_entry, set_keys,
)
from engine.definitions.yamldoc import dump_document, plain, set_key, styled

REPORT_KEYS = ("report", "label", "description", "form", "filters", "dimensions", "measures", "sort", "limit",
               "others", "compare", "chart", "schedules")
SETTINGS = ("label", "description", "form", "filters", "sort", "limit", "others", "compare")
DIMENSION_KEYS = ("id", "field", "label", "bucket")
MEASURE_KEYS = ("id", "label", "aggregate", "field", "from", "to", "filter", "formula", "format", "decimals")
BUCKETS = ("day", "week", "month", "quarter", "year")
DIMENSION = ("dimension", "维度")
MEASURE = ("measure", "指标")


def new_report_text(report_id: str, label: Mapping[str, str], form: str) -> str:
    """A new report over `form`: a count of its records as a table, ready for the designer."""
    checked_id(report_id, "report")
    checked_id(form, "form")
    doc = styled({"report": report_id, "label": dict(label), "form": form,
                  "measures": [{"id": "count", "label": {"zh": "记录数", "en": "Records"}, "aggregate": "count"}],
                  "chart": {"type": "table"}}, order=REPORT_KEYS)
    doc.fa.set_block_style()
    return dump_document(doc)


@operation("report_set")
def report_set(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """The source form, label, description, filters, sort, top N (`limit`, `others`) and comparison."""
    changes = op.get("set") or {}
    if isinstance(changes, Mapping) and "limit" in changes and changes["limit"] is not None:
        limit = changes["limit"]
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise EditError("the top N must be a whole number from 1 to 1000", "前 N 名须为 1 到 1000 的整数")
    set_keys(doc, op, SETTINGS, REPORT_KEYS, required=("label", "form"),
             item_orders={"filters": FILTER_ORDER, "sort": ("by", "desc")})


@operation("report_add_dimension")
def add_dimension(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    entry = new_entry(op, "dimension", DIMENSION_KEYS)
    if not isinstance(entry.get("field"), str) or not entry["field"]:
        raise EditError("a dimension needs a field", "维度需要一个字段")
    _bucket(entry.get("bucket"))
    given, default = entry.pop("id", None), str(entry["field"]).replace(".", "_")
    if given is not None:
        entry = {"id": checked_id(given, "dimension"), **entry}
    elif _implicit_taken(doc, default):  # the id defaults to the path: written only when that one is taken
        taken = ids_of(doc.get("dimensions") or []) + ids_of(doc.get("measures") or []) + [default]
        entry = {"id": free_id(taken, default), **entry}
    add_entry(doc, "dimensions", entry, REPORT_KEYS, DIMENSION_KEYS, op.get("at"))


def _implicit_taken(doc: CommentedMap, wanted: str) -> bool:
    """Whether a dimension's default id (its path with _) is used by a dimension without an id or a measure."""
    used = {str(plain(d).get("id") or str(plain(d).get("field", "")).replace(".", "_"))
            for d in doc.get("dimensions") or []}
    return wanted in used or wanted in ids_of(doc.get("measures") or [])


@operation("report_change_dimension")
def change_dimension(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    changes = op.get("set") or {}
    if isinstance(changes, Mapping):
        _bucket(changes.get("bucket"))
        if changes.get("id") is not None:
            checked_id(changes["id"], "dimension")
    change_entry(doc, "dimensions", op, DIMENSION_KEYS, DIMENSION_KEYS, DIMENSION, required=("field",))


@operation("report_remove_dimension")
def remove_dimension(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    remove_entry(doc, "dimensions", op, DIMENSION)


@operation("report_move_dimension")
def move_dimension(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    move_entry(doc, "dimensions", op, DIMENSION)


@operation("report_add_measure")
def add_measure(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    entry = new_entry(op, "measure", MEASURE_KEYS)
    taken = ids_of(doc.get("measures") or []) + [
        str(plain(d).get("id") or str(plain(d).get("field", "")).replace(".", "_")) for d in doc.get("dimensions") or []]
    if entry.get("id") is not None:
        wanted = checked_id(entry.pop("id"), "measure")
        if wanted in taken:
            raise EditError(f"the report already has a measure or dimension '{wanted}'", f"报表中已有标识“{wanted}”")
    else:
        base = "count" if entry.get("aggregate") == "count" else \
            f"{entry.get('aggregate') or 'formula'}_{entry.get('field') or ''}".rstrip("_")
        wanted = free_id(taken, base)
    add_entry(doc, "measures", {"id": wanted, **entry}, REPORT_KEYS, MEASURE_KEYS, op.get("at"))


@operation("report_change_measure")
def change_measure(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    changes = op.get("set") or {}
    if isinstance(changes, Mapping) and changes.get("id") is not None:
        checked_id(changes["id"], "measure")
    change_entry(doc, "measures", op, MEASURE_KEYS, MEASURE_KEYS, MEASURE, required=("id",))


@operation("report_remove_measure")
def remove_measure(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    remove_entry(doc, "measures", op, MEASURE, keep_empty=True)


@operation("report_move_measure")
def move_measure(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    move_entry(doc, "measures", op, MEASURE)


@operation("report_set_chart")
def set_chart(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """The chart's type and, when given, its options (an empty map removes them)."""
    chart_type = op.get("type")
    if not isinstance(chart_type, str) or not chart_type or len(chart_type) > 40:
        raise EditError("a chart needs a type", "图表需要类型")
    options = op.get("options")
    if options is not None and not isinstance(options, Mapping):
        raise EditError("'options' must be an object", "options 必须是对象")
    current = doc.get("chart")
    if not isinstance(current, CommentedMap):
        set_key(doc, "chart", {"type": chart_type, **({"options": dict(options)} if options else {})}, REPORT_KEYS)
        return
    if plain(current.get("type")) != chart_type:
        current["type"] = chart_type
    if options is not None:
        if options:
            if plain(current.get("options")) != plain(options):
                set_key(current, "options", dict(options), ("type", "options"))
        else:
            current.pop("options", None)


def _bucket(value: Any) -> None:
    if value is not None and value not in BUCKETS:
        raise EditError(f"'{str(value)[:20]}' is not a date bucket (day, week, month, quarter, year)",
                        f"“{str(value)[:20]}”不是日期分组(日、周、月、季度、年)")


@operation("report_add_filter")
def add_filter(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """One more condition every record counted must meet: {field, op, value}."""
    entry = new_entry(op, "filter", FILTER_ORDER)
    if not isinstance(entry.get("field"), str) or not isinstance(entry.get("op"), str):
        raise EditError("a filter needs a field and a condition", "筛选需要字段和条件")
    add_entry(doc, "filters", entry, REPORT_KEYS, FILTER_ORDER)


@operation("report_remove_filter")
def remove_filter(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    remove_entry(doc, "filters", op, ("filter", "筛选"))
