"""The function catalogue (catalogue.yaml): each function's parameters and their types, result type, category,
one-line description in zh and en, and an example with its result — read by the designer's formula editor
(autocomplete and help) and turned into the function reference of docs/formulas.md.

    python -m engine.formulas.catalogue --write-docs   # rewrite the generated block of docs/formulas.md
    python -m engine.formulas.catalogue --check        # exit 1 when docs/formulas.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from engine.formulas.evaluator import MappingEnv
from engine.formulas.values import format_decimal
from engine.i18n import text

SOURCE = Path(__file__).with_name("catalogue.yaml")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "formulas.md"
START, END = "<!-- catalogue:start -->", "<!-- catalogue:end -->"
CATEGORIES = {  # in the order the reference lists them
    "logic": {"zh": "逻辑", "en": "Logic"},
    "info": {"zh": "信息", "en": "Information"},
    "maths": {"zh": "数学", "en": "Maths"},
    "statistics": {"zh": "统计", "en": "Statistics"},
    "text": {"zh": "文本", "en": "Text"},
    "date": {"zh": "日期和时间", "en": "Dates and times"},
    "lookup": {"zh": "查找和列表", "en": "Lookup and lists"},
}
TYPES = {"number", "text", "boolean", "date", "datetime", "time", "list", "any"}
REPEAT = "…"

# The record the examples read (docs/formulas.md describes it).
EXAMPLE_NOW = datetime(2024, 3, 15, 2, 30, tzinfo=timezone.utc)
EXAMPLE_ZONE = ZoneInfo("Asia/Shanghai")
EXAMPLE_VALUES: dict[str, Any] = {
    "amount": Decimal("1234.5"), "name": "Ada Lovelace", "due": date(2024, 3, 15),
    "items": [{"product": "pen", "qty": Decimal(2), "price": Decimal("1.5")},
              {"product": "book", "qty": Decimal(1), "price": Decimal(12)},
              {"product": "ink", "qty": Decimal(5), "price": Decimal(3)}],
}


@dataclass(frozen=True)
class Param:
    """One parameter: its name, type, whether it may be left out."""

    name: str
    type: str
    optional: bool = False

    def __str__(self) -> str:
        return f"[{self.name}]" if self.optional else self.name


@dataclass(frozen=True)
class Entry:
    """A function as the catalogue describes it."""

    name: str
    category: str
    params: tuple[Param, ...]
    repeats: bool
    result: str
    description: dict[str, str]
    example: str
    returns: str | None
    matches: str | None

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not p.optional)

    @property
    def max_args(self) -> int | None:
        return None if self.repeats else len(self.params)

    @property
    def signature(self) -> str:
        """`ROUND(number, [digits])`, `SUM(number, …)`."""
        parts = [str(p) for p in self.params] + ([REPEAT] if self.repeats else [])
        return f"{self.name}({', '.join(parts)})"

    @property
    def typed_signature(self) -> str:
        """`ROUND(number: number, [digits: number]) → number`."""
        parts = [f"[{p.name}: {p.type}]" if p.optional else f"{p.name}: {p.type}" for p in self.params]
        return f"{self.name}({', '.join(parts + ([REPEAT] if self.repeats else []))}) → {self.result}"

    def help(self, lang: str) -> dict[str, str]:
        """What the formula editor shows of the function, in `lang`."""
        return {"name": self.name, "signature": self.signature, "result": self.result,
                "category": text(CATEGORIES[self.category], lang), "description": text(self.description, lang),
                "example": self.example, "returns": self.returns or ""}


def parse_params(spec: str) -> tuple[tuple[Param, ...], bool]:
    """'text: text, [count: number]' → the parameters; a final '…' says the last ones repeat."""
    pieces = [p.strip() for p in spec.split(",") if p.strip()]
    repeats = bool(pieces) and pieces[-1] == REPEAT
    params = []
    for piece in pieces[:-1] if repeats else pieces:
        optional = piece.startswith("[") and piece.endswith("]")
        name, _, kind = piece.strip("[]").partition(":")
        params.append(Param(name.strip(), kind.strip(), optional))
    return tuple(params), repeats


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Entry]:
    """Every entry of catalogue.yaml by function name, in the file's order."""
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    entries = {}
    for name, item in raw.items():
        params, repeats = parse_params(item.get("args") or "")
        entries[name] = Entry(name, item["category"], params, repeats, item["result"],
                              {"zh": item["zh"], "en": item["en"]}, item["example"], item.get("returns"),
                              item.get("matches"))
    return entries


