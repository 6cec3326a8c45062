"""A one-sheet Excel workbook written as a stream: the sheet's XML goes row by row into the zip file, so memory
stays flat however many rows, at a small part of a general library's cost per cell (a million-record export is
ten million cells).

Cells are typed text (inline strings, never formulas), numbers, booleans and dates (Excel serial numbers with a
number format); the first row can be bold and frozen, and columns have widths.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument"
FIRST_CUSTOM_FORMAT = 164  # number format ids below are Excel's built-in ones
BOLD, WRAP, FIRST_FORMAT_STYLE = 1, 2, 3  # cell styles (xf) 0: plain; 1: bold; 2: wrapped text, top; 3…: formats
EPOCH = datetime(1899, 12, 31)
ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "_x000D_"})
EXCEL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # text Excel would read as an escaped character
FLUSH_ROWS = 200

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.spreadsheetml.styles+xml"/></Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/worksheet" \
Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/></Relationships>"""


def text_xml(value: str) -> str:
    """Text as XML character data, with Excel's own escapes kept literal and carriage returns kept."""
    if "_x" in value:
        value = EXCEL_ESCAPE.sub(r"_x005F\1", value)
    return value.translate(ESCAPES)


def _attribute(value: str) -> str:
    return text_xml(value).replace('"', "&quot;")


def excel_serial(value: date | time) -> float:
    """A date, date-time or time of day as Excel's serial number (days since 1900, Excel's leap day counted)."""
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    delta = moment.replace(tzinfo=None) - EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial  # Excel counts 29 February 1900


class SheetStream:
    """Write a one-sheet workbook to `target`: `row(values, styles)` for each row, then `close()`.

    `formats` are the number formats (Excel codes) the cells may use; a cell's style is BOLD, WRAP or
    `style_of(format)`. `clean` makes a text cell safe (control characters out, length cut) before it is written.
    """

    def __init__(self, target: IO[bytes] | str, title: str, widths: Sequence[float], formats: Sequence[str],
                 freeze_first_row: bool = True, clean: Callable[[str], str] = str):
        self.formats, self.clean = list(dict.fromkeys(formats)), clean
        self.zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._write_parts(title)
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.names = [get_column_letter(i + 1) for i in range(len(widths))]
        self.rows = 0
        self.pending: list[str] = []
        pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' \
               '<selection pane="bottomLeft"/>' if freeze_first_row else ""
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        self._put(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
                  f'xmlns:r="{RELS}"><sheetViews><sheetView tabSelected="1" workbookViewId="0">{pane}</sheetView>'
                  f'</sheetViews><sheetFormatPr defaultRowHeight="15"/>{"<cols>" + cols + "</cols>" if cols else ""}'
                  '<sheetData>')

    def style_of(self, number_format: str) -> int:
        """The cell style of a number format given when the stream was opened."""
        return FIRST_FORMAT_STYLE + self.formats.index(number_format)

    def row(self, values: Sequence[Any], styles: Sequence[int | None] | None = None,
            date_styles: Sequence[int | None] | None = None) -> None:
        """The next row: str, bool, date/datetime/time, or a number; None leaves the cell empty. A number takes
        its column's style from `styles`, a date from `date_styles` (else `styles`); text is wrapped when it holds
        a newline (styles given apply to text only when no date styles are given: a header row of BOLD)."""
        self.rows += 1
        number = str(self.rows)
        parts = [f'<row r="{number}">']
        names, clean = self.names, self.clean
        for index, value in enumerate(values):
            if value is None:
                continue
            ref = names[index] + number
            if isinstance(value, str):
                value = clean(value)
                style = WRAP if "\n" in value else (styles[index] if styles and date_styles is None else None)
                space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
                parts.append(f'<c r="{ref}"{_s(style)} t="inlineStr"><is><t{space}>{text_xml(value)}</t></is></c>')
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (date, time)):
                style = (date_styles or styles or [None] * (index + 1))[index]
                parts.append(f'<c r="{ref}"{_s(style)}><v>{excel_serial(value):.16G}</v></c>')
            else:
                number_value = float(value)
                if math.isfinite(number_value):
                    style = styles[index] if styles else None
                    parts.append(f'<c r="{ref}"{_s(style)}><v>{number_value:.16G}</v></c>')
                else:  # Excel has no NaN or infinity: the cell says what the value was
                    parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        parts.append("</row>")
        self.pending.append("".join(parts))
        if len(self.pending) >= FLUSH_ROWS:
            self._put("".join(self.pending))
            self.pending.clear()

    def close(self) -> None:
        """Finish the sheet and the file."""
        self._put("".join(self.pending) + "</sheetData></worksheet>")
        self.pending.clear()
        self.sheet.close()
        self.zip.close()

    def _put(self, text: str) -> None:
        self.sheet.write(text.encode("utf-8"))

    def _write_parts(self, title: str) -> None:
        self.zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        self.zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        self.zip.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                             f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView/>'
                                             f'</bookViews><sheets><sheet name="{_attribute(title)}" sheetId="1" '
                                             'r:id="rId1"/></sheets></workbook>')
        self.zip.writestr("xl/styles.xml", self._styles())

    def _styles(self) -> str:
        formats = "".join(f'<numFmt numFmtId="{FIRST_CUSTOM_FORMAT + i}" formatCode="{_attribute(code)}"/>'
                          for i, code in enumerate(self.formats))
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
               '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
               '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
               '<alignment vertical="top" wrapText="1"/></xf>']
        xfs += [f'<xf numFmtId="{FIRST_CUSTOM_FORMAT + i}" fontId="0" fillId="0" borderId="0" xfId="0" '
                'applyNumberFormat="1"/>' for i in range(len(self.formats))]
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
                + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if self.formats else "")
                + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _s(style: int | None) -> str:
    return f' s="{style}"' if style else ""
