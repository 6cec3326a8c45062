"""The field-type contract: one subclass per type owns its columns, schema, parsing, display and filters."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError, QueryInvalid
from engine.fields.screen import PostedForm, Reference, input_text
from engine.i18n import I18n

if TYPE_CHECKING:
    from engine.fields.conversion import Conversion, ConversionContext

# Input formats a raw value can come in.
JSON, FORM, SHEET = "json", "form", "sheet"

# Operators common to most scalar types; each type declares the ones it supports.
EQUALITY_OPS = ("eq", "ne", "in", "not_in", "empty", "not_empty")
ORDER_OPS = ("gt", "ge", "lt", "le", "between")
TEXT_OPS = ("contains", "not_contains", "starts")
RELATIVE_DATE_OPS = (
    "today", "yesterday", "tomorrow", "this_week", "last_week", "next_week", "this_month", "last_month",
    "next_month", "this_year", "last_year", "last_n_days", "next_n_days",
)
LIST_OPS = ("contains", "in", "not_in", "empty", "not_empty")  # on JSON-list values: has one / any / none
# Value types a list can be sorted by.
SORTABLE_VALUES = frozenset({"text", "number", "date", "datetime", "boolean"})
# The filter value input of a value type (choice and reference types declare their own).
CELL_KINDS = {"number": "number", "date": "date", "datetime": "datetime", "boolean": "boolean"}
FILTER_INPUTS = {"date": "date", "datetime": "datetime-local", "number": "number", "boolean": "boolean"}
# Why a type change is refused, when neither type says more.
VALUES_DO_NOT_CONVERT: dict[str, str] = {"zh": "其值无法转换", "en": "its values do not convert"}
NOT_STORED: dict[str, str] = {"zh": "其中一种类型不保存值,没有可转换的值",
                              "en": "one of the types stores no values to convert"}
SET_BY_ENGINE: dict[str, str] = {"zh": "计算字段的值由系统设置", "en": "the values of a computed field are set by Formwork"}

Parser = Callable[[Any, str], Any]  # (raw value, input format) -> value
NameFinder = Callable[[Reference, str], int]  # (what a field points at, a name) -> the id; FieldValueError if none
Validator = Callable[[Any], list[FieldError]]  # a non-empty value -> its errors


@dataclass(frozen=True)
class FilterContext:
    """What filters need besides the operand: the current time and zone, and who asks."""

    now: datetime
    tz: tzinfo
    user_id: int | None = None
    dialect: str = "sqlite"


class FieldType:
    """Base class of every field type. Subclasses set `name` and override what differs."""

    name: ClassVar[str] = ""
    label: ClassVar[I18n] = ""
    value_type: ClassVar[str] = "any"  # type seen by formulas: text, number, boolean, date, datetime, list, any
    stored: ClassVar[bool] = True  # False: not a column of the form's table (lookup, rollup, divider, subform)
    computed: ClassVar[bool] = False  # True: the engine sets the value, users never do
    layout_only: ClassVar[bool] = False
    searchable: ClassVar[bool] = False  # part of quick search unless the form names its search fields
    operators: ClassVar[tuple[str, ...]] = EQUALITY_OPS
    props_schema: ClassVar[Mapping[str, Any]] = {}  # JSON Schema properties for type-specific keys in a form
    props_required: ClassVar[tuple[str, ...]] = ()  # keys of props_schema a field of this type must have

    # -- screens: what forms, lists and record pages need to know (asked, never branched on by name) ---------
    widget: ClassVar[str] = ""  # the input partial, web/templates/widgets/<widget>.html (default: the type's name)
    display: ClassVar[str] = "text"  # how a page shows a value: text, or files, signature, rating, rich, location…
    many: ClassVar[bool] = False  # the value is a list
    in_lists: ClassVar[bool] = True  # offered as a list column (bulky values are not)
    wide: ClassVar[bool] = False  # takes a whole row of a form or record page
    holds_rows: ClassVar[bool] = False  # the value is rows of the columns in `fields` (a child table)
    shows_itself: ClassVar[bool] = False  # not an input, yet drawn on forms: description text, system values
    system_fact: ClassVar[str] = ""  # shows a fact of the record (created_by, flow_nodes…), not a value of its own
    ui_text: ClassVar[Mapping[str, I18n]] = {}  # words the type's widget shows (button labels, hints)
    upload_max_mb: ClassVar[int] = 0  # > 0: the field holds uploaded files, at most this big by default
    upload_kinds: ClassVar[str] = "any"  # content kinds an upload may be: any, image or png
    # False: an anonymous public form cannot offer it (its widget needs a signed-in helper: a drawing pad that
    # uploads, an address cascade, a map)
    public_input: ClassVar[bool] = True
    # -- changing a field's type (engine.fields.conversion) --
    takes_from: ClassVar[Mapping[str, Conversion]] = {}  # old type name → how its values become this type's
    kept_apart: ClassVar[I18n | None] = None  # why values of this type never become another type's (or back)

    def starter(self) -> dict[str, Any]:
        """Properties a field of this type gets when the designer adds it, so that it is valid at once (a choice
        field's first options, a subform's first column); {} when it needs none or no default fits."""
        return {}

    def form_starter(self, field_id: str) -> dict[str, Any]:
        """Form-level keys a new field of this type needs (a serial field's numbering pattern), merged into the
        form's by the designer; {} for most types."""
        return {}

    def widget_name(self, f: FieldDef) -> str:
        """The name of the partial that draws this field's input."""
        return self.widget or self.name

    def content_html(self, f: FieldDef, lang: str) -> str:
        """Fixed, sanitised HTML the field shows on forms and record pages whatever the record ('' for none)."""
        return ""

    def refers_to(self, f: FieldDef) -> Reference | None:
        """What the field's ids point at (users, departments, records of a form), or None for other values."""
        return None

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """The raw value of the input(s) called `name` in a posted form, for `parse(…, FORM)`."""
        return posted.text(name)

    def import_cell(self, f: FieldDef, cell: Any, find: NameFinder, tz: tzinfo | None = None) -> Any:
        """The raw value (for `parse(…, SHEET)`) of a cell of an imported spreadsheet: fields pointing at people,
        departments or records look each name up with `find` (several, split on commas, for a field of many);
        every other field takes the cell as it is (its `parse` reads sheet text: option labels, loose dates…).
        `tz` is the zone of the importer's local times (a date-time type attaches it)."""
        ref = self.refers_to(f)
        if ref is None or cell is None or cell == "":
            return cell
        if not self.many:
            return find(ref, str(cell).strip())
        from engine.fields.types.common import split_list

        return [find(ref, str(name).strip()) for name in split_list(cell)]

    def input_value(self, f: FieldDef, value: Any, tz: tzinfo) -> Any:
        """What the widget shows for a typed (or re-posted raw) value."""
        if value is None or value == "":
            return [] if self.many else ""
        return input_text(value)

    def reads_path(self, f: FieldDef) -> list[str]:
        """The relation fields and target field this field reads its value through (a lookup's `path`), or []."""
        return []

    def shows_like(self, f: FieldDef) -> tuple[str, str] | None:
        """(form, field) of the values this field combines so that it shows like them (a rollup's sum of money shows
        as money), or None for a field shown as itself."""
        return None

    def result_type(self, f: FieldDef) -> FieldType:
        """The type whose values this field holds (a formula: the type of its result)."""
        return self

    def filterable(self, f: FieldDef) -> bool:
        """Whether list conditions may name this field."""
        return self.stored and bool(self.operators_for(f))

    def sortable(self, f: FieldDef) -> bool:
        """Whether a list can be ordered by this field."""
        return self.stored and self.result_type(f).value_type in SORTABLE_VALUES

    def filter_input(self, f: FieldDef) -> str:
        """The value input of a condition: options, choices (a picker's), boolean, or an <input> type."""
        if self.refers_to(f) is not None:
            return "choices"
        return FILTER_INPUTS.get(self.value_type, "text")

    def cell_kind(self, f: FieldDef) -> str:
        """How a spreadsheet types the cells: number, percent, date, datetime, boolean, subform, names or text."""
        if self.refers_to(f) is not None:
            return "names"
        return CELL_KINDS.get(self.value_type, "text")

    def decimals(self, f: FieldDef) -> int | None:
        """The decimal places a spreadsheet shows (None: as stored)."""
        return None

    # -- reports: what a report may do with the field (engine.reports) --------------------------------
    def report_kind(self, f: FieldDef) -> str | None:
        """How a report shows an aggregate of the field when it is not a plain number: "money" or "percent"."""
        return None

    def currency(self, f: FieldDef) -> str | None:
        """The ISO 4217 code amounts of the field are in (None: not money)."""
        return None

    def groupable(self, f: FieldDef) -> bool:
        """Whether a report may group records by the field's value (one stored value per record)."""
        return self.stored and not self.many and not self.layout_only and not self.holds_rows and self.in_lists

    def spread(self, f: FieldDef, column: ColumnElement[Any], dialect: str) -> sa.FromClause | None:
        """For a field holding several values, grouped by in a report: a table of the values in `column` (one
        record's), joined to each record, with the values in its column `value` (a record with none gets one row
        whose value is NULL). None: the field holds one value, grouped as it is."""
        return None

    def member_op(self, f: FieldDef) -> str:
        """The list operator selecting the records that hold one member of a report's dimension on the field."""
        return "eq"

    def measurable(self, f: FieldDef) -> bool:
        """Whether sum, avg, min and max apply: a single stored number that is not an id."""
        return self.stored and not self.many and self.refers_to(f) is None \
            and self.result_type(f).value_type == "number"

    def bucketable(self, f: FieldDef) -> bool:
        """Whether a report may group the field by day, week, month, quarter or year (a date or a moment)."""
        return self.stored and not self.many and self.result_type(f).value_type in ("date", "datetime")

    def zoned(self, f: FieldDef) -> bool:
        """Whether the value is a moment, read as a local date in a time zone (a date field is already one)."""
        return self.result_type(f).value_type == "datetime"

    def members(self, f: FieldDef) -> list[tuple[Any, I18n, str | None]]:
        """The values a report shows first and in this order, with label and colour (a select's options); [] when
        the values are open (text, numbers, ids)."""
        return []

    def member_label(self, f: FieldDef, value: Any, tz: tzinfo | None = None) -> I18n:
        """How a report labels one stored value, in every language."""
        return {lang: self.format(f, value, lang, tz) for lang in ("zh", "en")}

    def holds_files(self, f: FieldDef) -> bool:
        """Whether the field's values are references to uploaded files."""
        return self.upload_max_mb > 0

    # -- changing a field's type ---------------------------------------------------------------------
    def conversion_from(self, old: FieldType) -> Conversion | None:
        """How values of a field of type `old` become values of this type, or None when they cannot."""
        return self.takes_from.get(old.name)

    def refusal(self, old: FieldType) -> I18n:
        """Why a field of type `old` cannot become one of this type."""
        for side in (old, self):
            if side.kept_apart:
                return side.kept_apart
        if self.computed:
            return SET_BY_ENGINE
        return VALUES_DO_NOT_CONVERT if old.stored and self.stored else NOT_STORED

    def accepts_sql(self, f: FieldDef, value: ColumnElement[Any], ctx: ConversionContext) -> ColumnElement[bool] | None:
        """SQL: which converted values the field accepts (its options, length…); None when it takes them all."""
        return None

    # -- storage ---------------------------------------------------------------------------------
    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        """The column type for a single-column field."""
        return sa.String(255)

    def columns(self, f: FieldDef) -> list[sa.Column[Any]]:
        """The columns this field adds to its form's table (nullable: `required` is enforced by the engine)."""
        if not self.stored:
            return []
        return [sa.Column(f.id, self.sql_type(f), nullable=True)]

    def to_db(self, f: FieldDef, value: Any) -> dict[str, Any]:
        """Column values for a parsed value; empty values are stored as NULL."""
        if not self.stored:
            return {}
        return {f.id: None if self.is_empty(value) else value}

    def from_db(self, f: FieldDef, row: Mapping[Any, Any]) -> Any:
        """The parsed value read back from a row (mapping of column name → value)."""
        return row.get(f.id)

    # -- values ----------------------------------------------------------------------------------
    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        """JSON Schema of this field's value in the API (always admits null for 'empty')."""
        return {"type": ["string", "null"]}

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        """Turn raw input (JSON value, form string, or spreadsheet text) into a value; raise FieldValueError."""
        return raw

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        """Errors for a parsed, non-empty value against the field's bounds (min, max, options…)."""
        return []

    def parser(self, f: FieldDef) -> Parser:
        """`parse` for this field, with what it needs from the field's properties worked out once: a form's
        runtime keeps one per field, so a bulk write does not work them out again for every value."""
        return functools.partial(self.parse, f)

    def validator(self, f: FieldDef) -> Validator | None:
        """`validate` for this field, or None when the field has nothing to check (no bounds, no options)."""
        if type(self).validate is FieldType.validate:
            return None
        return functools.partial(self.validate, f)

    def is_empty(self, value: Any) -> bool:
        """True for 'no value' (None, empty text, empty list)."""
        # isinstance first: comparing a Decimal with "" or [] goes through the numbers ABCs (slow on bulk writes)
        return value is None or (isinstance(value, (str, list, dict)) and not value)

    def to_json(self, f: FieldDef, value: Any) -> Any:
        """A JSON-ready form of the value, as the API returns it."""
        return value

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: tzinfo | None = None) -> str:
        """Display text for a value in a language and time zone."""
        return "" if self.is_empty(value) else str(value)

    def default_value(self, f: FieldDef) -> Any:
        """The field's literal default (special defaults such as $me are resolved by the record service)."""
        return f.default

    # -- queries ---------------------------------------------------------------------------------
    def operators_for(self, f: FieldDef) -> tuple[str, ...]:
        """The filter operators of this field (a formula field has those of its result type)."""
        return self.operators

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        """A SQL predicate for `field op operand`; raise QueryInvalid for an operator or operand that does not fit."""
        if op not in self.operators:
            raise QueryInvalid("bad_filter", message=f"field '{f.id}' has no operator '{op}'")
        col = table.c[f.id]
        if op == "empty":
            return col.is_(None)
        if op == "not_empty":
            return col.is_not(None)
        if op in ("in", "not_in"):
            values = [self._operand(f, v) for v in _as_list(operand)]
            clause: ColumnElement[bool] = col.in_(values)
            return sa.or_(sa.not_(clause), col.is_(None)) if op == "not_in" else clause
        value = self._operand(f, operand)
        if op == "eq":
            equal: ColumnElement[bool] = col == value
            return equal
        if op == "ne":
            return sa.or_(col != value, col.is_(None))
        raise QueryInvalid("bad_filter", message=f"field '{f.id}' has no operator '{op}'")

    def _operand(self, f: FieldDef, raw: Any) -> Any:
        """Parse a filter operand like a value of the field, turning value errors into query errors."""
        from engine.errors import FieldValueError

        try:
            value = self.parse(f, raw, JSON)
        except FieldValueError as exc:
            raise QueryInvalid("bad_filter", message=f"{f.id}: {exc}") from None
        return self.to_db(f, value).get(f.id, value)

    def sort_key(self, f: FieldDef, table: sa.Table) -> ColumnElement[Any]:
        """The expression to order by."""
        return table.c[f.id]

    def search_clause(self, f: FieldDef, table: sa.Table, term: str) -> ColumnElement[bool] | None:
        """A predicate for quick search, or None if this type is not searched."""
        return None

    def search_columns(self, f: FieldDef) -> list[str]:
        """The columns search_clause matches with `LIKE '%term%'` (a trigram index serves them on PostgreSQL)."""
        return []


def _as_list(operand: Any) -> Sequence[Any]:
    if isinstance(operand, (list, tuple)):
        return operand
    if isinstance(operand, str) and "," in operand:
        return [p.strip() for p in operand.split(",")]
    return [operand]
