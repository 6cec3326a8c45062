"""Importing records from xlsx, xls and csv files (docs/import.md).

Steps, each a function here (no web imports; the web pages and `formwork import` call them):
    inspect_file(path, sheet)          → FileInfo: kind, sheets, headers, sample values (refusals: ImportRefused)
    suggest_mapping(form, headers)     → {header: field id or ""}
    preview(ws, actor, form, path, options, lang) → Preview: first rows as stored, problems per column
    start_import(ws, actor, form, path, options, filename=, lang=) → token (the job is queued)
    find(ws, token) / imports_of(ws, user_id, form) → ImportJob (progress, counts, rate, time left)
    write_report(ws, token, lang)      → Path of the error report (xlsx)
    resume(ws, token)                  → a killed or failed import goes on after its checkpoint
    stage_upload / staged / discard_staged → an upload kept between the steps, for its owner only
    write_template(ws, form, lang)     → Path of an xlsx whose headers are the importable fields
"""

from __future__ import annotations

from pathlib import Path

from engine.imports.errors import REFUSALS, ImportRefused
from engine.imports.job import (BATCH_ROWS, KIND, ImportJob, find, folder, imports_of, max_mb, resume, run,
                                start_import)
from engine.imports.mapping import (CREATE, ON_DUPLICATE, SKIP, UPDATE, FieldChoice, ImportOptions, importable_fields,
                                    parse_map_args, suggest_mapping)
from engine.imports.preview import ColumnProblems, Preview, PreviewRow, preview
from engine.imports.reading import KINDS, MAX_CELL_CHARS, MAX_COLUMNS, FileInfo, Table, check_size
from engine.imports.report import write_report
from engine.imports.rights import field_access, may_import, writable_fields
from engine.imports.staging import STAGED_HOURS, Staged, discard_staged, stage_upload, staged
from engine.imports.template import write_template

ACCEPT = ".xlsx,.xls,.csv"  # the file input's accept attribute (the kind is still told by content)


def inspect_file(path: Path, sheet: str | None = None, limit_mb: float | None = None) -> FileInfo:
    """The mapping step's facts about a file; ImportRefused when it cannot be imported (too big when `limit_mb`
    is given, wrong type, empty, header only, too many columns, repeated headers, no such sheet)."""
    if limit_mb is not None:
        check_size(Path(path).stat().st_size, limit_mb)
    return Table(Path(path), sheet).info()


__all__ = [
    "ACCEPT", "BATCH_ROWS", "CREATE", "KIND", "KINDS", "MAX_CELL_CHARS", "MAX_COLUMNS", "ON_DUPLICATE", "REFUSALS",
    "SKIP", "STAGED_HOURS", "UPDATE", "Staged", "discard_staged", "stage_upload", "staged", "write_template", "ColumnProblems", "FieldChoice", "FileInfo", "ImportJob", "ImportOptions", "ImportRefused",
    "Preview", "PreviewRow", "check_size", "find", "folder", "importable_fields", "writable_fields", "field_access", "imports_of", "inspect_file",
    "max_mb", "may_import", "parse_map_args", "preview", "resume", "run", "start_import", "suggest_mapping",
    "write_report",
]
