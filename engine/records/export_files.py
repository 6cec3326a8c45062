"""Export files: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese correctly) streamed in chunks, and
Excel workbooks written row by row (xlsxwriter's constant-memory mode keeps memory flat however many rows: each row
goes to a temporary file as it is written, strings inline).

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
    """Write the workbook to `target` (a header row, frozen, then one row per record); the rows written."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name(title))
    sheet.freeze_panes(1, 0)
    bold, wrap = book.add_format({"bold": True}), book.add_format({"text_wrap": True, "valign": "top"})
    for index, column in enumerate(export.columns):
        sheet.set_column(index, index, min(max(HEADER_WIDTH[0], _width(column.header) + 2), HEADER_WIDTH[1]))
        sheet.write_string(0, index, _safe_text(column.header), bold)
    styles = [book.add_format({"num_format": f}) if (f := _number_format(c)) else None for c in export.columns]
    plain_date = book.add_format({"num_format": DATE_FORMAT})
    rows = 0
    for rows, row in enumerate(export.rows, start=1):
        for index, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                value = _safe_text(value)[:MAX_XLSX_TEXT]
                sheet.write_string(rows, index, value, wrap if "\n" in value else None)
            elif isinstance(value, bool):
                sheet.write_boolean(rows, index, value)
            elif isinstance(value, (date, time)):  # datetime is a date
                sheet.write_datetime(rows, index, value, styles[index] or plain_date)
            else:
                sheet.write_number(rows, index, float(value), styles[index])
    book.close()
    return rows


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
