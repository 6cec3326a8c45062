"""Places: address (province / city / district / detail, one column each) and location (coordinates and an
address text, typed by hand or taken from the browser's geolocation)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import FieldDef
from engine.errors import FieldError
from engine.fields.base import JSON, FieldType, FilterContext
from engine.fields.registry import register
from engine.fields.screen import PostedForm
from engine.fields.types.common import bad_filter, blank, error, invalid, schema
from engine.fields.types.sqltypes import NullableJSON

PARTS = ("province", "city", "district", "detail")
REGIONS = PARTS[:3]
ADDRESS_TEXT = {"zh": "地址(省、市、区、详细地址)", "en": "an address (province, city, district, detail)"}
LOCATION_TEXT = {"zh": "经纬度(经度 -180~180、纬度 -90~90)",
                 "en": "coordinates (longitude -180 to 180, latitude -90 to 90)"}
LOCATION_PARTS = ("lat", "lng", "address")
SEPARATORS = re.compile(r"[\s/]+")


def kept_parts(f: FieldDef) -> tuple[str, ...]:
    """The parts of an address the field keeps, down to its `level` (default detail)."""
    level = str(f.get("level") or "detail")
    return PARTS[:PARTS.index(level) + 1] if level in PARTS else PARTS


def _split(text: str) -> dict[str, str]:
    """'广东省 深圳市 南山区 科技园 8 栋' → the first three pieces are regions, the rest is the detail."""
    pieces = [p for p in SEPARATORS.split(text.strip()) if p]
    found = dict(zip(REGIONS, pieces[:3]))
    if pieces[3:]:
        found["detail"] = " ".join(pieces[3:])
    return found


@register
class Address(FieldType):
    """A mainland China address kept in four columns: `<id>_province`, `_city`, `_district`, `_detail`."""

    name = "address"
    public_input = False
    label = {"zh": "地址", "en": "Address"}
    searchable = True
    operators = ("eq", "contains", "empty", "not_empty")
    props_schema = {"level": {"enum": list(PARTS), "default": "detail",
                              "description": "Most precise part kept: province, city, district or detail."}}

    def columns(self, f: FieldDef) -> list[sa.Column[Any]]:
        return [sa.Column(f"{f.id}_{p}", sa.String(255 if p == "detail" else 64), nullable=True) for p in PARTS]

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """One select per region and a text input for the detail, named `<name>.<part>`."""
        parts = {p: posted.text(f"{name}.{p}") for p in PARTS}
        return parts if any(parts.values()) else None

    def input_value(self, f: FieldDef, value: Any, tz: Any) -> Any:
        return value if value else {}

    def to_db(self, f: FieldDef, value: Any) -> dict[str, Any]:
        value = value or {}
        return {f"{f.id}_{p}": (value.get(p) or None) if p in kept_parts(f) else None for p in PARTS}

    def from_db(self, f: FieldDef, row: Mapping[Any, Any]) -> Any:
        value = {p: row.get(f"{f.id}_{p}") for p in kept_parts(f)}
        return value if any(value.values()) else None

    def is_empty(self, value: Any) -> bool:
        return not value or not any(value.values())

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        """A dict of parts, or (forms, sheets) text split on spaces and slashes; parts past `level` are dropped."""
        if blank(raw):
            return None
        if isinstance(raw, str) and fmt != JSON:
            raw = _split(raw)
        if not isinstance(raw, Mapping) or any(k not in PARTS for k in raw):
            raise invalid(f, ADDRESS_TEXT)
        if any(v is not None and not isinstance(v, str) for v in raw.values()):
            raise invalid(f, ADDRESS_TEXT)
        value = {p: (raw.get(p) or "").strip() or None for p in kept_parts(f)}
        return value if any(value.values()) else None

    def validate(self, f: FieldDef, value: Any) -> list[FieldError]:
        """A required address needs every region down to its level; the detail may not exceed 255 characters."""
        errors = []
        if f.required and any(not value.get(p) for p in kept_parts(f) if p in REGIONS):
            errors.append(error(f, "required"))
        if len(value.get("detail") or "") > 255:
            errors.append(error(f, "too_long", max=255))
        return errors

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        parts = {p: {"type": ["string", "null"]} for p in kept_parts(f)}
        return schema(f, "object", properties=parts, additionalProperties=False)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if not value:
            return ""
        return ("" if lang == "zh" else " ").join(v for v in (value.get(p) for p in PARTS) if v)

    def filter(self, f: FieldDef, table: sa.Table, op: str, operand: Any, ctx: FilterContext) -> ColumnElement[bool]:
        """eq/contains with {part: text} tests those parts; with plain text, any part."""
        cols = {p: table.c[f"{f.id}_{p}"] for p in kept_parts(f)}
        if op in ("empty", "not_empty"):
            nulls = [c.is_(None) for c in cols.values()]
            return sa.and_(*nulls) if op == "empty" else sa.not_(sa.and_(*nulls))
        if op not in self.operators:
            raise bad_filter(f, f"no operator '{op}'")
        parts = operand.items() if isinstance(operand, Mapping) else ()
        if parts and all(k in cols and isinstance(v, str) for k, v in parts):
            return sa.and_(*(self._test(cols[k], op, v) for k, v in parts))
        if isinstance(operand, str) and operand:
            return sa.or_(*(self._test(c, op, operand) for c in cols.values()))
        raise bad_filter(f, f"'{op}' needs text or {{province: …, city: …}}")

    def _test(self, col: sa.Column[Any], op: str, text: str) -> ColumnElement[bool]:
        if op == "contains":
            return col.icontains(text, autoescape=True)
        equal: ColumnElement[bool] = col == text
        return equal

    def sort_key(self, f: FieldDef, table: sa.Table) -> ColumnElement[Any]:
        return table.c[f"{f.id}_province"]

    def search_clause(self, f: FieldDef, table: sa.Table, term: str) -> ColumnElement[bool] | None:
        return sa.or_(*(table.c[f"{f.id}_{p}"].icontains(term, autoescape=True) for p in kept_parts(f)))

    def search_columns(self, f: FieldDef) -> list[str]:
        return [f"{f.id}_{p}" for p in kept_parts(f)]


@register
class Location(FieldType):
    """A point on the map: longitude, latitude and an optional address text, kept as one JSON value."""

    name = "location"
    public_input = False
    label = {"zh": "定位", "en": "Location"}
    operators = ("empty", "not_empty")
    display = "location"
    in_lists = False
    props_schema = {"geolocate": {"type": "boolean", "default": True,
                                  "description": "Offer a button that fills the coordinates from the browser."}}
    ui_text = {
        "lat": {"zh": "纬度", "en": "Latitude"},
        "lng": {"zh": "经度", "en": "Longitude"},
        "address": {"zh": "地址(可选)", "en": "Address (optional)"},
        "here": {"zh": "使用当前位置", "en": "Use my location"},
        "locating": {"zh": "正在定位…", "en": "Finding your location…"},
        "failed": {"zh": "无法获取位置,请手动填写经纬度", "en": "Your location is not available: enter the coordinates"},
    }

    def read_posted(self, f: FieldDef, posted: PostedForm, name: str) -> Any:
        """Inputs `<name>.lat`, `<name>.lng` and `<name>.address`; all blank is no value."""
        parts = {p: posted.text(f"{name}.{p}").strip() for p in LOCATION_PARTS}
        return parts if any(parts.values()) else None

    def input_value(self, f: FieldDef, value: Any, tz: Any) -> Any:
        if not isinstance(value, Mapping):
            return {}
        return {p: "" if value.get(p) is None else str(value[p]) for p in LOCATION_PARTS}

    def sql_type(self, f: FieldDef) -> sa.types.TypeEngine[Any]:
        return NullableJSON

    def parse(self, f: FieldDef, raw: Any, fmt: str = JSON) -> Any:
        """{lng, lat, address?}, or (forms, sheets) text 'lng, lat'."""
        if blank(raw):
            return None
        if isinstance(raw, str) and fmt != JSON:
            parts = [p for p in re.split(r"[,，\s]+", raw.strip()) if p]
            raw = {"lng": parts[0], "lat": parts[1]} if len(parts) == 2 else raw
        if not isinstance(raw, Mapping):
            raise invalid(f, LOCATION_TEXT)
        value: dict[str, Any] = {"lng": self._coordinate(f, raw.get("lng"), 180),
                                 "lat": self._coordinate(f, raw.get("lat"), 90)}
        if isinstance(raw.get("address"), str) and raw["address"].strip():
            value["address"] = raw["address"].strip()
        return value

    def _coordinate(self, f: FieldDef, raw: Any, limit: float) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise invalid(f, LOCATION_TEXT)
        try:
            number = float(raw)
        except ValueError:
            raise invalid(f, LOCATION_TEXT) from None
        if not -limit <= number <= limit:  # also rejects NaN
            raise invalid(f, LOCATION_TEXT)
        return number

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        coordinates = {"lng": {"type": "number", "minimum": -180, "maximum": 180},
                       "lat": {"type": "number", "minimum": -90, "maximum": 90},
                       "address": {"type": "string"}}
        return schema(f, "object", properties=coordinates, required=["lng", "lat"], additionalProperties=False)

    def format(self, f: FieldDef, value: Any, lang: str = "zh", tz: Any = None) -> str:
        if not value:
            return ""
        return str(value.get("address") or f"{value['lat']:.6f}, {value['lng']:.6f}")
