"""Property editors: one per shape of a property schema (boolean, bounded number, enum, i18n text…) or per hint
(a key whose value names a form or a field). The panel asks the registry which editor draws a key; it never
branches on a field type's name. Each editor turns the posted inputs back into the key's new value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData

from engine.definitions.model import Definitions, FieldDef, frozen
from engine.fields.base import FieldType
from engine.fields.registry import field_type, type_names
from engine.i18n import text
from web.texts.designer_props import ENUMS, KEYS, translate

class BadInput(Exception):
    """A posted value that cannot be written (not a number, out of bounds…): shown at its input, nothing saved."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key, self.message = key, message


@dataclass
class Context:
    """What an editor may need besides its key: the form being designed (draft), the field, other forms."""

    lang: str
    form_id: str
    doc: Mapping[str, Any]  # the draft's plain document
    field: Mapping[str, Any]  # the field's plain mapping in the draft
    ftype: FieldType
    defs: Definitions  # the published definitions (other forms)
    parent: Mapping[str, Any] | None = None  # the subform, for a column

    def t(self, key: str, **params: str | int) -> str:
        return translate(self.lang, key, **params)

    def form_fields(self, form_id: str) -> list[tuple[str, str, str]]:
        """(id, label, type) of a form's fields: this draft's own, else the published form's."""
        if form_id == self.form_id:
            return [(str(f.get("id")), label_of(f.get("label"), self.lang), str(f.get("type")))
                    for f in self.doc.get("fields") or [] if isinstance(f, Mapping)]
        form = self.defs.forms.get(form_id)
        return [(f.id, text(f.label, self.lang), f.type) for f in form.fields] if form is not None else []

    def forms(self) -> list[tuple[str, str]]:
        """(id, label) of every form, this one included."""
        found = {fid: text(f.label, self.lang) for fid, f in self.defs.forms.items()}
        found[self.form_id] = label_of(self.doc.get("label"), self.lang) or self.form_id
        return sorted(found.items(), key=lambda p: p[1])


def label_of(value: Any, lang: str) -> str:
    return text(value, lang) if isinstance(value, (str, Mapping)) and value else ""


@dataclass(frozen=True)
class Prop:
    """One key of the field as the panel shows it."""

    key: str
    schema: Mapping[str, Any]
    required: bool = False


class Editor:
    """Draws one key and reads it back. `macro` names the macro of _props_editors.html that draws it."""

    macro = "text"
    owns: tuple[str, ...] = ()  # other keys this editor writes besides its own (options write `default`)

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return False

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        """What the macro needs (the current value by default)."""
        return {"value": ctx.field.get(prop.key)}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        """The key's (and owned keys') new values from the posted inputs; None removes a key."""
        return {prop.key: blank_none(posted.get(f"k.{prop.key}"))}


def blank_none(raw: Any) -> Any:
    value = str(raw or "").strip()
    return value or None


