"""Export files: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese correctly) streamed in chunks, and
Excel workbooks streamed row by row into the file (engine.records.xlsx_stream: memory stays flat however many
rows, strings inline).

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
from typing import IO

from engine.bidi import isolated, without_controls
from engine.records.export import Cell, Column, Export
from engine.records.xlsx_stream import BOLD, SheetStream

CSV_CHUNK_ROWS = 200
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_NAME_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADER_WIDTH = (8, 40)
MAX_XLSX_TEXT = 32767  # the most characters an Excel cell holds
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


def write_csv(export: Export, target: IO[bytes], lang: str) -> None:
    """Write the CSV file to `target` (the chunks csv_chunks streams)."""
    for chunk in csv_chunks(export, lang):
        target.write(chunk)


def write_xlsx(export: Export, target: IO[bytes] | str, title: str) -> int:
    """Write the workbook to `target` (a header row, bold and frozen, then one row per record); the rows
    written. The sheet is streamed (engine.records.xlsx_stream): memory stays flat however many rows."""
    formats = [_number_format(c) for c in export.columns]
    widths = [min(max(HEADER_WIDTH[0], _width(c.header) + 2), HEADER_WIDTH[1]) for c in export.columns]
    stream = SheetStream(target, sheet_name(title), widths, [f for f in formats if f] + [DATE_FORMAT], clean=_cell_text)
    stream.row([c.header for c in export.columns], [BOLD] * len(export.columns))
    styles = [stream.style_of(f) if f else None for f in formats]
    date_styles = [s or stream.style_of(DATE_FORMAT) for s in styles]
    rows = 0
    for rows, row in enumerate(export.rows, start=1):
        stream.row(row, styles, date_styles)
    stream.close()
    return rows


def _cell_text(value: str) -> str:
    return _safe_text(value)[:MAX_XLSX_TEXT]


def _safe_text(value: str) -> str:
    if value.isprintable():  # no control characters, bidirectional ones included: the common case, in C
        return value
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
