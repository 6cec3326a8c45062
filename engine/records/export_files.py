"""Export files: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese correctly) streamed in chunks, and
Excel workbooks written row by row (openpyxl's write-only mode keeps memory flat).

Text that a spreadsheet would take for a formula (`=…`, `+…`, `-…`, `@…`) never becomes one: xlsx cells are typed
as text, and in CSV such text gets a leading apostrophe, as OWASP advises against CSV injection. Text with bidirectional controls is isolated as on the pages (engine.bidi):
an export is read by people, and `\u202egnp.exe` must not read as "exe.png" in a spreadsheet either.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from engine.bidi import isolated, without_controls
from engine.records.export import Cell, Column, Export

CSV_CHUNK_ROWS = 200
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_NAME_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADER_WIDTH = (8, 40)
DATE_FORMAT, DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
YES_NO = {"zh": ("是", "否"), "en": ("Yes", "No")}


def cell_text(value: Cell, column: Column, lang: str) -> str:
    """A cell as CSV text: plain numbers (no thousands separators), ISO dates, `12.5%`, yes/no in the language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = YES_NO.get(lang, YES_NO["en"])
        return yes if value else no
    if isinstance(value, Decimal) and column.kind == "percent":
        return f"{(value * 100).normalize():f}%"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (date, time)):
        return value.isoformat()
    value = isolated(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_chunks(export: Export, lang: str) -> Iterator[bytes]:
    """The CSV file in UTF-8 chunks: the BOM and header row first, then CSV_CHUNK_ROWS records at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([isolated(c.header) for c in export.columns])
    for count, row in enumerate(export.rows, start=1):
        writer.writerow([cell_text(v, c, lang) for v, c in zip(row, export.columns)])
        if count % CSV_CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def sheet_name(label: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return SHEET_NAME_CHARS.sub(" ", without_controls(label)).strip()[:31] or "Sheet1"


def write_xlsx(export: Export, target: IO[bytes], title: str) -> int:
    """Write the workbook to `target` (a header row, frozen, then one row per record); the rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(export.columns, start=1):
        width = min(max(HEADER_WIDTH[0], _width(column.header) + 2), HEADER_WIDTH[1])
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for column in export.columns:
        cell = WriteOnlyCell(sheet, value=_safe_text(column.header))
        cell.data_type, cell.font = "s", bold
        header.append(cell)
    sheet.append(header)
    formats = [_number_format(c) for c in export.columns]
    rows = 0
    for row in export.rows:
        cells: list[Any] = []
        for value, number_format in zip(row, formats):
            if isinstance(value, str):
                value = _safe_text(value)
                if value.startswith("=") or "\n" in value:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # text is text, even when it starts with '='
                    if "\n" in value:
                        cell.alignment = wrap
                    value = cell
            elif number_format and value is not None and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                value = cell
            cells.append(value)  # a plain value where no style is needed: much faster to write
        sheet.append(cells)
        rows += 1
    book.save(target)
    return rows


def _safe_text(value: str) -> str:
    return ILLEGAL_IN_XLSX.sub("", isolated(value))


def _number_format(column: Column) -> str | None:
    """The Excel number format of a column's cells (None: the general format)."""
    places = "." + "0" * column.decimals if column.decimals else ""
    if column.kind == "percent":
        return f"0{places}%"
    if column.kind == "number":
        return f"#,##0{places}" if column.decimals is not None else None
    return {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT}.get(column.kind)


def _width(header: str) -> int:
    """Roughly how many Latin characters wide a header is (CJK characters count double)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