def schema_ref(schema: Mapping[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


def prop_label(key: str, lang: str) -> str:
    return translate(lang, key) if key in KEYS else key


def enum_label(key: str, value: str, lang: str) -> str:
    """The translated name of an enum value (a field type name is that type's name)."""
    known = ENUMS.get(key, {}).get(value)
    if known is not None:
        return known.get(lang, known["en"])
    if value in type_names():
        return text(field_type(value).label, lang)
    raise KeyError(f"no text for {key}={value}")


class CheckboxEditor(Editor):
    macro = "checkbox"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.schema.get("type") == "boolean"

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        value = ctx.field.get(prop.key)
        return {"checked": bool(prop.schema.get("default", False) if value is None else value)}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        checked = posted.get(f"k.{prop.key}") == "1"
        return {prop.key: None if checked == bool(prop.schema.get("default", False)) else checked}


class NumberEditor(Editor):
    macro = "number"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.schema.get("type") in ("integer", "number")

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        s = prop.schema
        return {"value": ctx.field.get(prop.key), "min": s.get("minimum"), "max": s.get("maximum"),
                "step": "1" if s.get("type") == "integer" else "any", "default": s.get("default")}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        raw = blank_none(posted.get(f"k.{prop.key}"))
        if raw is None:
            return {prop.key: None}
        name = prop_label(prop.key, ctx.lang)
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise BadInput(prop.key, ctx.t("dp_not_a_number", label=name)) from None
        if not number.is_finite():
            raise BadInput(prop.key, ctx.t("dp_not_a_number", label=name))
        if prop.schema.get("type") == "integer" and number != number.to_integral_value():
            raise BadInput(prop.key, ctx.t("dp_not_whole", label=name))
        low = prop.schema.get("minimum", prop.schema.get("exclusiveMinimum"))
        if low is not None and (number < low or ("exclusiveMinimum" in prop.schema and number == low)):
            raise BadInput(prop.key, ctx.t("dp_too_small", label=name, n=low))
        high = prop.schema.get("maximum")
        if high is not None and number > high:
            raise BadInput(prop.key, ctx.t("dp_too_big", label=name, n=high))
        return {prop.key: plain_number(number)}


def plain_number(number: Decimal) -> int | float:
    """A number as a person writes it in YAML: 5, 0.5."""
    return int(number) if number == number.to_integral_value() else float(number)


class EnumEditor(Editor):
    macro = "select"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return "enum" in prop.schema

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        values = [str(v) for v in prop.schema["enum"]]
        default = prop.schema.get("default")
        return {"value": ctx.field.get(prop.key),
                "choices": [(v, enum_label(prop.key, v, ctx.lang)) for v in values],
                "blank": ctx.t("dp_not_set", value=enum_label(prop.key, str(default), ctx.lang))
                if default is not None else ctx.t("dp_choose")}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        raw = blank_none(posted.get(f"k.{prop.key}"))
        if raw is not None and raw not in [str(v) for v in prop.schema["enum"]]:
            raise BadInput(prop.key, ctx.t("dp_bad_choice", label=prop_label(prop.key, ctx.lang)))
        return {prop.key: raw}


class I18nEditor(Editor):
    """A text shown to people: a Chinese and an English input (a plain string stays one when both say it)."""

    macro = "i18n"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        kinds = prop.schema.get("type")
        return schema_ref(prop.schema) == "text" or (isinstance(kinds, list) and set(kinds) == {"string", "object"})

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        value = ctx.field.get(prop.key)
        zh, en = i18n_parts(value)
        return {"zh": zh, "en": en, "multiline": prop.key == "content"}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        return {prop.key: i18n_value(posted, f"k.{prop.key}", ctx.field.get(prop.key))}


def i18n_parts(value: Any) -> tuple[str, str]:
    if isinstance(value, Mapping):
        return str(value.get("zh", "")), str(value.get("en", ""))
    return ("", "") if value is None else (str(value), str(value))


def i18n_value(posted: FormData, name: str, current: Any) -> Any:
    """{zh, en} from the two inputs `name.zh`, `name.en`; the current plain string when both still say it."""
    zh, en = str(posted.get(f"{name}.zh") or "").strip(), str(posted.get(f"{name}.en") or "").strip()
    if isinstance(current, str) and zh == en == current:
        return current
    found = {lang: value for lang, value in (("zh", zh), ("en", en)) if value}
    return found or None


class TextEditor(Editor):
    macro = "text"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.schema.get("type") == "string"

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        return {"value": ctx.field.get(prop.key), "pattern": prop.schema.get("pattern"),
                "default": prop.schema.get("default")}


class LinesEditor(Editor):
    """A list of strings, one a line."""

    macro = "lines"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.schema.get("type") == "array" and prop.schema.get("items", {}).get("type") == "string"

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        value = ctx.field.get(prop.key) or []
        return {"value": "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        lines = [line.strip() for line in str(posted.get(f"k.{prop.key}") or "").splitlines() if line.strip()]
        return {prop.key: lines or None}


class DateBoundEditor(Editor):
    """A date, or "today" ($today)."""

    macro = "date_bound"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return any(isinstance(o, Mapping) and o.get("format") == "date" for o in prop.schema.get("anyOf", []))

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        value = ctx.field.get(prop.key)
        return {"today": value == "$today", "value": "" if value in (None, "$today") else str(value)}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        if posted.get(f"k.{prop.key}.today") == "1":
            return {prop.key: "$today"}
        raw = blank_none(posted.get(f"k.{prop.key}"))
        if raw is None:
            return {prop.key: None}
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise BadInput(prop.key, ctx.t("dp_bad_date", label=prop_label(prop.key, ctx.lang))) from None
        return {prop.key: raw}


class FormulaEditor(Editor):
    """The formula editor: autocomplete of fields and functions, and a live type check under it."""

    macro = "formula"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return schema_ref(prop.schema) == "formula"

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        scope = str(ctx.field.get("source") or "") if prop.key == "filter" else ""
        return {"value": ctx.field.get(prop.key) or "", "scope": scope}


def field_def(f: Mapping[str, Any]) -> FieldDef:
    """A FieldDef of a field of the draft (for asking its type what it refers to or how it parses)."""
    props = {k: v for k, v in f.items() if k not in ("id", "type", "label", "fields")}
    return FieldDef(id=str(f.get("id")), type=str(f.get("type")), label=f.get("label") or "", props=frozen(props))


# The registry, most specific first: hints by key, then shapes. The hint editors (forms and fields referred to,
# the lookup path, options, default, subform columns, numbering) live in ref_editors.py, options.py and
# columns.py and put themselves first.
EDITORS: list[Editor] = [FormulaEditor(), DateBoundEditor(), EnumEditor(), CheckboxEditor(), NumberEditor(),
                         I18nEditor(), LinesEditor(), TextEditor()]


def register(editor: Editor, first: bool = True) -> Editor:
    """Add an editor to the registry (before the shape editors, as hints are more specific)."""
    EDITORS.insert(0, editor) if first else EDITORS.append(editor)
    return editor


def editor_for(prop: Prop, ctx: Context) -> Editor | None:
    """The editor of a key (None: the key is not edited in the panel)."""
    return next((e for e in EDITORS if e.matches(prop, ctx)), None)


def changed(current: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The `set` and `unset` of a change_field operation: keys whose value differs."""
    to_set = {k: v for k, v in new.items() if v is not None and current.get(k) != v}
    to_unset = [k for k, v in new.items() if v is None and k in current]
    return to_set, to_unset
