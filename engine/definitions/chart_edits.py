"""Edit operations on a report's chart options (registered in edit_ops): the switches and numbers of any chart,
a pivot's layout (which dimensions go down the side and which across, subtotals, totals) and a dual-axis chart's
axes (which measure on which axis, and how each is drawn). Each sets its keys under `chart.options` and keeps the
others; ids must name the report's own dimensions and measures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap

from engine.definitions.edit_error import EditError
from engine.definitions.edit_ops import EditContext, operation
from engine.definitions.yamldoc import plain, set_key
from engine.reports.charts import NUMBER, SERIES_DRAWINGS, chart_type



def _chart(doc: CommentedMap, wanted: str | None = None) -> CommentedMap:
    """The report's chart map (of type `wanted` when given: EditError otherwise)."""
    chart = doc.get("chart")
    if not isinstance(chart, CommentedMap):
        raise EditError("choose a chart first", "请先选择图表")
    if wanted is not None and plain(chart.get("type")) != wanted:
        raise EditError(f"this setting is for a {wanted.replace('_', ' ')} chart", "此设置不适用于当前图表")
    return chart


def _merge(chart: CommentedMap, changes: Mapping[str, Any], removed: Sequence[str]) -> None:
    """Set `changes` and drop `removed` under `chart.options` (the options map goes when left empty)."""
    options = plain(chart.get("options"))
    merged = {**(options if isinstance(options, dict) else {}), **changes}
    for key in removed:
        merged.pop(key, None)
    if merged == options:
        return
    if merged:
        set_key(chart, "options", merged, ("type", "options"))
    else:
        chart.pop("options", None)


def _ids(doc: CommentedMap, key: str) -> list[str]:
    found = []
    for entry in doc.get(key) or []:
        data = plain(entry)
        if isinstance(data, dict):
            default = str(data.get("field", "")).replace(".", "_") if key == "dimensions" else ""
            found.append(str(data.get("id") or default))
    return found


def _names(value: Any, known: list[str], what: tuple[str, str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EditError(f"give a list of {what[0]} ids", f"请给出{what[1]}标识的列表")
    for name in value:
        if name not in known:
            raise EditError(f"'{name[:40]}' is not a {what[0]} of the report", f"“{name[:40]}”不是报表的{what[1]}")
    return list(dict.fromkeys(value))


def _switch(op: Mapping[str, Any], key: str) -> bool | None:
    value = op.get(key)
    if value is not None and not isinstance(value, bool):
        raise EditError(f"'{key}' is on or off (true or false)", f"{key} 须为开或关(true 或 false)")
    return value


@operation("report_set_options")
def set_options(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """Switches and numbers of the chart's options (`set`; false and null drop one, as `unset` does)."""
    chart = _chart(doc)
    kind = chart_type(str(plain(chart.get("type")) or ""))
    changes, removed = op.get("set") or {}, op.get("unset") or []
    if not isinstance(changes, Mapping) or not isinstance(removed, list):
        raise EditError("'set' must be an object and 'unset' a list of keys", "set 必须是对象,unset 必须是键的列表")
    for key, value in changes.items():
        takes = kind.options.get(str(key)) if kind is not None else None
        if takes not in ((bool,), NUMBER):
            raise EditError(f"'{str(key)[:40]}' is not a switch or number of this chart", f"“{str(key)[:40]}”不是此图表的开关或数值选项")
        if value is not None and not (isinstance(value, bool) if takes == (bool,) else
                                      isinstance(value, NUMBER) and not isinstance(value, bool)):
            raise EditError(f"'{key}' has the wrong kind of value", f"选项“{key}”取值类型不对")
    _merge(chart, {k: v for k, v in changes.items() if v not in (None, False)},
           [*map(str, removed), *(k for k, v in changes.items() if v in (None, False))])


@operation("report_set_pivot")
def set_pivot(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """A pivot's `rows` and `columns` (dimension ids; none given: the default split), `subtotals` and `totals`."""
    chart = _chart(doc, "pivot")
    dims = _ids(doc, "dimensions")
    rows = _names(op.get("rows"), dims, ("dimension", "维度"))
    columns = _names(op.get("columns"), dims, ("dimension", "维度"))
    if set(rows) & set(columns):
        raise EditError("a dimension goes down the side or across, not both", "一个维度只能在行或列之一")
    if (rows or columns) and not (rows and columns):
        raise EditError("a pivot needs at least one row and one column dimension", "透视表至少需要一个行维度和一个列维度")
    changes: dict[str, Any] = {}
    if rows:
        changes["rows"] = rows
        changes["columns"] = columns[0] if len(columns) == 1 else columns
    removed = [] if rows else ["rows", "columns"]
    for key in ("subtotals", "totals"):
        value = _switch(op, key)
        if value is False:
            changes[key] = False
        elif value is True:
            removed.append(key)  # on is the default: not written
    _merge(chart, changes, removed)


@operation("report_set_axes")
def set_axes(doc: CommentedMap, op: Mapping[str, Any], ctx: EditContext) -> None:
    """A dual-axis chart's `left` and `right` measures (each on one side, both sides used) and `series`: how a
    measure is drawn (bar, line, area) when not its side's way (bars left, lines right)."""
    chart = _chart(doc, "dual_axis")
    measures = _ids(doc, "measures")
    left = _names(op.get("left"), measures, ("measure", "指标"))
    right = _names(op.get("right"), measures, ("measure", "指标"))
    if set(left) & set(right):
        raise EditError("a measure goes on one axis, not both", "一个指标只能在一侧坐标轴")
    if not left or not right:
        raise EditError("put at least one measure on each axis", "每侧坐标轴至少放一个指标")
    series = op.get("series") or {}
    if not isinstance(series, Mapping):
        raise EditError("'series' maps measure ids to bar, line or area", "series 须把指标映射到柱、线或面积")
    drawn: dict[str, str] = {}
    for name, how in series.items():
        if name not in measures:
            raise EditError(f"'{str(name)[:40]}' is not a measure of the report", f"“{str(name)[:40]}”不是报表的指标")
        if how not in SERIES_DRAWINGS:
            raise EditError(f"'{str(how)[:20]}' is not a drawing (bar, line, area)", f"“{str(how)[:20]}”不是可用的画法(柱、线、面积)")
        if how != ("bar" if name in left else "line"):
            drawn[str(name)] = str(how)
    _merge(chart, {"left": left, "right": right, **({"series": drawn} if drawn else {})}, [] if drawn else ["series"])
