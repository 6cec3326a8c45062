"""Reports as Excel workbooks of values: labels in the reader's language, numbers as numbers in their column's
format, totals; a pivot keeps its rows down, columns across, subtotals and totals."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from engine.reports.dataset import Column, Dataset, Member
from engine.reports.run import run_report
from engine.reports.xlsx import SheetInfo, write_report_xlsx


def book_of(dataset: Dataset, lang: str, chart: str = "table", options: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    out = io.BytesIO()
    write_report_xlsx(dataset, out, SheetInfo("月度成交" if lang == "zh" else "Monthly", "2026-12-07 09:00",
                                              ["阶段 不属于 输单"]), lang, chart=chart, options=options)
    out.seek(0)
    return load_workbook(out).active


def rows_of(sheet) -> list[list]:  # type: ignore[no-untyped-def,type-arg]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_a_table_has_title_filters_labels_numbers_and_totals(sales) -> None:  # type: ignore[no-untyped-def]
    report = sales.ws.definitions.reports["pipeline"]
    ds = run_report(sales.ws.records, sales.admin, report)
    sheet = book_of(ds, "zh")
    rows = rows_of(sheet)
    assert rows[0][0] == "月度成交" and rows[1][:2] == ["生成时间", "2026-12-07 09:00"]
    assert rows[2][:2] == ["筛选条件", "阶段 不属于 输单"]
    head = rows.index(["阶段", "商机数", "金额"])
    body = rows[head + 1:]
    labels = [r[0] for r in body]
    assert "qualify" not in labels and labels[-1] == "合计"
    assert all(isinstance(r[1], int) for r in body)
    assert body[-1][1] == ds.totals["deals"] == sum(r[1] for r in body[:-1])
    amount = sheet.cell(head + 2, 3)
    assert isinstance(amount.value, (int, float)) and amount.number_format == '"¥"#,##0.00;-"¥"#,##0.00'  # a sum of money: in its currency, with the field's decimals
    assert rows_of(book_of(ds, "en"))[head][0] == "Stage"


def test_number_formats_follow_the_column_kind() -> None:
    cols = [Column("d", {"zh": "月份", "en": "Month"}, "dimension", "date"),
            Column("rate", {"zh": "赢率", "en": "Win rate"}, "measure", "percent"),
            Column("cycle", {"zh": "周期", "en": "Cycle"}, "measure", "days"),
            Column("n", "n", "measure", "number", 0)]
    ds = Dataset(cols, [[Member("2024-01-01", {"zh": "2024年1月", "en": "2024-01"}), 0.25, 12.5, 3]],
                 {"rate": 0.25, "cycle": 12.5, "n": 3})
    sheet = book_of(ds, "zh")
    rows = rows_of(sheet)
    at = rows.index(["月份", "赢率", "周期", "n"]) + 2
    assert [sheet.cell(at, i).number_format for i in (2, 3, 4)] == ["0.0%", '#,##0.0 "天"', "#,##0"]
    assert sheet.cell(at, 1).value == "2024年1月" and sheet.cell(at, 2).value == 0.25


def test_a_pivot_keeps_rows_down_columns_across_subtotals_and_totals() -> None:
    month = Column("month", {"zh": "月份", "en": "Month"}, "dimension", "date")
    owner = Column("owner", {"zh": "负责人", "en": "Owner"}, "dimension", "text")
    stage = Column("stage", {"zh": "阶段", "en": "Stage"}, "dimension", "text")
    deals = Column("deals", {"zh": "商机数", "en": "Deals"}, "measure", "number")
    jan, feb = Member("2024-01-01", {"zh": "1月", "en": "Jan"}), Member("2024-02-01", {"zh": "2月", "en": "Feb"})
    li, wang = Member(1, "李雷"), Member(2, "王芳")
    won, lost = Member("won", {"zh": "赢单", "en": "Won"}), Member("lost", {"zh": "输单", "en": "Lost"})
    rows = [[jan, li, won, 2], [jan, li, lost, 1], [jan, wang, won, 4], [feb, li, lost, 3]]
    ds = Dataset([month, owner, stage, deals], rows, {"deals": 10})
    sheet = rows_of(book_of(ds, "zh", "pivot", {"columns": "stage"}))
    head = sheet.index(["月份", "负责人", "赢单", "输单", "合计"])
    body = [r for r in sheet[head + 1:]]
    assert body == [["1月", "李雷", 2, 1, 3], [None, "王芳", 4, None, 4], ["1月 小计", None, 6, 1, 7],
                    ["2月", "李雷", None, 3, 3], ["2月 小计", None, None, 3, 3], ["合计", None, 6, 4, 10]]


def test_a_pivot_with_several_measures_spans_each_column_member(sales) -> None:  # type: ignore[no-untyped-def]
    report = sales.ws.definitions.reports["monthly"]
    ds = run_report(sales.ws.records, sales.admin, report)
    sheet = book_of(ds, "en", "pivot", dict(report.chart.options))
    rows = rows_of(sheet)
    head = next(i for i, r in enumerate(rows) if r[0] == "Closed at")
    across = [c for c in rows[head][1:] if c]  # the stages in their option order, whatever the rows' order
    assert across[:4] == ["Qualify", "Proposal", "Won", "Lost"] and across[-1] == "Total"
    assert rows[head][1] == "Qualify" and rows[head][6] == "Proposal" and rows[head][-5] == "Total"
    assert rows[head + 1][1:6] == ["deals", "Amount", "won", "lost", "win_rate"]
    assert f"B{head + 1}:F{head + 1}" in {str(r) for r in sheet.merged_cells.ranges}
    assert rows[head + 2][0] == "2023-10" and all(r[0] != "2023-10-01" for r in rows)
    assert rows[-1][0] == "Total" and rows[-1][-5] == ds.totals["deals"]
    assert sheet.cell(head + 3, 6).number_format == "0.0%"
