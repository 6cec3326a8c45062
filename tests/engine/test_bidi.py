"""engine.bidi: shown text keeps its letters in typed order and cannot reorder the text around it."""

from __future__ import annotations

import unicodedata

import pytest

from engine.bidi import LRI, PDI, RLI, RLO, balanced, has_controls, isolated, without_controls
from engine.files.sniff import PNG
from engine.files.store import display_name
from engine.templating import render

SPOOF = "\u202egnp.exe"


@pytest.mark.parametrize(("given", "shown"), [
    ("plain text", "plain text"),
    ("客户 A", "客户 A"),
    ("שלום", "שלום"),  # right-to-left letters without controls: nothing to isolate
    (SPOOF, LRI + RLI + "gnp.exe" + PDI + PDI),  # the override becomes an isolate, closed, in an LTR isolate
    ("a\u202db\u202cc", LRI + "a" + LRI + "b" + PDI + "c" + PDI),  # LRO…PDF → LRI…PDI
    ("x" + PDI + "y", LRI + "xy" + PDI),  # a close without its opening cannot end the isolate around it
    ("\u2067abc", LRI + RLI + "abc" + PDI + PDI),  # an isolate left open is closed
    ("\u200fpng\u200f.\u200fexe", LRI + "\u200fpng\u200f.\u200fexe" + PDI),  # a mark cannot choose the direction
    ("\u202bשלום", RLI + RLI + "שלום" + PDI + PDI),  # right-to-left text keeps its direction
])
def test_isolated(given: str, shown: str) -> None:
    assert isolated(given) == shown


def test_isolated_text_has_no_override_and_is_balanced() -> None:
    for given in (SPOOF, "\u202a\u202b\u202c\u202c\u202d\u202e", PDI * 3 + RLO, "\u2066\u2067\u2068"):
        shown = isolated(given)
        assert not any(ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e")
        assert balanced(shown) == shown and shown.count(PDI) == sum(shown.count(c) for c in "\u2066\u2067\u2068")


def test_controls_are_found_and_removed() -> None:
    assert has_controls(SPOOF) and has_controls("a\u061cb") and not has_controls("abc.exe")
    assert without_controls("\u202ea\u2066b\u2069\u200e") == "ab"


@pytest.mark.parametrize(("sent", "kept"), [
    (SPOOF, "gnp.exe"),
    ("invoice\u202egnp.exe", "invoicegnp.exe"),
    ("a\u2066b\u2069\u200f.png", "ab.png"),
    ("zero\u200bwidth\ufeff.png", "zerowidth.png"),
    ("line\u2028break\x85.png", "linebreak.png"),
    ("tab\tand\x00nul.png", "tabandnul.png"),
    ("نامه\u200cها.png", "نامه\u200cها.png"),  # the Persian non-joiner is part of the word
    ("报告 2024.png", "报告 2024.png"),
])
def test_upload_names_lose_invisible_characters(sent: str, kept: str) -> None:
    assert display_name(sent, PNG) == kept
    assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in display_name(sent, PNG))


def test_notices_and_emails_isolate_the_values_they_show() -> None:
    context = {"record": {"name": SPOOF}}
    assert render("New: {{ record.name }}", context) == "New: " + isolated(SPOOF)
    assert render("<b>{{ record.name }}</b>", context, html=True) == "<b>" + isolated(SPOOF) + "</b>"
    assert render("{{ 'plain' }}", context) == "plain"
