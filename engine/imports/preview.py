"""The preview step: the first rows as they will be stored (display text per mapped field) and the conversion
problems of each column counted over a sample of the file, without writing anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import FieldError, FieldValueError
from engine.fields.base import SHEET
from engine.i18n import text
from engine.imports.convert import Converter, Row, Target
from engine.imports.mapping import ImportOptions, check_options
from engine.imports.reading import Table
from engine.imports.rights import check_rights, field_access
from engine.records.model import Actor
from engine.zones import zone_or

if TYPE_CHECKING:
    from engine.workspace import Workspace

PREVIEW_ROWS = 20
SAMPLE_ROWS = 2000


@dataclass(frozen=True)
class PreviewRow:
    """One row as it will be stored: its number in the file, a display text per mapped field (in `Preview.fields`
    order) and its problems as messages in the asked language."""

    number: int
    values: tuple[str, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ColumnProblems:
    """How many sampled cells of one mapped column do not convert, with the first such message."""

    header: str
    field: str
    count: int
    example: str


@dataclass(frozen=True)
class Preview:
    """`fields`: (field id, label in the language) per mapped column, in file order; `rows`: the first rows;
    `columns`: per mapped column its problem count over `sampled` rows (the whole file when it is that short)."""

    fields: tuple[tuple[str, str], ...]
    headers: tuple[str, ...]  # the mapped columns' headers, in the same order as `fields`
    rows: tuple[PreviewRow, ...]
    columns: tuple[ColumnProblems, ...]
    sampled: int
    whole_file: bool


def preview(ws: Workspace, actor: Actor, form_id: str, path: Path, options: ImportOptions, lang: str = "zh",
            rows: int = PREVIEW_ROWS, sample: int = SAMPLE_ROWS) -> Preview:
    """Read the first `sample` rows, convert them as the import will and show the first `rows` of them.
    ImportRefused when the import could not start (rights, file, mapping)."""
    rt = check_rights(ws, actor, form_id, options)
    table = Table(Path(path), options.sheet)
    mapping = check_options(rt.form, table.headers, options, field_access(ws, actor, rt.form.id))
    tz = zone_or(actor.timezone, ws.tz)
    converter = Converter(rt, ws.records.runtimes, table.headers, mapping, tz)
    counts = {header: 0 for header in mapping}
    examples: dict[str, str] = {}
    shown: list[PreviewRow] = []
    sampled, groups, whole = 0, [], True
    for group in converter.group(table.rows(), options.key):
        if sampled >= sample:
            whole = False
            break
        groups.append(group)
        sampled += len(group)
    with ws.reading() as conn:
        converted = converter.convert(conn, groups)
    header_of = {field_path: header for header, field_path in mapping.items()}
    for row in converted:
        values = _typed(converter, row, lang, tz)
        for field_path, errors in row.problems.items():
            header = header_of.get(field_path)
            if header is not None:
                counts[header] += 1
                examples.setdefault(header, errors[0].message(lang))
        if len(shown) < rows:
            shown.append(PreviewRow(row.number, values, tuple(e.message(lang) for errs in row.problems.values()
                                                              for e in errs)))
    fields = tuple((t.path, _label(converter, t, lang)) for t in converter.targets)
    columns = tuple(ColumnProblems(t.header, t.path, counts[t.header], examples.get(t.header, ""))
                    for t in converter.targets)
    return Preview(fields, tuple(t.header for t in converter.targets), tuple(shown), columns, sampled, whole)


def _label(converter: Converter, target: Target, lang: str) -> str:
    if not target.subform:
        return text(target.field.label, lang)
    parent = converter.rt.form.field(target.subform)
    return f"{text(parent.label if parent else target.subform, lang)}.{text(target.field.label, lang)}"


def _typed(converter: Converter, row: Row, lang: str, tz: tzinfo) -> tuple[str, ...]:
    """Each mapped field's value parsed and checked as the record service will, shown as a list shows it (people,
    departments and records by the names the file gave; a subform column's values joined by "; "); problems are
    added to the row."""
    shown = []
    for target in converter.targets:
        if target.path in row.problems:
            shown.append("")
        elif target.subform:
            values = [_value(target, row, item.get(target.field.id), lang, tz)
                      for item in row.raw.get(target.subform, []) if target.field.id in item]
            if target.ref is not None:  # people and records by the names the file gave
                values = [str(cells[target.index]) for _, cells in row.lines if cells[target.index] is not None]
            shown.append("; ".join(values))
        elif target.path in row.raw:
            shown.append(_value(target, row, row.raw[target.path], lang, tz, row.cells[target.index]))
        else:
            shown.append("")
    return tuple(shown)


def _value(target: Target, row: Row, raw: Any, lang: str, tz: tzinfo, cell: Any = None) -> str:
    f, ftype = target.field, target.ftype
    try:
        value = ftype.parse(f, raw, SHEET)
    except FieldValueError as exc:
        row.add(target.path, exc.error)
        return ""
    empty = ftype.is_empty(value)
    if empty and f.required and f.default is None:
        row.add(target.path, FieldError("required", {"label": f.label}))
    validator = ftype.validator(f)
    if not empty and validator is not None:
        for error in validator(value):
            row.add(target.path, error)
    if target.ref is not None:
        return "" if cell is None and raw is None else str(cell if cell is not None else raw)
    return ftype.format(f, value, lang, tz)
