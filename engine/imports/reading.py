"""Reading an import file: its kind told by its content (never its name), its header row checked, its data rows
streamed one at a time.

- xlsx / xls: python-calamine (measured 9–17 times faster than openpyxl's read-only mode), which parses a whole
  sheet into compact memory (about 25 times the xlsx file's size); an xlsx over STREAM_ABOVE_MB is read row by row
  by openpyxl's read-only mode instead, in constant memory. Both return each cell's stored value — a formula's
  last computed result, never re-evaluated; a merged area's value in its top-left cell (the other cells are
  empty). Date cells come as dates or datetimes.
- csv: UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030 (a superset of GBK, which
  Chinese Excel writes); the delimiter (comma, semicolon, tab) sniffed from the start of the file. Read line by line.

Cells are never evaluated: text beginning with = + - @ is kept as that text.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from engine.imports.errors import ImportRefused

MAX_COLUMNS = 1000  # columns a file may have
STREAM_ABOVE_MB = 8.0  # an xlsx bigger than this is read row by row (openpyxl) rather than a sheet at a time
MAX_CELL_CHARS = 32_767  # characters of one cell (Excel's own limit); a longer cell is its row's error
SAMPLES = 5  # sample values shown per column on the mapping step
CSV_FIELD_LIMIT = 1 << 24  # csv's own field limit, raised so a long cell is a row error rather than a refusal
KINDS = ("xlsx", "xls", "csv")
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = ",;\t"

Cell = Any  # str | int | float | bool | date | datetime | time | None


@dataclass(frozen=True)
class FileInfo:
    """What the mapping step shows about a file: its kind, sheets, the chosen sheet's headers and sample values."""

    kind: str  # xlsx | xls | csv
    size: int  # bytes
    sheets: tuple[str, ...]  # the workbook's sheets (csv: one, called "csv")
    sheet: str  # the sheet read
    headers: tuple[str, ...]
    samples: tuple[tuple[str, ...], ...]  # per column: up to SAMPLES non-empty values as text
    rows: int | None  # xlsx, xls: rows below the header (blank ones too), else None; the job counts exactly
    encoding: str | None = None  # csv: utf-8, utf-8-sig or gb18030
    delimiter: str | None = None  # csv: , ; or tab


