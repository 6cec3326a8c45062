"""The options editor (add, remove, drag to reorder, colour, default, paste a list) and the default value editor
(fixed value, formula, the current user / department / today / now where the field's type takes them, or a field
of the record a relation of this form points at)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData

from engine.errors import FieldValueError
from engine.fields.base import FORM
from engine.fields.screen import DEPARTMENT, USER
from engine.definitions.palette import COLORS
from web.texts.designer import COLOR_NAMES
from web.texts.designer_props import DEFAULT_MODES
from web.views.designer.prop_editors import (
    BadInput, Context, Editor, Prop, field_def, i18n_parts, plain_number, register,
)
from web.views.designer.ref_editors import linked_sources


class OptionsEditor(Editor):
    macro = "options"
    owns = ("default",)

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.key == "options" and prop.schema.get("type") == "array"

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        rows = []
        for option in ctx.field.get("options") or []:
            if isinstance(option, Mapping):
                zh, en = i18n_parts(option.get("label", option.get("value")))
                rows.append({"value": str(option.get("value")), "zh": zh, "en": en,
                             "colour": str(option.get("color") or "")})
            else:
                rows.append({"value": str(option), "zh": str(option), "en": str(option), "colour": ""})
        default = ctx.field.get("default")
        chosen = {str(v) for v in default} if isinstance(default, list) else {str(default)} if default else set()
        return {"rows": rows, "chosen": chosen, "many": ctx.ftype.many,
                "colours": [(c, COLOR_NAMES[c][0 if ctx.lang == "zh" else 1]) for c in COLORS]}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        values = [str(v).strip() for v in posted.getlist("opt.value")]
        zhs, ens = posted.getlist("opt.zh"), posted.getlist("opt.en")
        colours = posted.getlist("opt.colour")
        options: list[Any] = []
        seen: set[str] = set()
        for i, value in enumerate(values):
            zh = str(zhs[i]).strip() if i < len(zhs) else ""
            en = str(ens[i]).strip() if i < len(ens) else ""
            colour = str(colours[i]).strip() if i < len(colours) else ""
            value = value or zh or en
            if not value:
                continue  # an empty row added and never filled
            seen.add(value)
            options.append(option_of(value, zh, en, colour if colour in COLORS else ""))
        for line in str(posted.get("opt.paste") or "").splitlines():
            line = line.strip()
            if line and line not in seen:
                seen.add(line)
                options.append(line)
        chosen = [str(v) for v in posted.getlist("opt.default") if str(v) in seen]
        default: Any = (chosen or None) if ctx.ftype.many else (chosen[0] if chosen else None)
        current = ctx.field.get("default")
        if default is None and isinstance(current, Mapping):  # a formula or related-record default, written in YAML
            default = current
        return {"options": options or None, "default": default}


def option_of(value: str, zh: str, en: str, colour: str) -> Any:
    """An option as a person writes it: a plain string when value and label are one and there is no colour."""
    if zh == en == value and not colour:
        return value
    option: dict[str, Any] = {"value": value}
    if zh and zh == en:
        if zh != value:
            option["label"] = zh
    elif zh or en:
        option["label"] = {lang: v for lang, v in (("zh", zh), ("en", en)) if v}
    if colour:
        option["color"] = colour
    return option


SIMPLE_VALUES = ("text", "number", "boolean", "date", "datetime")


def default_modes(ctx: Context) -> list[str]:
    """The kinds of default this field may have."""
    f = field_def(ctx.field)
    ref = ctx.ftype.refers_to(f)
    value_type = ctx.ftype.value_type
    modes = [""]
    if ref is None and value_type in SIMPLE_VALUES:
        modes += ["fixed", "formula"]
    if ref is not None and ref.kind == USER:
        modes.append("$me")
    if ref is not None and ref.kind == DEPARTMENT:
        modes.append("$my_department")
    if value_type in ("date", "datetime"):
        modes.append("$today")
    if value_type == "datetime":
        modes.append("$now")
    if linked_sources(ctx):
        modes.append("from")
    return modes


class DefaultEditor(Editor):
    macro = "default"

    def matches(self, prop: Prop, ctx: Context) -> bool:
        return prop.key == "default" and len(default_modes(ctx)) > 1

    def view(self, prop: Prop, ctx: Context) -> dict[str, Any]:
        value = ctx.field.get("default")
        if value is None:
            mode = ""
        elif isinstance(value, Mapping):
            mode = "from" if "from" in value else "formula"
        elif isinstance(value, str) and value.startswith("$"):
            mode = value
        else:
            mode = "fixed"
        modes = default_modes(ctx)
        if mode not in modes:
            modes.append(mode)
        return {"mode": mode, "modes": [(m, DEFAULT_MODES[m].get(ctx.lang, DEFAULT_MODES[m]["en"]))
                                        for m in modes if m in DEFAULT_MODES],
                "fixed": "" if mode != "fixed" else _shown(value),
                "formula": str(value.get("formula", "")) if isinstance(value, Mapping) else "",
                "boolean": ctx.ftype.value_type == "boolean", **_linked_view(value, ctx)}

    def read(self, prop: Prop, posted: FormData, ctx: Context) -> dict[str, Any]:
        mode = str(posted.get("k.default.mode") or "")
        if mode not in default_modes(ctx):
            return {}  # a mode the type does not offer (the type just changed): leave the default alone
        if mode == "":
            return {"default": None}
        if mode == "formula":
            source = str(posted.get("k.default.formula") or "").strip()
            return {"default": {"formula": source} if source else None}
        if mode == "fixed":
            return {"default": self._fixed(str(posted.get("k.default.fixed") or ""), ctx)}
        if mode == "from":
            return _linked_read(posted, ctx)
        return {"default": mode}

    @staticmethod
    def _fixed(raw: str, ctx: Context) -> Any:
        if not raw.strip():
            return None
        try:
            value = ctx.ftype.parse(field_def(ctx.field), raw, FORM)
        except FieldValueError:
            raise BadInput("default", ctx.t("dp_bad_default")) from None
        if isinstance(value, Decimal):
            return plain_number(value)
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return value


def _linked_view(value: Any, ctx: Context) -> dict[str, Any]:
    """The two selects of a default from a related record: the relation, then the field of its form."""
    chosen = value if isinstance(value, Mapping) and "from" in value else {}
    return {"relations": linked_sources(ctx), "from": str(chosen.get("from") or ""),
            "from_field": str(chosen.get("field") or "")}


def _linked_read(posted: FormData, ctx: Context) -> dict[str, Any]:
    """`{from: relation, field: …}` from the two selects; a relation or field that is not offered is refused."""
    relation = str(posted.get("k.default.from") or "")
    fields = {rid: [fid for fid, _ in fitting] for rid, _, fitting in linked_sources(ctx)}
    source = str(posted.get(f"k.default.field.{relation}") or "")
    if relation not in fields or source not in fields[relation]:
        raise BadInput("default", ctx.t("dp_default_from_pick"))
    return {"default": {"from": relation, "field": source}}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return "" if value is None else str(value)


register(OptionsEditor())
register(DefaultEditor())
