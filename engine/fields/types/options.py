"""The options of choice fields: `{value, label, color?}` items or plain strings, matched by value or label."""

from __future__ import annotations

from typing import Any

from engine.definitions.model import FieldDef
from engine.definitions.palette import COLORS
from engine.fields.base import FieldType
from engine.i18n import I18n, text

OPTIONS_SCHEMA: dict[str, Any] = {
    "options": {
        "type": "array",
        "description": "The choices: plain strings (value and label) or {value, label, color}.",
        "items": {"anyOf": [
            {"type": "string"},
            {"type": "object", "required": ["value"], "additionalProperties": False, "properties": {
                "value": {"type": ["string", "integer"], "description": "Stored value."},
                "label": {"$ref": "common.schema.json#/$defs/text", "description": "Shown text (i18n)."},
                "color": {"enum": list(COLORS), "description": "Colour of the option's badge, from the palette."},
            }},
        ]},
    },
}
ALLOW_OTHER: dict[str, Any] = {"allow_other": {"type": "boolean", "default": False,
                               "description": "Accept values that are not among the options."}}


class OptionsMixin(FieldType):
    """Reads a field's `options` and maps between option values, their labels and their colours."""

    display = "options"  # a page shows an option with a colour as a badge of that colour

    def filter_input(self, f: FieldDef) -> str:
        return "options"

    def starter(self) -> dict[str, Any]:
        return {"options": [{"value": f"option_{n}", "label": {"zh": f"选项{n}", "en": f"Option {n}"}}
                            for n in (1, 2, 3)]}

    def options(self, f: FieldDef) -> list[tuple[str, I18n]]:
        """(value, label) of each option; a plain string is both."""
        return list(f.memo("options", lambda: tuple(self._read_options(f))))

    @staticmethod
    def _read_options(f: FieldDef) -> list[tuple[str, I18n]]:
        found: list[tuple[str, I18n]] = []
        for option in f.get("options") or []:
            if isinstance(option, dict):
                found.append((str(option.get("value")), option.get("label") or str(option.get("value"))))
            else:
                found.append((str(option), str(option)))
        return found

    def members(self, f: FieldDef) -> list[tuple[Any, I18n, str | None]]:
        """The options in their order, with their colours."""
        found: list[tuple[Any, I18n, str | None]] = []
        for option in f.get("options") or []:
            if isinstance(option, dict):
                color = option.get("color")
                found.append((str(option.get("value")), option.get("label") or str(option.get("value")),
                              str(color) if color else None))
            else:
                found.append((str(option), str(option), None))
        return found

    def option_values(self, f: FieldDef) -> list[str]:
        return list(self._value_set(f))

    def _value_set(self, f: FieldDef) -> dict[str, None]:
        """Option values in order (a dict, so membership is O(1)); computed once per definition."""
        found: dict[str, None] = f.memo("option_values", lambda: dict.fromkeys(v for v, _ in self.options(f)))
        return found

    def option_value(self, f: FieldDef, raw: str, by_label: bool) -> str:
        """The value of the option matching `raw` by value (or by zh/en label when `by_label`), else `raw` itself."""
        if raw in self._value_set(f) or not by_label:
            return raw
        for value, label in self.options(f):
            if raw in (text(label, "zh"), text(label, "en")):
                return value
        return raw

    def option_colour(self, f: FieldDef, value: Any) -> str:
        """The colour of an option's badge ("" for an option without one, or a value that is not an option)."""
        colours: dict[str, str] = f.memo("option_colours", lambda: {
            str(o.get("value")): str(o["color"]) for o in f.get("options") or []
            if isinstance(o, dict) and o.get("color")})
        return colours.get(str(value), "")

    def option_label(self, f: FieldDef, value: Any, lang: str) -> str:
        """The label of an option in `lang` (the value itself for a value that is not an option)."""
        return next((text(label, lang) for v, label in self.options(f) if v == value), str(value))

    def outside(self, f: FieldDef, values: list[Any]) -> list[Any]:
        """Values that are not options (none when the field accepts other values)."""
        if f.get("allow_other"):
            return []
        allowed = self._value_set(f)
        return [v for v in values if v not in allowed]
