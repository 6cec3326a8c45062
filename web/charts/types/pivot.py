"""A pivot table: row dimensions down the side (with a subtotal per group), column dimensions across, a total
column and a total line. Subtotals add the rows up only for measures that add up (counts and sums); the grand
total is the dataset's own total over every record in scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.i18n import text
from engine.reports.dataset import Column, Dataset, Member
from web.charts.cells import Cell, Line
from web.charts.members import member_id, member_label, shade
from web.charts.numbers import format_value
from web.charts.registry import ChartType, register
from web.charts.series import chosen_measures
from web.texts.charts import chart_text

KEYS = {"type": "array", "items": {"type": "string"}}
ADDITIVE_KINDS = ("number", "money")
Path = tuple[Any, ...]


def _keys(value: Any) -> list[str]:
    """A dimension option: one key or a list of keys."""
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


@dataclass
class Grid:
    """The dataset indexed by (row path, column path) of member ids, with the members of each path."""

    dataset: Dataset
    rows: list[Column]
    columns: list[Column]
    measures: list[Column]
    summable: set[str]
    lang: str
    currency: str
    subtotals: bool = True  # a subtotal line per outer row group
    totals: bool = True  # the total column and the grand total line

    def __post_init__(self) -> None:
        self.row_members: dict[Path, list[Member]] = {}
        self.column_members: dict[Path, list[Member]] = {}
        self.at: dict[tuple[Path, Path], list[list[Any]]] = {}  # a dimension placed nowhere: several rows a cell
        for row in self.dataset.rows:
            r, c = self._path(row, self.rows), self._path(row, self.columns)
            self.at.setdefault((r, c), []).append(row)
            self.row_members.setdefault(r, [row[self.dataset.column_index(d.key)] for d in self.rows])
            self.column_members.setdefault(c, [row[self.dataset.column_index(d.key)] for d in self.columns])
        self.row_paths = list(self.row_members)  # the report's sort
        # across: in the members' natural order (options as listed, dates in time, users by name)
        self.column_paths = sorted(self.column_members, key=lambda p: [m.rank for m in self.column_members[p]])

    def _path(self, row: list[Any], dims: list[Column]) -> Path:
        return tuple(member_id(row[self.dataset.column_index(d.key)]) for d in dims)

    def row_keys(self, prefix: Path) -> dict[str, Any]:
        """The drill-down keys of the rows under a row path or its prefix (a group)."""
        return {d.key: m.key for d, m in zip(self.rows, self.first_under(prefix)[:len(prefix)])}

    def column_keys(self, path: Path) -> dict[str, Any]:
        return {d.key: m.key for d, m in zip(self.columns, self.column_members[path])}

    def first_under(self, prefix: Path) -> list[Member]:
        """The members of the first row path under a prefix."""
        return self.row_members[next(p for p in self.row_paths if p[:len(prefix)] == prefix)]

    def value(self, measure: Column, rows: Iterable[list[Any]]) -> Any:
        """The measure over some rows: their sum when it adds up, else the single row's value (or none)."""
        values = [r[self.dataset.column_index(measure.key)] for r in rows]
        if measure.key in self.summable:
            present = [v for v in values if v is not None]
            return sum(present) if present else None
        return values[0] if len(values) == 1 else None

    def cells(self, rows: list[list[Any]], keys: dict[str, Any]) -> list[Cell]:
        """One cell per measure for these rows, clickable to the records behind them."""
        return [Cell(format_value(m, self.value(m, rows), self.lang, self.currency), True,
                     keys if m.drillable else None, measure=m.key)
                for m in self.measures]

    def matching(self, row_prefix: Path, column: Path | None) -> list[list[Any]]:
        return [row for (r, c), rows in self.at.items()
                if r[:len(row_prefix)] == row_prefix and (column is None or c == column) for row in rows]


