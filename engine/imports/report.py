"""The error report of an import: an xlsx of the rows that failed — their number in the file, the original cells
under the file's headers, and every problem in the reader's language."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
import xlsxwriter

from engine.imports.job import folder
from engine.imports.tables import import_errors, import_runs

if TYPE_CHECKING:
    from engine.workspace import Workspace

ROW_HEADER = {"zh": "行号", "en": "Row"}
PROBLEMS_HEADER = {"zh": "问题", "en": "Problems"}
SHEET = {"zh": "导入错误", "en": "Import errors"}


def write_report(ws: Workspace, token: str, lang: str = "zh") -> Path:
    """Write the report of import `token` in `lang` (zh or en) and return its path (under the imports folder).
    The caller checks that the reader started the import (ImportJob.user_id)."""
    lang = lang if lang in ("zh", "en") else "zh"
    target = folder(ws) / f"{token}-errors-{lang}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with ws.reading() as conn:
        headers = conn.execute(sa.select(import_runs.c.headers).where(import_runs.c.token == token)).scalar() or []
        book = xlsxwriter.Workbook(str(partial), {"constant_memory": True, "strings_to_formulas": False,
                                                   "strings_to_urls": False, "strings_to_numbers": False})
        try:
            sheet = book.add_worksheet(SHEET[lang])
            bold = book.add_format({"bold": True})
            sheet.write_row(0, 0, [ROW_HEADER[lang], *headers, PROBLEMS_HEADER[lang]], bold)
            rows = conn.execute(sa.select(import_errors.c.row, import_errors.c.cells, import_errors.c.problems)
                                .where(import_errors.c.token == token).order_by(import_errors.c.row))
            for index, (number, cells, problems) in enumerate(rows, start=1):
                sheet.write_number(index, 0, number)
                for column, cell in enumerate(cells or [], start=1):
                    if cell is None:
                        continue
                    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                        sheet.write_number(index, column, cell)
                    else:
                        sheet.write_string(index, column, str(cell))
                shown = "\n".join(str(p.get(lang) or p.get("zh") or "") for p in problems or [])
                sheet.write_string(index, len(headers) + 1, shown)
        finally:
            book.close()
    partial.replace(target)
    return target
