"""Fields that tie records together: relation, relation_many, lookup, rollup and subform."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from engine import locale_format
from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import JSON, FieldType
from engine.fields.registry import field_type, register
from engine.fields.screen import PostedForm
from engine.fields.types.common import ITEM_COUNT, blank, error, int_prop, invalid, schema, title
from engine.fields.types.ids import IdField, IdListField

TARGET: dict[str, Any] = {
    "to": {"$ref": "common.schema.json#/$defs/id", "description": "Id of the form whose records are linked."},
    "display": {"$ref": "common.schema.json#/$defs/id",
                "description": "Field of the target shown for a link (default: its title)."},
}
ROWS_TEXT = {"zh": "行的列表", "en": "a list of rows"}
MAX_POSTED_ROWS = 200


@register
class Relation(IdField):
    """A link to one record of the form named by `to` (many-to-one)."""

    name = "relation"
    label = {"zh": "关联数据", "en": "Relation"}
    props_schema = {**TARGET, "on_delete": {"enum": ["restrict", "set_null"], "default": "set_null",
                                            "description": "What deleting the target does: refuse, or clear the link."}}
    props_required = ("to",)

    def target(self, f: FieldDef) -> str:
        return f"'{f.get('to')}' record"


@register
class RelationMany(IdListField):
    """Links to several records of the form named by `to`."""

    name = "relation_many"
    label = {"zh": "关联多条", "en": "Relations"}
    props_schema = {**TARGET, "max_items": ITEM_COUNT["max_items"]}
    props_required = ("to",)

    def target(self, f: FieldDef) -> str:
        return f"'{f.get('to')}' record"


def plain(value: Any) -> Any:
    """A JSON-ready copy of a computed value of unknown type (decimals as strings, dates in ISO form)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def display(value: Any, lang: str, tz: tzinfo | None) -> str:
    """Best-effort display text for a value whose field type is not known here."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")
    if isinstance(value, datetime):
        return locale_format.moment(value.astimezone(tz) if tz else value, lang)
    if isinstance(value, date):
        return locale_format.day(value, lang)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(display(v, lang, tz) for v in value)
    return str(plain(value))


class ReadComputed(FieldType):
    """A value computed when records are read (no column, not filterable here)."""

    stored = False
    computed = True
    operators = ()

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"title": title(f), "readOnly": True, "description": "Computed when the record is read."}

    def to_json(self, f: FieldDef, value: Any) -> Any:
        return plain(value)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        return display(value, lang, tz)


@register
class Lookup(ReadComputed):
    """A field of a related record, read through relations (`path: client.grade`)."""

    name = "lookup"
    label = {"zh": "关联查询", "en": "Lookup"}
    props_schema = {"path": {"type": "string", "pattern": "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$",
                             "description": "Relation field(s), then the target field, joined by dots."}}
    props_required = ("path",)

    def reads_path(self, f: FieldDef) -> list[str]:
        return [step for step in str(f.get("path") or "").split(".") if step]


@register
class Rollup(ReadComputed):
    """An aggregate (count, sum, avg, min, max) over the records of another form that point here."""

    name = "rollup"
    label = {"zh": "汇总", "en": "Rollup"}
    value_type = "number"
    props_schema = {
        "source": {"$ref": "common.schema.json#/$defs/id", "description": "Form whose records are aggregated."},
        "link": {"$ref": "common.schema.json#/$defs/id",
                 "description": "Relation field of `source` that points to this form."},
        "aggregate": {"enum": ["count", "sum", "avg", "min", "max"], "description": "How values are combined."},
        "field": {"$ref": "common.schema.json#/$defs/id",
                  "description": "Field of `source` aggregated (not needed for count)."},
        "filter": {"$ref": "common.schema.json#/$defs/formula",
                   "description": "Formula over the source record; only matching ones count."},
    }
    props_required = ("source", "link", "aggregate")

    def shows_like(self, f: FieldDef) -> tuple[str, str] | None:
        """A sum, average, minimum or maximum shows like the field it aggregates; a count is a plain number."""
        if f.get("aggregate") in ("sum", "avg", "min", "max") and f.get("field"):
            return str(f.get("source") or ""), str(f.get("field"))
        return None


@register
class Subform(FieldType):
    """Rows of columns (`fields`), stored by the storage layer in a child table."""

    name = "subform"
    label = {"zh": "子表单", "en": "Subform"}
    value_type = "list"
    stored = False
    operators = ()
    many = True
    in_lists = False
    wide = True
    holds_rows = True
    kept_apart = {"zh": "子表单的行保存在单独的表中", "en": "a subform's rows are stored in a table of their own"}
    props_schema = {
        "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}, "description": "Columns of a row (no subforms)."},
        "min_rows": {"type": "integer", "minimum": 0, "description": "Fewest rows allowed."},
        "max_rows": {"type": "integer", "minimum": 1, "description": "Most rows allowed."},
    }
    props_required = ("fields",)

    def starter(self) -> dict[str, Any]:
        return {"fields": [{"id": "item", "type": "text", "label": {"zh": "名称", "en": "Item"}}]}

    def columns_of(self, f: FieldDef) -> list[tuple[FieldDef, FieldType]]:
        """Each column of the subform that holds a value, with its type."""
        pairs = [(c, field_type(c.type)) for c in f.fields]
        return [(c, t) for c, t in pairs if not t.layout_only]

    def cell_kind(self, f: FieldDef) -> str:
        return "subform"

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """The posted rows that hold a value, in page order (`<name>.rows` says how many the page had); each
        column is read by its own type from `<name>[i].<column>`."""
        columns = [(c, t) for c, t in self.columns_of(f) if not (t.computed or c.formula)]
        return [{c.id: t.read_posted(c, posted, f"{name}[{i}].{c.id}") for c, t in columns}
                for i in self.posted_rows(f, posted)]

    def posted_rows(self, f: FieldDef, posted: PostedForm) -> list[int]:
        """The indices of the posted rows that hold a value (blank rows are left out)."""
        inputs = [c.id for c, t in self.columns_of(f) if not (t.computed or c.formula)]
        return [i for i in range(self.posted_row_count(f, posted))
                if any(str(v) for c in inputs for v in posted.data.getlist(f"{f.id}[{i}].{c}"))]

    def posted_row_count(self, f: FieldDef, posted: PostedForm) -> int:
        """How many rows the page posted (`<id>.rows`), at most MAX_POSTED_ROWS."""
        text = posted.text(f"{f.id}.rows")
        return min(int(text), MAX_POSTED_ROWS) if text.isdigit() else 0

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        """A list of rows, each parsed column by column (the record service parses rows itself, with paths)."""
        if blank(raw):
            return None
        if not isinstance(raw, list) or not all(isinstance(row, Mapping) for row in raw):
            raise invalid(f, ROWS_TEXT)
        return [self._row(f, row, fmt) for row in raw]

    def _row(self, f: FieldDef, raw: Mapping[str, Any], fmt: str) -> dict[str, Any]:
        row = {"id": raw["id"]} if raw.get("id") is not None else {}
        for column, ftype in self.columns_of(f):
            if column.id in raw:
                row[column.id] = ftype.parse(column, raw[column.id], fmt)
        return row

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        """Row counts; the record service validates each cell with its column's type."""
        fewest, most = int_prop(f, "min_rows"), int_prop(f, "max_rows")
        if fewest and len(value) < fewest:
            return [error(f, "too_few", min=fewest)]
        if most and len(value) > most:
            return [error(f, "too_many", max=most)]
        return []

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        properties = {"id": {"type": "integer", "description": "Id of the row."}}
        properties.update({c.id: t.json_schema(c) for c, t in self.columns_of(f)})
        row = {"type": "object", "properties": properties, "additionalProperties": False}
        result = schema(f, "array", items=row)
        result.update({k: v for k, v in (("minItems", int_prop(f, "min_rows")),
                                         ("maxItems", int_prop(f, "max_rows"))) if v})
        return result

    def to_json(self, f: FieldDef, value: Any) -> Any:
        if not value:
            return None
        return [self._row_json(f, row) for row in value]

    def _row_json(self, f: FieldDef, row: Mapping[str, Any]) -> dict[str, Any]:
        cells = {"id": row["id"]} if row.get("id") is not None else {}
        cells.update({c.id: t.to_json(c, row.get(c.id)) for c, t in self.columns_of(f)})
        return cells

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        if not value:
            return ""
        return f"{len(value)} 行" if lang == "zh" else f"{len(value)} row{'s' if len(value) != 1 else ''}"