def file_kind(path: Path) -> str:
    """xlsx, xls or csv, from the file's first bytes; ImportRefused("wrong_type" / "empty") otherwise."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportRefused("empty")
    if head.startswith(ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise ImportRefused("unreadable", detail=str(exc)) from None
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx"
        raise ImportRefused("wrong_type")
    if head.startswith(OLE):
        return "xls"
    if b"\x00" in head:  # binary: no text file holds NUL bytes
        raise ImportRefused("wrong_type")
    return "csv"


def check_size(size: int, limit_mb: float) -> None:
    """ImportRefused("too_big") for a file over `limit_mb` megabytes (checked before it is read)."""
    if size > limit_mb * 1024 * 1024:
        raise ImportRefused("too_big", size=round(size / 1024 / 1024, 1), limit=_plain(limit_mb))


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


class Table:
    """An opened import file: `info` (headers checked: not blank, not repeated, at most MAX_COLUMNS) and `rows()`,
    the data rows streamed as (row number as the user sees it, cells padded to the headers' width)."""

    def __init__(self, path: Path, sheet: str | None = None):
        self.path = Path(path)
        self.kind = file_kind(self.path)
        self.encoding: str | None = None
        self.delimiter: str | None = None
        self.sheets: tuple[str, ...] = ("csv",)
        self.sheet = "csv"
        self.streaming = False  # a big xlsx read row by row (openpyxl) instead of a sheet at a time (calamine)
        self._loaded: Any = None
        if self.kind == "csv":
            self.encoding = detect_encoding(self.path)
            self.delimiter = sniff_delimiter(self.path, self.encoding)
        else:
            self._open_workbook(sheet)
        header_row = next(self._raw_rows(), None)
        if header_row is None or not any(_text(c) for c in header_row[1]):
            raise ImportRefused("empty")
        self.headers = _headers(header_row[1])

    def _open_workbook(self, sheet: str | None) -> None:
        from python_calamine import CalamineWorkbook

        self.streaming = self.kind == "xlsx" and self.path.stat().st_size > STREAM_ABOVE_MB * 1024 * 1024
        try:
            if self.streaming:
                book = _openpyxl(self.path)
                names = list(book.sheetnames)
                book.close()
            else:
                self._book = CalamineWorkbook.from_path(str(self.path))
                names = list(self._book.sheet_names)
        except Exception as exc:  # the readers' errors (zip, xml, password) all mean: cannot read it
            raise ImportRefused("unreadable", detail=str(exc)[:200]) from None
        self.sheets = tuple(names)
        if not self.sheets:
            raise ImportRefused("empty")
        if sheet and sheet not in self.sheets:
            raise ImportRefused("no_sheet", sheet=sheet, sheets=", ".join(self.sheets))
        self.sheet = sheet or self.sheets[0]

    def info(self) -> FileInfo:
        """The file's kind, sheets, headers and sample values; ImportRefused("header_only") with no data row."""
        samples: list[list[str]] = [[] for _ in self.headers]
        seen_data = False
        for count, (_, cells) in enumerate(self.rows()):
            seen_data = True
            for index, cell in enumerate(cells):
                shown = _text(cell)
                if shown and len(samples[index]) < SAMPLES:
                    samples[index].append(shown[:80])
            if count >= 200 or all(len(s) >= SAMPLES for s in samples):
                break
        if not seen_data:
            raise ImportRefused("header_only")
        return FileInfo(self.kind, self.path.stat().st_size, self.sheets, self.sheet, self.headers,
                        tuple(tuple(s) for s in samples), self._height(), self.encoding, self.delimiter)

    def _height(self) -> int | None:
        if self.kind == "csv":
            return None
        if self.streaming:
            book = _openpyxl(self.path)
            try:
                return max(0, int(book[self.sheet].max_row or 1) - 1)
            finally:
                book.close()
        return max(0, int(self._calamine_sheet().height) - 1)

    def _calamine_sheet(self) -> Any:
        """The chosen sheet, parsed once (calamine reads a whole sheet at a time)."""
        if self._loaded is None:
            self._loaded = self._book.get_sheet_by_name(self.sheet)
        return self._loaded

    def rows(self, after: int = 0) -> Iterator[tuple[int, list[Cell]]]:
        """Data rows with a number greater than `after` (the header is row 1); wholly blank rows are skipped."""
        width = len(self.headers)
        raw = self._raw_rows()
        next(raw, None)  # the header
        text_only = self.kind == "csv"  # every cell is a str: the short way
        for number, cells in raw:
            if number <= after:
                continue
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            elif len(cells) > width:
                cells = cells[:width]
            if text_only:
                cells = [c if c and not c.isspace() else None for c in cells]
            else:
                cells = [_cell(c) for c in cells]
            if any(c is not None for c in cells):
                yield number, cells

    def count(self) -> int:
        """Data rows that are not wholly blank (read through once: cheap next to writing them)."""
        raw = self._raw_rows()
        next(raw, None)  # the header
        width = len(self.headers)
        if self.kind == "csv":
            return sum(1 for _, cells in raw if any(c and not c.isspace() for c in cells[:width]))
        return sum(1 for _, cells in raw if any(_cell(c) is not None for c in cells[:width]))

    def _raw_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        if self.kind == "csv":
            yield from self._csv_rows()
            return
        if self.streaming:
            yield from self._streamed_rows()
            return
        try:
            sheet = self._calamine_sheet()
            first = int(sheet.start[0]) if sheet.start else 0  # the rows above the used range are empty
            for index, row in enumerate(sheet.iter_rows()):
                yield first + index + 1, list(row)
        except ImportRefused:
            raise
        except Exception as exc:
            raise ImportRefused("unreadable", detail=str(exc)[:200]) from None

    def _streamed_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """A big xlsx, row by row in constant memory (openpyxl's read-only mode: stored values, never formulas)."""
        book = _openpyxl(self.path)
        try:
            for index, row in enumerate(book[self.sheet].iter_rows(values_only=True), start=1):
                yield index, list(row)
        except Exception as exc:
            raise ImportRefused("unreadable", detail=str(exc)[:200]) from None
        finally:
            book.close()

    def _csv_rows(self) -> Iterator[tuple[int, list[Cell]]]:
        csv.field_size_limit(CSV_FIELD_LIMIT)
        with self.path.open("r", encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter or ",")
            try:
                yield from enumerate(reader, start=1)
            except csv.Error as exc:
                raise ImportRefused("unreadable", detail=str(exc)[:200]) from None


def _openpyxl(path: Path) -> Any:
    import openpyxl

    return openpyxl.load_workbook(path, read_only=True, data_only=True)


def _headers(cells: list[Cell]) -> tuple[str, ...]:
    names = [_text(c).strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise ImportRefused("too_many_columns", count=len(names), limit=MAX_COLUMNS)
    names = [name or _column_letter(index) for index, name in enumerate(names)]
    seen: dict[str, int] = {}
    for name in names:
        key = normal(name)
        seen[key] = seen.get(key, 0) + 1
    repeated = [name for name in dict.fromkeys(names) if seen[normal(name)] > 1]
    if repeated:
        raise ImportRefused("duplicate_headers", names=", ".join(repeated))
    return tuple(names)


def _column_letter(index: int) -> str:
    """A, B … Z, AA …: the name of a column without a header (openpyxl loads only when a file needs it)."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def normal(name: str) -> str:
    """A header or label compared loosely: case, spaces, full-width spaces and a trailing * (the template's mark
    of a required field) ignored."""
    return "".join(name.split()).replace("\u3000", "").rstrip("*").casefold()


def _cell(value: Cell) -> Cell:
    """A cell as the fields take it: blank text is None, whole floats are ints (spreadsheets store 3 as 3.0)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def _text(value: Cell) -> str:
    """A cell as text, for headers and samples."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def detect_encoding(path: Path) -> str:
    """utf-8-sig (a BOM), utf-8 (the whole file decodes), else gb18030 (GBK's superset, Chinese Excel's csv)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        first = handle.read(3)
        bom = first == codecs.BOM_UTF8
        chunk = b"" if bom else first
        try:
            while True:
                decoder.decode(chunk)
                chunk = handle.read(1 << 20)
                if not chunk:
                    decoder.decode(b"", final=True)
                    break
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig" if bom else "utf-8"


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter of the header line: the one of , ; tab it holds most often outside quotes (comma on a tie)."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        sample = handle.read(64 * 1024)
    lines = [line for line in io.StringIO(sample).read().splitlines() if line.strip()]
    if not lines:
        return ","
    header = _outside_quotes(lines[0])
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _outside_quotes(line: str) -> str:
    kept, quoted = [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            kept.append(char)
    return "".join(kept)