def known_type(name: str) -> bool:
    """A type the catalogue may name: one of TYPES, or a list of one (`list[text]`)."""
    inner = name[5:-1] if name.startswith("list[") and name.endswith("]") else name
    return inner in TYPES


def functions_help(lang: str) -> list[dict[str, str]]:
    """Every function's help in `lang`, by name — what the designer's formula editor offers."""
    return [entry.help(lang) for _, entry in sorted(catalogue().items())]


def example_env() -> MappingEnv:
    return MappingEnv(EXAMPLE_VALUES, EXAMPLE_NOW, EXAMPLE_ZONE)


def shown(value: Any) -> str:
    """A result as the reference writes it: text in quotes, numbers plain, TRUE/FALSE, ISO dates, lists in braces."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, Decimal)):
        return format_decimal(Decimal(value))
    if isinstance(value, datetime):
        return value.astimezone(EXAMPLE_ZONE).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "{" + ", ".join(shown(v) for v in value) + "}"
    if value is None:
        return "(empty)"
    return '"' + str(value) + '"'


def reference() -> str:
    """The generated block of docs/formulas.md: every function by category, markers included."""
    lines = [START, "<!-- Generated from engine/formulas/catalogue.yaml by "
             "`python -m engine.formulas.catalogue --write-docs`; edit the catalogue, not this block. -->", "",
             "## Functions", "",
             "Every function, by category, with an example and its result. The examples read a record with "
             "`amount` = 1234.5, `name` = \"Ada Lovelace\", `due` = 2024-03-15 and a subform `items` "
             "(`product`, `qty`, `price`) whose rows are pen 2 1.5 · book 1 12 · ink 5 3; it is 2024-03-15 "
             "10:30 in the workspace's zone (Asia/Shanghai). `[x]` marks an optional argument and `…` "
             "arguments that repeat.", "",
             "Criteria (COUNTIF, COUNTIFS, SUMIF, SUMIFS, AVERAGEIF) are a value, or text starting with an operator: "
             "`\">10\"`, `\"<>x\"`, `\"<=2024-03-01\"`, `\"\"` (empty), `\"<>\"` (not empty). Text criteria "
             "ignore case and understand the wildcards `?` (one character) and `*` (any run of characters); `~` makes "
             "the next `?`, `*` or `~` literal. MATCH (type 0) and VLOOKUP (exact) read a text lookup value the same "
             "way. A criterion or lookup text has at most 255 characters.", ""]
    by_category: dict[str, list[Entry]] = {c: [] for c in CATEGORIES}
    for entry in catalogue().values():
        by_category[entry.category].append(entry)
    for category, entries in by_category.items():
        lines += [f"### {CATEGORIES[category]['en']} · {CATEGORIES[category]['zh']}", "",
                  "| Function | Description · 说明 | Example | Result |", "|---|---|---|---|"]
        for e in sorted(entries, key=lambda e: e.name):
            result = e.returns if e.returns is not None else f"like {e.matches}"
            lines.append(f"| `{_cell(e.typed_signature)}` | {_cell(e.description['en'])}<br>{_cell(e.description['zh'])}"
                         f" | `{_cell(e.example)}` | `{_cell(result)}` |")
        lines.append("")
    return "\n".join(lines + [END])


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def docs_with_reference(current: str) -> str:
    """docs/formulas.md with its generated block replaced (added at the end when it has none), the hand-written
    text around it kept."""
    block = reference()
    if START in current and END in current:
        head, rest = current.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    return current.rstrip("\n") + ("\n\n" if current.strip() else "") + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The formula function catalogue and its docs.")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the generated block of docs/formulas.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/formulas.md is out of date")
    args = parser.parse_args(argv)
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    wanted = docs_with_reference(current)
    if args.write_docs:
        DOCS.write_text(wanted, encoding="utf-8")
        return 0
    if args.check:
        if wanted != current:
            print(f"{DOCS} differs from the catalogue: run python -m engine.formulas.catalogue --write-docs",
                  file=sys.stderr)
            return 1
        return 0
    print(reference())
    return 0


if __name__ == "__main__":
    sys.exit(main())
