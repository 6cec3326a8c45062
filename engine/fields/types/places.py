"""Places: address (province / city / district / detail, one column each) and location (coordinates)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError, QueryInvalid
from engine.fields.base import JSON, SHEET, FieldType, FilterContext
from engine.fields.registry import register
from engine.fields.types.common import invalid
from engine.fields.types.sqltypes import JSONList
from engine.fields.types.text import _title

PARTS = ("province", "city", "district", "detail")
ADDRESS_TEXT = {"zh": "地址(省、市、区、详细地址)", "en": "an address {province, city, district, detail}"}


def _level(f: FieldDef) -> int:
    return PARTS.index(str(f.get("level") or "detail")) + 1


@register
class Address(FieldType):
    """A mainland China address: province, city, district and street detail."""

    name = "address"
    label = {"zh": "地址", "en": "Address"}
    value_type = "text"
    searchable = True
    operators = ("eq", "contains", "empty", "not_empty")

    def columns(self, f: FieldDef) -> list[sa.Column[Any]]:
        return [sa.Column(f"{f.id}_{p}", sa.String(255 if p == "detail" else 60), nullable=True)
                for p in PARTS[:_level(f)]]

    def to_db(self, f: FieldDef, value: Any) -> dict[str, Any]:
        value = value or {}
        return {f"{f.id}_{p}": value.get(p) or None for p in PARTS[:_level(f)]}

    def from_db(self, f: FieldDef, row: Any) -> Any:
        value = {p: row.get(f"{f.id}_{p}") for p in PARTS[:_level(f)]}
        return value if any(value.values()) else None

    def is_empty(self, value: Any) -> bool:
        return not value or not any(value.values())

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        if raw is None or raw == "" or raw == {}:
            return None
        if isinstance(raw, str) and fmt != JSON:
            pieces = [p for p in re.split(r"[\s/]+", raw.strip()) if p]
            raw = dict(zip(PARTS, pieces[:3] + [" ".join(pieces[3:])] if len(pieces) > 3 else pieces))
        if not isinstance(raw, dict) or any(k not in PARTS for k in raw):
            raise invalid(f, ADDRESS_TEXT)
        value = {}
        for p in PARTS[:_level(f)]:
            item = raw.get(p)
            if item is not None and not isinstance(item, str):
                raise invalid(f, ADDRESS_TEXT)
            value[p] = (item or "").strip() or None
        return value if any(value.values()) else None

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        if value.get("detail") and len(value["detail"]) > 255:
            return [FieldError("too_long", {"label": f.label, "max": 255})]
        return []

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        props = {p: {"type": ["string", "null"]} for p in PARTS[:_level(f)]}
        return {"type": ["object", "null"], "properties": props, "additionalProperties": False, "title": _title(f)}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if not value:
            return ""
        return ("" if lang == "zh" else " ").join(v for v in (value.get(p) for p in PARTS) if v)

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        cols = [table.c[f"{f.id}_{p}"] for p in PARTS[:_level(f)]]
        if op == "empty":
            return sa.and_(*(c.is_(None) for c in cols))
        if op == "not_empty":
            return sa.or_(*(c.is_not(None) for c in cols))
        if op == "eq" and isinstance(operand, dict):
            return sa.and_(*(table.c[f"{f.id}_{k}"] == v for k, v in operand.items() if k in PARTS[:_level(f)]))
        if op in ("eq", "contains") and isinstance(operand, str):
            return sa.or_(*(c.icontains(operand, autoescape=True) for c in cols))
        raise QueryInvalid("bad_filter", message=f"{f.id}: '{op}' needs text or {{province: …}}")

    def sort_key(self, f: FieldDef, table: sa.Table) -> ColumnElement[Any]:
        return table.c[f"{f.id}_province"]

    def search_clause(self, f: FieldDef, table: sa.Table, term: str) -> ColumnElement[bool] | None:
        return sa.or_(*(table.c[f"{f.id}_{p}"].icontains(term, autoescape=True) for p in PARTS[:_level(f)]))


@register
class Location(FieldType):
    """A point on the map: longitude, latitude and an optional address text."""

    name = "location"
    label = {"zh": "定位", "en": "Location"}
    operators = ("empty", "not_empty")

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return JSONList

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        expected = {"zh": "经纬度 {lng, lat}", "en": "coordinates {lng, lat}"}
        if raw is None or raw == {} or raw == "":
            return None
        if isinstance(raw, str) and fmt == SHEET:
            parts = [p for p in re.split(r"[,\s]+", raw.strip()) if p]
            raw = {"lng": parts[0], "lat": parts[1]} if len(parts) == 2 else raw
        if not isinstance(raw, dict):
            raise invalid(f, expected)
        try:
            lng, lat = float(raw["lng"]), float(raw["lat"])
        except (KeyError, TypeError, ValueError):
            raise invalid(f, expected) from None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise invalid(f, expected)
        value: dict[str, Any] = {"lng": lng, "lat": lat}
        if isinstance(raw.get("address"), str) and raw["address"].strip():
            value["address"] = raw["address"].strip()[:255]
        return value

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": ["object", "null"], "title": _title(f), "additionalProperties": False, "required": ["lng", "lat"],
                "properties": {"lng": {"type": "number", "minimum": -180, "maximum": 180},
                               "lat": {"type": "number", "minimum": -90, "maximum": 90},
                               "address": {"type": "string"}}}

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if not value:
            return ""
        return value.get("address") or f"{value['lat']:.5f}, {value['lng']:.5f}"
