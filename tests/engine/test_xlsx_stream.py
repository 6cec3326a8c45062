"""The streamed Excel sheet opens in a spreadsheet library with its cells typed as written: text as text (never a
formula), numbers and dates with their formats, booleans, a bold frozen header and the column widths."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import openpyxl

from engine.records.xlsx_stream import BOLD, SheetStream, excel_serial


def test_cells_keep_their_types_formats_and_text() -> None:
    out = io.BytesIO()
    stream = SheetStream(out, 'Deals "Q1" & <more>', [10, 20, 12, 8, 8], ["0.00%", "yyyy-mm-dd"])
    stream.row(["Name", "Share", "Day", "VIP", "Notes"], [BOLD] * 5)
    share, day = stream.style_of("0.00%"), stream.style_of("yyyy-mm-dd")
    styles = [None, share, None, None, None]
    stream.row([" =SUM(A1) & <b> ", 0.125, date(2024, 3, 1), True, "line 1\nline 2"], styles, [day] * 5)
    stream.row([None, 3, datetime(2024, 3, 1, 18, 30), False, None], styles, [day] * 5)
    stream.close()
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == 'Deals "Q1" & <more>' and sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and sheet.column_dimensions["B"].width == 20
    text, number, day_cell, vip, notes = sheet[2]
    assert text.value == " =SUM(A1) & <b> " and text.data_type == "s"  # text, spaces kept, not a formula
    assert number.value == 0.125 and number.number_format == "0.00%"
    assert day_cell.value == datetime(2024, 3, 1) and day_cell.number_format == "yyyy-mm-dd"
    assert vip.value is True and notes.value == "line 1\nline 2" and notes.alignment.wrap_text
    assert [c.value for c in sheet[3]] == [None, 3, datetime(2024, 3, 1, 18, 30), False, None]


def test_serial_numbers_are_excels() -> None:
    assert excel_serial(date(1900, 1, 1)) == 1 and excel_serial(date(1900, 3, 1)) == 61  # after Excel's 29 Feb 1900
    assert excel_serial(datetime(2024, 3, 1, 12)) == 45352.5 and excel_serial(time(6)) == 0.25