@register
class Pivot(ChartType):
    name = "pivot"
    tabular = True
    label = {"zh": "透视表", "en": "Pivot table"}
    template = "charts/pivot.html"
    options_schema = {
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "CNY"},
        "rows": {**KEYS, "description": "Dimensions down the side, outermost first (all but the last by default)."},
        "columns": {"anyOf": [{"type": "string"}, KEYS],
                    "description": "Dimensions across the top (the last when there are two or more)."},
        "measures": {**KEYS, "description": "The measures shown (every one by default)."},
        "summable": {**KEYS, "description": "Measures whose subtotals are sums (counts and sums; by default "
                                            "number and money measures)."},
        "subtotals": {"type": "boolean", "default": True, "description": "A subtotal line per outer row group."},
        "totals": {"type": "boolean", "default": True, "description": "The total column and the grand total line."},
    }

    def context(self, dataset: Dataset, options: dict[str, Any], lang: str) -> dict[str, Any]:
        grid = self.grid(dataset, options, lang)
        if not dataset.rows:
            return {"head": self._head(grid), "lines": [], "empty": chart_text("chart_no_data", lang),
                    "row_dimensions": len(grid.rows)}
        lines: list[Line] = []
        self._group(grid, (), lines)
        if grid.totals:
            lines.append(self._total(grid))
        return {"head": self._head(grid), "lines": lines,
                "empty": chart_text("chart_no_data", lang), "row_dimensions": len(grid.rows)}

    def grid(self, dataset: Dataset, options: dict[str, Any], lang: str) -> Grid:
        dims = {d.key: d for d in dataset.dimensions}
        columns = [dims[k] for k in _keys(options.get("columns")) if k in dims]
        rows = [dims[k] for k in options.get("rows") or [] if k in dims and dims[k] not in columns]
        if not rows and not columns:
            rows, columns = (dataset.dimensions[:-1], dataset.dimensions[-1:]) if len(dims) > 1 else \
                (dataset.dimensions, [])
        rows = rows or [d for d in dataset.dimensions if d not in columns]
        measures = chosen_measures(dataset, options.get("measures"))
        summable = set(options.get("summable") or [m.key for m in measures if m.kind in ADDITIVE_KINDS])
        return Grid(dataset, rows, columns, measures, summable, lang, str(options.get("currency") or "CNY"),
                    options.get("subtotals") is not False, options.get("totals") is not False)

    def _head(self, grid: Grid) -> list[Line]:
        lang, several = grid.lang, len(grid.measures) > 1
        measure_labels = [Cell(text(m.label, lang), True) for m in grid.measures]
        if not grid.columns:
            return [Line([Cell(text(d.label, lang)) for d in grid.rows] + measure_labels, "head")]
        depth = 2 if several else 1
        top = [Cell(text(d.label, lang), rowspan=depth) for d in grid.rows]
        for path in grid.column_paths:
            name = " / ".join(member_label(m, lang) for m in grid.column_members[path])
            top.append(Cell(name, True, colspan=len(grid.measures)))
        if grid.totals:
            top.append(Cell(chart_text("chart_total", lang), True, colspan=len(grid.measures)))
        head = [Line(top, "head")]
        if several:
            head.append(Line(measure_labels * (len(grid.column_paths) + int(grid.totals)), "head"))
        return head

    def _values(self, grid: Grid, prefix: Path) -> list[Cell]:
        """The value cells of a line for the rows under `prefix`: per column path, then the line's total."""
        keys = grid.row_keys(prefix)
        if not grid.columns:
            return grid.cells(grid.matching(prefix, None), keys)
        cells: list[Cell] = []
        for path in grid.column_paths:
            cells += grid.cells(grid.matching(prefix, path), {**keys, **grid.column_keys(path)})
        return cells + (grid.cells(grid.matching(prefix, None), keys) if grid.totals else [])

    def _group(self, grid: Grid, prefix: Path, lines: list[Line]) -> None:
        level = len(prefix)
        children = list(dict.fromkeys(p[:level + 1] for p in grid.row_paths if p[:level] == prefix))
        for child in children:
            if level + 1 == len(grid.rows):
                blanks = [Cell("") for _ in range(level)] if level and child != children[0] else None
                lines.append(Line(self._labels(grid, child, blanks) + self._values(grid, child), "row", level))
            else:
                self._group(grid, child, lines)
                if not grid.subtotals:
                    continue
                member = member_label(grid.first_under(child)[level], grid.lang)
                label = [Cell("") for _ in range(level)] + \
                    [Cell(chart_text("chart_subtotal", grid.lang, name=member))] + \
                    [Cell("") for _ in range(len(grid.rows) - level - 1)]
                lines.append(Line(label + self._values(grid, child), "subtotal", level))

    def _labels(self, grid: Grid, path: Path, blanks: list[Cell] | None) -> list[Cell]:
        members = grid.row_members[path]
        cells = [Cell(member_label(m, grid.lang), color=shade(m.color)) for m in members]
        return (blanks + cells[len(blanks):]) if blanks else cells

    def _total(self, grid: Grid) -> Line:
        label = [Cell(chart_text("chart_total", grid.lang))] + [Cell("") for _ in grid.rows[1:]]
        cells = self._values(grid, ())
        for i, measure in enumerate(grid.measures):  # the grand total: over every record, not the rows shown
            if measure.key in grid.dataset.totals:
                cells[len(cells) - len(grid.measures) + i] = Cell(
                    format_value(measure, grid.dataset.totals[measure.key], grid.lang, grid.currency), True,
                    {} if measure.drillable else None,
                    measure=measure.key)
        return Line(label + cells, "total")
