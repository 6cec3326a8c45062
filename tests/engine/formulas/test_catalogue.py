"""The function catalogue: one entry for every function and only for functions that exist, argument counts and
result types that agree with what the type checker enforces, examples that evaluate to what they say, and
docs/formulas.md generated from it."""

from __future__ import annotations

import re

import pytest

from engine.formulas import ANY, FUNCTIONS, evaluate, parse
from engine.formulas.catalogue import (
    CATEGORIES, DOCS, END, START, catalogue, docs_with_reference, example_env, known_type, shown,
)

ENTRIES = catalogue()


def test_every_function_has_an_entry_and_every_entry_a_function() -> None:
    assert sorted(set(FUNCTIONS) - set(ENTRIES)) == [], "functions without a catalogue entry"
    assert sorted(set(ENTRIES) - set(FUNCTIONS)) == [], "catalogue entries of no function"


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_entry_agrees_with_the_function(name: str) -> None:
    entry, fn = ENTRIES[name], FUNCTIONS[name]
    assert (entry.min_args, entry.max_args) == (fn.min_args, fn.max_args), entry.signature
    assert entry.category in CATEGORIES
    assert all(known_type(p.type) for p in entry.params), entry.typed_signature
    assert known_type(entry.result)
    assert str(fn.result([ANY] * max(fn.min_args, len(entry.params)), 0)) == entry.result
    assert entry.description["zh"].strip() and entry.description["en"].strip()
    assert re.search(rf"\b{re.escape(name)}\(", entry.example), "the example calls the function"


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_example_evaluates_to_its_stated_result(name: str) -> None:
    entry = ENTRIES[name]
    result = shown(evaluate(parse(entry.example), example_env()))
    if entry.matches is not None:
        assert re.fullmatch(entry.matches, result), f"{entry.example} = {result}"
    else:
        assert result == entry.returns, f"{entry.example} = {result}, the catalogue says {entry.returns}"


def test_docs_are_generated_from_the_catalogue() -> None:
    current = DOCS.read_text(encoding="utf-8")
    assert docs_with_reference(current) == current, \
        "docs/formulas.md differs from the catalogue: run python -m engine.formulas.catalogue --write-docs"
    block = current.split(START, 1)[1].split(END, 1)[0]
    assert all(f"`{entry.typed_signature}`" in block for entry in ENTRIES.values())


def test_hand_written_text_around_the_block_survives_regeneration() -> None:
    stale = f"# Formulas\n\nIntro.\n\n{START}\nold list\n{END}\n\n## Deliberate differences from Excel\n\nDates.\n"
    fresh = docs_with_reference(stale)
    assert fresh.startswith("# Formulas\n\nIntro.\n\n" + START)
    assert fresh.endswith(END + "\n\n## Deliberate differences from Excel\n\nDates.\n")
    assert "old list" not in fresh and "`RMBCAP(amount: number) → text`" in fresh
    assert docs_with_reference("# Formulas\n").endswith(END + "\n")
