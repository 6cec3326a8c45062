"""Imports run as background jobs through the record service: a GBK csv with Chinese headers, a BOM csv, an xlsx
with dates, numbers and options; options by label, people by name, relations by title and by serial number;
duplicates by key (skip, update, in the file); a dry run writes nothing; the error report names the failed rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import xlsxwriter

from engine.imports import ImportOptions, find, preview, start_import, suggest_mapping, write_report
from engine.records.model import Actor, Query
from tests.conftest import add_user

ADMIN = Actor(user_id=1, is_admin=True)


def csv_file(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(ws, path: Path, **options) -> str:  # type: ignore[no-untyped-def]
    from engine.imports import inspect_file

    info = inspect_file(path, options.pop("sheet", None))
    mapping = options.pop("mapping", None) or suggest_mapping(ws.records.runtime("customer").form, info.headers)
    token = start_import(ws, ADMIN, options.pop("form", "customer"), path,
                         ImportOptions(mapping=mapping, sheet=info.sheet if info.kind != "csv" else None, **options),
                         filename=path.name, lang="zh")
    assert [o.status for o in ws.jobs.drain()] == ["done"]
    return token


def sheet_rows(path: Path) -> list[tuple]:  # type: ignore[type-arg]
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.active.iter_rows(values_only=True))
    finally:
        book.close()


def names(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r.values["name"] for r in ws.records.list(ADMIN, "customer", Query(limit=1000)).records)


def test_a_gbk_csv_with_chinese_headers_is_imported(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "名称,等级,首次合作,备注\n甲公司,A,2026/3/1,=cmd|' /C calc'!A0\n乙公司,C,2026年3月2日,\n",
                    "gbk")
    token = run(shop, path)
    job = find(shop, token)
    assert job is not None and (job.status, job.total, job.done, job.written, job.errors) == ("done", 2, 2, 2, 0)
    records = {r.values["name"]: r.values for r in shop.records.list(ADMIN, "customer", Query(limit=10)).records}
    assert records["甲公司"]["grade"] == "A" and records["甲公司"]["since"] == date(2026, 3, 1)
    assert records["甲公司"]["notes"] == "=cmd|' /C calc'!A0"  # stored as text, never evaluated
    assert records["乙公司"]["since"] == date(2026, 3, 2)
    from engine.audit import AuditFilter, list_audit

    with shop.reading() as conn:
        entries = list_audit(conn, AuditFilter(actions=("import",)))
    assert [(e["actor_id"], e["target"], e["detail"]["file"], e["detail"]["token"]) for e in entries] == [
        (1, "customer", "data.csv", token)]


def test_a_bom_csv_with_semicolons_and_bad_rows_reports_them(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "Name;Grade;Since\nAcme;B;2026-01-05\nBad;Z;2026-01-06\nLate;A;not a date\n",
                    "utf-8-sig")
    token = run(shop, path)
    job = find(shop, token)
    assert job is not None and (job.written, job.errors) == (1, 2)
    assert names(shop) == ["Acme"]
    report = write_report(shop, token, "en")
    rows = sheet_rows(report)
    assert rows[0] == ("Row", "Name", "Grade", "Since", "Problems")
    assert [r[:4] for r in rows[1:]] == [(3, "Bad", "Z", "2026-01-06"), (4, "Late", "A", "not a date")]
    assert "Grade has no option 'Z'" in rows[1][4] and "Since" in rows[2][4]
    zh = sheet_rows(write_report(shop, token, "zh"))
    assert zh[0][0] == "行号" and "等级没有选项“Z”" in zh[1][4]


def test_an_xlsx_with_dates_numbers_options_people_and_relations(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_user(shop, "bob")
    shop.records.create(ADMIN, "product", {"name": "笔", "price": 3})
    path = tmp_path / "c.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户")
    sheet.write_row(0, 0, ["名称", "Grade", "since", "评分", "负责人", "关注产品"])
    sheet.write_row(1, 0, ["Serial day", "B", 46082, 4, "bob", "笔"])
    sheet.write_datetime(2, 2, datetime(2026, 3, 2), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_row(2, 0, ["Date cell", "c"])
    sheet.write_row(2, 3, [5.0, "alice", "nothing"])
    book.add_worksheet("Other")
    book.close()
    token = run(shop, path)
    job = find(shop, token)
    assert job is not None and (job.written, job.errors) == (1, 1)
    record = shop.records.list(ADMIN, "customer", Query(limit=10)).records[0].values
    assert record["since"] == date(2026, 3, 1) and record["rating"] == 4 and record["grade"] == "B"
    assert record["owner"] == 2 and len(record["interests"]) == 1


def test_update_by_key_skip_and_duplicates_in_the_file(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shop.records.create(ADMIN, "customer", {"name": "Acme", "grade": "A", "notes": "old"})
    path = csv_file(tmp_path, "Name,Notes\nAcme,new\nBeta,b\nBeta,again\n")
    token = run(shop, path, key="name", on_duplicate="skip")
    job = find(shop, token)
    assert job is not None and (job.written, job.skipped, job.updated, job.errors) == (1, 1, 0, 1)
    token = run(shop, csv_file(tmp_path, "Name,Notes\nAcme,new\nGamma,g\n", name="u.csv"), key="name",
                on_duplicate="update")
    job = find(shop, token)
    assert job is not None and (job.written, job.updated, job.errors) == (1, 1, 0)
    acme = next(r for r in shop.records.list(ADMIN, "customer", Query(limit=10)).records if r.values["name"] == "Acme")
    assert acme.values["notes"] == "new" and acme.version == 2
    assert names(shop) == ["Acme", "Beta", "Gamma"]


def test_a_dry_run_writes_nothing_but_reports(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token = run(shop, csv_file(tmp_path, "Name,Grade\nA1,A\nA2,Q\n"), dry_run=True)
    job = find(shop, token)
    assert job is not None and job.dry_run and (job.written, job.errors) == (1, 1)
    assert names(shop) == []


def test_preview_shows_rows_as_stored_and_counts_problems(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, "名称,等级,首次合作\nA,A,2026/3/1\nB,Q,x\nC,B,2026年1月2日\n")
    options = ImportOptions(mapping={"名称": "name", "等级": "grade", "首次合作": "since"})
    shown = preview(shop, ADMIN, "customer", path, options, "en")
    assert shown.fields == (("name", "Name"), ("grade", "Grade"), ("since", "Since"))
    assert [r.values for r in shown.rows] == [("A", "A", "Mar 1, 2026"), ("B", "Q", ""), ("C", "B", "Jan 2, 2026")]
    assert {c.field: c.count for c in shown.columns} == {"name": 0, "grade": 1, "since": 1}
    assert shown.whole_file and names(shop) == []


def test_a_failed_import_says_why_and_resumes_from_its_checkpoint(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from engine.imports import folder, resume

    path = csv_file(tmp_path, "Name\nA\nB\n")
    token = start_import(shop, ADMIN, "customer", path, ImportOptions(mapping={"Name": "name"}), lang="en")
    kept = next(folder(shop).glob(f"{token}.*"))
    moved = kept.rename(kept.with_suffix(".away"))
    assert [o.status for o in shop.jobs.drain()] == ["failed"]
    job = find(shop, token)
    assert job is not None and (job.status, job.error) == (
        "failed", "The file of this import is no longer on the server; upload it again")
    moved.rename(kept)
    assert resume(shop, token)
    assert [o.status for o in shop.jobs.drain()] == ["done"]
    job = find(shop, token)
    assert job is not None and (job.status, job.written, job.error) == ("done", 2, None) and names(shop) == ["A", "B"]


def test_a_runner_that_lost_the_job_lands_nothing(shop, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    import pytest

    from engine.imports import resume
    from engine.imports.job import KEY_PREFIX, run_import
    from engine.jobs import queue
    from engine.jobs.context import JobContext
    from engine.jobs.queue import LeaseLost

    monkeypatch.setattr("engine.imports.job.BATCH_ROWS", 1)
    token = start_import(shop, ADMIN, "customer", csv_file(tmp_path, "Name\nA\nB\nC\n"),
                         ImportOptions(mapping={"Name": "name"}))
    with shop.writing() as conn:  # an old runner holds the job (then hangs)
        stale = queue.claim(conn, KEY_PREFIX + token, shop.now(), timedelta(minutes=5))
    assert stale is not None and resume(shop, token)  # someone resumes it: another runner takes it over
    assert [o.status for o in shop.jobs.drain()] == ["done"]
    with pytest.raises(LeaseLost):  # the old runner wakes up: its first write is refused
        run_import(JobContext(shop, stale, timedelta(minutes=5)))
    job = find(shop, token)
    assert job is not None and (job.status, job.done, job.written) == ("done", 3, 3) and names(shop) == ["A", "B", "C"]
