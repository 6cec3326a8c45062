"""A report's Dataset as an Excel workbook of values (not pictures): the title, when it was made, the filters in
words, a header row in the reader's language, member labels (never internal keys), numbers as numbers in their
column's format (money, percent, days), and a totals row. A pivot keeps its shape: the row dimensions down the
side with a subtotal per outer group, the column dimension across with a total column, and a grand total line.

Subtotals and row totals add rows up only for measures that add up (counts, numbers and money); the grand total is
the dataset's own total over every record in scope, as on the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from engine.bidi import isolated
from engine.i18n import text
from engine.locale_format import CURRENCY_SYMBOLS
from engine.records.export_files import ILLEGAL_IN_XLSX, sheet_name
from engine.reports.dataset import Column, Dataset, Member, natural

WORDS: dict[str, dict[str, str]] = {
    "total": {"zh": "合计", "en": "Total"},
    "subtotal": {"zh": "{name} 小计", "en": "{name} subtotal"},
    "filters": {"zh": "筛选条件", "en": "Filters"},
    "no_filters": {"zh": "无(全部记录)", "en": "None (every record)"},
    "made": {"zh": "生成时间", "en": "Made at"},
    "days": {"zh": "天", "en": "days"},
}
ADDITIVE = ("number", "money")
DEFAULT_DECIMALS = {"money": 2, "percent": 1, "days": 1}
Path = tuple[Any, ...]


def word(key: str, lang: str, **params: str) -> str:
    return text(WORDS[key], lang).format(**params)


@dataclass(frozen=True)
class SheetInfo:
    """What the sheet says above the table: the title, when it was made (already in the reader's zone) and each
    filter in words."""

    title: str
    made: str = ""
    filters: Sequence[str] = ()


def number_format(column: Column, lang: str, currency: str = "CNY") -> str:
    """The Excel number format of a measure column: #,##0 · "¥"#,##0.00 · 0.0% · 0.0 "天"."""
    places = column.decimals if column.decimals is not None else DEFAULT_DECIMALS.get(column.kind, 0)
    digits = "." + "0" * places if places else ""
    if column.kind == "percent":
        return f"0{digits}%"
    if column.kind == "money":
        code = column.currency or currency
        symbol = CURRENCY_SYMBOLS.get(code, f"{code} ").replace('"', "")
        return f'"{symbol}"#,##0{digits};-"{symbol}"#,##0{digits}'
    if column.kind == "days":
        return f'#,##0{digits} "{word("days", lang)}"'
    if column.kind == "date":
        return "yyyy-mm-dd"
    return f"#,##0{digits}" if column.decimals is not None else "#,##0.##"


def member_text(member: Member, lang: str) -> str:
    return _safe(text(member.label, lang) or ("" if member.key is None else str(member.key)))


def _safe(value: str) -> str:
    return ILLEGAL_IN_XLSX.sub("", isolated(value))


def _number(value: Any) -> Any:
    """A measure value as a spreadsheet number (Decimal to float; None stays empty)."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def pivot_columns(dataset: Dataset, options: Mapping[str, Any]) -> list[Column]:
    """The dimensions a pivot puts across: its `columns` option (a key or a list of keys), else the last of two
    or more dimensions."""
    wanted = options.get("columns")
    keys = [wanted] if isinstance(wanted, str) else list(wanted or [])
    dims = dataset.dimensions
    found = [d for d in dims if d.key in keys]
    if not found and len(dims) > 1:
        found = dims[-1:]
    return found[:1] if len(found) < len(dims) else []


def write_report_xlsx(dataset: Dataset, target: IO[bytes], info: SheetInfo, lang: str, *, chart: str = "table",
                      options: Mapping[str, Any] | None = None) -> None:
    """Write the workbook of a report's dataset to `target`; a pivot chart keeps its pivot layout."""
    from openpyxl import Workbook

    options = dict(options or {})
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = sheet_name(info.title)
    writer = _Writer(sheet, dataset, lang, str(options.get("currency") or "CNY"))
    writer.preamble(info)
    across = pivot_columns(dataset, options) if chart == "pivot" else []
    if across:
        writer.pivot([d for d in dataset.dimensions if d not in across], across[0],
                     options.get("subtotals") is not False, options.get("totals") is not False)
    else:
        writer.table()
    writer.widths()
    book.save(target)


class _Writer:
    """Rows appended to one sheet, styled as they go."""

    def __init__(self, sheet: Any, dataset: Dataset, lang: str, currency: str):
        from openpyxl.styles import Font, PatternFill

        self.sheet, self.dataset, self.lang, self.currency = sheet, dataset, lang, currency
        self.bold, self.title_font = Font(bold=True), Font(bold=True, size=14)
        self.head_fill = PatternFill("solid", fgColor="EEF2F7")
        self.total_fill = PatternFill("solid", fgColor="F5F5F5")
        self.row = 0

    def preamble(self, info: SheetInfo) -> None:
        self.row += 1
        self.sheet.cell(self.row, 1, _safe(info.title)).font = self.title_font
        if info.made:
            self.row += 1
            self.sheet.cell(self.row, 1, word("made", self.lang))
            self.sheet.cell(self.row, 2, _safe(info.made))
        self.row += 1
        self.sheet.cell(self.row, 1, word("filters", self.lang))
        self.sheet.cell(self.row, 2, _safe("; ".join(info.filters) or word("no_filters", self.lang)))
        self.row += 1  # a blank line before the table

    def head(self, labels: Sequence[str | None]) -> None:
        self.row += 1
        for i, label in enumerate(labels, start=1):
            if label is not None:
                cell = self.sheet.cell(self.row, i, _safe(label))
                cell.font, cell.fill = self.bold, self.head_fill

    def line(self, labels: Sequence[str], values: Sequence[tuple[Column, Any]], kind: str = "row") -> None:
        self.row += 1
        for i, label in enumerate(labels, start=1):
            if label:
                cell = self.sheet.cell(self.row, i, label)
                if kind != "row":
                    cell.font = self.bold
        for j, (column, value) in enumerate(values, start=len(labels) + 1):
            cell = self.sheet.cell(self.row, j, _number(value))
            cell.number_format = number_format(column, self.lang, self.currency)
            if kind != "row":
                cell.font = self.bold
        if kind != "row":
            for j in range(1, len(labels) + len(values) + 1):
                self.sheet.cell(self.row, j).fill = self.total_fill

    def table(self) -> None:
        """One line per dataset row, then the totals line."""
        ds, lang = self.dataset, self.lang
        dims, measures = ds.dimensions, ds.measures
        self.head([text(c.label, lang) for c in ds.columns])
        self.sheet.freeze_panes = self.sheet.cell(self.row + 1, 1)
        for row in ds.rows:
            labels = [member_text(row[ds.column_index(d.key)], lang) for d in dims]
            self.line(labels, [(m, row[ds.column_index(m.key)]) for m in measures])
        if dims:
            total = [word("total", lang)] + [""] * (len(dims) - 1)
            self.line(total, [(m, ds.totals.get(m.key)) for m in measures], "total")

    def pivot(self, rows: list[Column], across: Column, subtotals: bool = True, totals: bool = True) -> None:
        """Row dimensions down, `across` members across (each with every measure), a subtotal per outer group and
        a total column and line (unless turned off)."""
        ds, lang, measures = self.dataset, self.lang, self.dataset.measures
        members: dict[Any, Member] = {}
        cells: dict[tuple[Path, Any], list[list[Any]]] = {}
        paths: dict[Path, list[Member]] = {}
        for r in ds.rows:
            path = tuple(_hashable(r[ds.column_index(d.key)].key) for d in rows)
            column = r[ds.column_index(across.key)]
            members.setdefault(_hashable(column.key), column)
            paths.setdefault(path, [r[ds.column_index(d.key)] for d in rows])
            cells.setdefault((path, _hashable(column.key)), []).append(r)
        several = len(measures) > 1
        top: list[str | None] = [text(d.label, lang) for d in rows]
        members = {_hashable(m.key): m for m in natural(list(members.values()))}  # across: in their natural order
        ends: list[Any] = [None] if totals else []
        for member in [*members.values(), *ends]:
            shown = member_text(member, lang) if member is not None else word("total", lang)
            top += [shown] + [None] * (len(measures) - 1)
        self.head(top)
        self._merge_head(len(rows), len(members) + len(ends), len(measures))
        if several:
            second: list[str | None] = [None] * len(rows)
            for _ in range(len(members) + len(ends)):
                second.extend(text(m.label, lang) for m in measures)
            self.head(second)
        self.sheet.freeze_panes = self.sheet.cell(self.row + 1, len(rows) + 1)

        def values(prefix: Path) -> list[tuple[Column, Any]]:
            found: list[tuple[Column, Any]] = []
            for key in [*members, *ends]:
                under = [r for (p, k), rs in cells.items() if p[:len(prefix)] == prefix and (key is None or k == key)
                         for r in rs]
                found += [(m, self._combine(m, under)) for m in measures]
            return found

        outer = list(dict.fromkeys(p[:1] for p in paths)) if len(rows) > 1 else []
        for group in outer or [()]:
            inner = [p for p in paths if p[:len(group)] == group]
            for n, path in enumerate(inner):
                labels = [member_text(m, lang) for m in paths[path]]
                if group and n:
                    labels[0] = ""
                self.line(labels, values(path))
            if group and subtotals:
                name = member_text(paths[inner[0]][0], lang)
                self.line([word("subtotal", lang, name=name)] + [""] * (len(rows) - 1), values(group), "subtotal")
        if not totals:
            return
        grand = values(())
        grand[-len(measures):] = [(m, ds.totals.get(m.key, v)) for m, (_, v) in zip(measures, grand[-len(measures):])]
        self.line([word("total", lang)] + [""] * (len(rows) - 1), grand, "total")

    def _combine(self, measure: Column, rows: list[list[Any]]) -> Any:
        values = [r[self.dataset.column_index(measure.key)] for r in rows]
        if measure.kind in ADDITIVE:
            present = [v for v in values if v is not None]
            return sum(present) if present else None
        return values[0] if len(values) == 1 else None

    def _merge_head(self, start: int, groups: int, width: int) -> None:
        if width < 2:
            return
        for g in range(groups):
            first = start + 1 + g * width
            self.sheet.merge_cells(start_row=self.row, start_column=first, end_row=self.row,
                                   end_column=first + width - 1)

    def widths(self) -> None:
        from openpyxl.utils import get_column_letter

        widest: dict[int, int] = {}
        for row in self.sheet.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, str):
                    widest[cell.column] = max(widest.get(cell.column, 0), _width(cell.value))
        for column in range(1, self.sheet.max_column + 1):
            self.sheet.column_dimensions[get_column_letter(column)].width = min(max(widest.get(column, 0) + 2, 12), 40)


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in key.items()))
    return key


def _width(value: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in value)
