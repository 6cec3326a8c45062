"""Which columns of a file go into which fields: the fields an import can fill, a suggested mapping (a header
matching a field's label in zh or en, or its id, ignoring case and spaces), and the choices of a run checked
before it starts (ImportOptions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.definitions.model import FieldDef, FormDef
from engine.fields.registry import field_type
from engine.i18n import both
from engine.imports.errors import ImportRefused
from engine.imports.reading import normal

SKIP, UPDATE, CREATE = "skip", "update", "create"
ON_DUPLICATE = (SKIP, UPDATE, CREATE)


@dataclass(frozen=True)
class FieldChoice:
    """A field an import can fill: its id, label ({zh, en}), type name, whether it is required, holds several
    values, or points at people / departments / records (`refers`: user, department, record or "")."""

    id: str  # a field's id, or `subform.column` for a subform's column
    label: dict[str, str]  # a subform column's: `明细.产品` / `Items.Product`
    type: str
    required: bool
    many: bool
    refers: str
    unique: bool
    subform: str = ""  # the subform of a column, "" for a field of the form itself


@dataclass(frozen=True)
class ImportOptions:
    """The choices of one import. `mapping`: file header → field id ("" or missing: the column is not imported).
    `key`: the field telling a row that is already a record (None: every row is new); `on_duplicate`: what to do
    with such a row: skip, update (the record, through the update path, with a new version) or create anyway.
    `dry_run`: check every row through the record service and report, writing nothing. `sheet`: the workbook's
    sheet (None: the first)."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    key: str | None = None
    on_duplicate: str = SKIP
    dry_run: bool = False
    sheet: str | None = None

    def as_payload(self) -> dict[str, Any]:
        return {"mapping": dict(self.mapping), "key": self.key, "on_duplicate": self.on_duplicate,
                "dry_run": self.dry_run, "sheet": self.sheet}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ImportOptions:
        return cls({str(k): str(v) for k, v in (payload.get("mapping") or {}).items()}, payload.get("key") or None,
                   str(payload.get("on_duplicate") or SKIP), bool(payload.get("dry_run")), payload.get("sheet") or None)


def importable_fields(form: FormDef, writable: Callable[[str], bool] | None = None) -> list[FieldChoice]:
    """The fields of `form` an import can fill, in form order: stored values people enter (not computed, not
    layout, not formulas, not files, not serial numbers the engine assigns); a subform's columns as
    `subform.column`, after the fields before it. With `writable` (the importer's field access), only the fields
    it allows: a field hidden from or read-only for the importer is not offered, named or accepted."""
    numbered = {n.field for n in form.numbering}
    found = []
    for f in form.fields:
        if writable is not None and not writable(f.id):
            continue
        ftype = field_type(f.type)
        if ftype.holds_rows and not ftype.computed and not f.formula:
            label = both(f.label)
            for column in f.fields:
                if _fillable(column):
                    ctype = field_type(column.type)
                    ref = ctype.refers_to(column)
                    names = both(column.label)
                    found.append(FieldChoice(f"{f.id}.{column.id}", {k: f"{label[k]}.{names[k]}" for k in label},
                                             column.type, column.required, ctype.many, ref.kind if ref else "",
                                             False, f.id))
            continue
        if not _fillable(f) or f.id in numbered:
            continue
        ref = ftype.refers_to(f)
        found.append(FieldChoice(f.id, both(f.label), f.type, f.required, ftype.many, ref.kind if ref else "",
                                 f.unique))
    return found


def _fillable(f: FieldDef) -> bool:
    ftype = field_type(f.type)
    return ftype.stored and not (ftype.computed or ftype.layout_only or ftype.holds_rows or ftype.holds_files(f)
                                 or ftype.system_fact or f.formula)


def suggest_mapping(form: FormDef, headers: Sequence[str],
                    writable: Callable[[str], bool] | None = None) -> dict[str, str]:
    """For each header the field whose label (zh or en) or id it names, ignoring case and spaces ("" for none);
    a field is suggested for one column at most (the first); only fields `writable` allows, when given."""
    by_name: dict[str, str] = {}
    for choice in importable_fields(form, writable):
        for name in (choice.id, choice.label.get("en", ""), choice.label.get("zh", "")):
            if name:
                by_name.setdefault(normal(name), choice.id)
    taken: set[str] = set()
    suggested: dict[str, str] = {}
    for header in headers:
        found = by_name.get(normal(header), "")
        if found in taken:
            found = ""
        taken.add(found)
        suggested[header] = found
    return suggested


def parse_map_args(pairs: Sequence[str]) -> dict[str, str]:
    """`Header=field` pairs (the CLI's --map); an empty field leaves the column out."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, sep, field_id = pair.partition("=")
        if not sep:
            raise ImportRefused("unknown_column", column=pair)
        mapping[header.strip()] = field_id.strip()
    return mapping


def check_options(form: FormDef, headers: Sequence[str], options: ImportOptions,
                  writable: Callable[[str], bool] | None = None) -> dict[str, str]:
    """The mapping of `options` checked against the file and the form: header → field id, only mapped columns.
    ImportRefused for an unknown column or field (or one `writable` does not allow), a field mapped twice, no
    mapped column, a bad duplicate rule or a key field not mapped."""
    fields = {c.id for c in importable_fields(form, writable)}
    known = set(headers)
    mapped: dict[str, str] = {}
    for header, field_id in options.mapping.items():
        if header not in known:
            raise ImportRefused("unknown_column", column=header)
        if not field_id:
            continue
        if field_id not in fields:
            raise ImportRefused("unknown_field", column=header, field=field_id)
        mapped[header] = field_id
    columns_of: dict[str, list[str]] = {}
    for header, field_id in mapped.items():
        columns_of.setdefault(field_id, []).append(header)
    for field_id, columns in columns_of.items():
        if len(columns) > 1:
            raise ImportRefused("field_twice", field=field_id, columns=", ".join(columns))
    if not mapped:
        raise ImportRefused("no_columns")
    if options.on_duplicate not in ON_DUPLICATE:
        raise ImportRefused("bad_duplicate_rule", value=options.on_duplicate)
    if options.key and (options.key not in columns_of or "." in options.key):
        raise ImportRefused("bad_key", field=options.key)
    return {h: mapped[h] for h in headers if h in mapped}
