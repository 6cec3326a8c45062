"""Reading import files: the kind told by content, csv encodings and delimiters, sheets, merged and formula cells,
and every refusal before work starts (wrong type, empty, header only, too many columns, too big, repeated
headers, no such sheet), each with a message in zh and en."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from engine.imports import ImportRefused, inspect_file
from engine.imports.reading import MAX_COLUMNS, Table


def write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(path: Path, **kwargs) -> ImportRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRefused) as caught:
        inspect_file(path, **kwargs)
    return caught.value


def test_csv_encodings_and_delimiters_are_detected(tmp_path: Path) -> None:
    gbk = inspect_file(write(tmp_path, "客户名称\t等级\n甲公司\tA\n".encode("gbk"), "x.txt"))
    assert (gbk.kind, gbk.encoding, gbk.delimiter, gbk.headers) == ("csv", "gb18030", "\t", ("客户名称", "等级"))
    assert gbk.samples == (("甲公司",), ("A",))
    bom = inspect_file(write(tmp_path, "\ufeffName;Note\nA;\"x;y\"\n".encode("utf-8"), "b.xlsx"))  # name lies
    assert (bom.kind, bom.encoding, bom.delimiter, bom.headers) == ("csv", "utf-8-sig", ";", ("Name", "Note"))
    plain = Table(write(tmp_path, "a,b\n1,\"多\n行\"\n,\n2,=1+1\n".encode(), "p.csv"))
    assert list(plain.rows()) == [(2, ["1", "多\n行"]), (4, ["2", "=1+1"])]  # blank row 3 skipped


@pytest.mark.parametrize("streaming", [False, True], ids=["calamine", "openpyxl"])
def test_a_workbook_gives_stored_values_of_formulas_and_merged_cells(tmp_path: Path, monkeypatch, streaming: bool) -> None:  # type: ignore[no-untyped-def]
    if streaming:  # a big xlsx is read row by row: the same cells
        monkeypatch.setattr("engine.imports.reading.STREAM_ABOVE_MB", 0)
    path = tmp_path / "w.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Empty")
    sheet = book.add_worksheet("Data")
    sheet.write_row(0, 0, ["Name", "Total", "Day", "Group"])
    sheet.write_row(1, 0, ["A", 3])
    sheet.write_formula(1, 1, "=1+2", None, 3)  # stored result 3: read, never evaluated
    sheet.write_datetime(1, 2, datetime(2026, 3, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.merge_range(1, 3, 2, 3, "G1")
    sheet.write_string(2, 0, "=cmd|' /C calc'!A0")  # text that looks like a formula stays text
    sheet.write_number(2, 1, 2.5)
    book.close()
    refusal = refused(path, sheet="Nope")
    assert refusal.code == "no_sheet" and "Empty, Data" in refusal.message("en")
    info = inspect_file(path, sheet="Data")
    assert (info.kind, info.sheets, info.sheet, info.rows) == ("xlsx", ("Empty", "Data"), "Data", 2)
    table = Table(path, "Data")
    assert table.streaming == streaming
    rows = list(table.rows())
    assert rows[0][0] == 2 and rows[0][1][:2] == ["A", 3] and rows[0][1][2] in (date(2026, 3, 1), datetime(2026, 3, 1))
    assert rows[0][1][3] == "G1" and rows[1][1][3] is None  # a merged area's value is in its first cell
    assert rows[1][1][:2] == ["=cmd|' /C calc'!A0", 2.5]
    assert refused(path).code == "empty"  # the first sheet is empty


def test_refusals_before_work_starts(tmp_path: Path) -> None:
    cases = {
        "wrong_type": write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00", "a.csv"),
        "empty": write(tmp_path, b"\xef\xbb\xbf\r\n", "b.csv"),
        "header_only": write(tmp_path, b"Name,Grade\n\n", "c.csv"),
        "too_many_columns": write(tmp_path, (",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n1\n").encode()),
        "duplicate_headers": write(tmp_path, "名称,Grade, 名称 \nA,B,C\n".encode(), "d.csv"),
    }
    archive = tmp_path / "e.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w/>")  # a zip, but not a workbook (a .docx)
    cases["wrong_type "] = archive
    cases["unreadable"] = write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "f.xls")  # OLE, not xls
    for code, path in cases.items():
        error = refused(path)
        assert error.code == code.strip(), (code, error.code)
        assert error.message("zh") != error.message("en") and "{" not in error.message("en")
    assert "名称" in refused(cases["duplicate_headers"]).message("zh")
    big = write(tmp_path, b"a\n" + b"x\n" * 600_000, "big.csv")
    error = refused(big, limit_mb=1)
    assert error.code == "too_big" and error.message("en") == (
        "The file is 1.1 MB, over the 1 MB limit; split it into several files")
    assert "超过了 1 MB 的上限" in error.message("zh")
