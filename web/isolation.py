"""Bidirectional isolation of every value a page template shows (engine.bidi), without editing the templates.

The environment's `finalize` hook sees every `{{ … }}` value before it is escaped: shown text is isolated. Markup
passes as it is: it is a macro's output (whose values were finalized inside it, and whose data attributes must stay
exact) or HTML built in Python, which isolates its own values (web/views/media_display.py). Values that are data rather than
display — a form field's `value`, a link, an htmx URL, a `data-*` the scripts read, a textarea's content, a script —
must come back exactly as they were, or a save would change the record. `DataAttributes` marks those at compile
time: it reads the template source, and every `{{ … }}` inside such an attribute or element becomes
`{{ (…)|verbatim }}`, which `finalize` passes through unchanged (still escaped).
"""

from __future__ import annotations

import re
from typing import Any

from jinja2.ext import Extension
from markupsafe import Markup

from engine.bidi import has_controls, isolated

# Attributes a person reads (text in every other attribute is data and is kept exactly).
SHOWN_ATTRIBUTES = frozenset((
    "title", "alt", "placeholder", "label", "aria-label", "aria-description", "aria-roledescription",
    "aria-valuetext", "hx-confirm", "hx-prompt", "data-confirm", "data-prompt", "data-label", "data-remove-label",
))
RAW_ELEMENTS = ("textarea", "script", "style")  # their content is posted back or run, not shown as text
TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
NAME = re.compile(r"[^\s=>/{\"']+")
# an attribute a macro writes outside any tag: `{% macro go(url) %}href="{{ url }}"…`
ATTRIBUTE_BEFORE = re.compile(r"([a-zA-Z][\w:-]*)=[\"'][^\"'<>]*$")
CLOSERS = {"(": ")", "[": "]", "{": "}"}


class Verbatim:
    """A value shown exactly as it is (finalize unwraps it; autoescape still escapes it)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def finalize(value: Any) -> Any:
    """Each `{{ … }}` value as it is safe to show (see the module's docstring)."""
    if isinstance(value, Verbatim):
        return value.value
    if not isinstance(value, str) or isinstance(value, Markup) or value.isascii() or not has_controls(value):
        return value
    return isolated(value)


def _expression_end(source: str, start: int) -> int:
    """The index just past the `}}` closing the expression opened at `start` (brackets and strings skipped)."""
    i, quote = start + 2, ""
    stack: list[str] = []
    while i < len(source):
        ch = source[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in CLOSERS:
            stack.append(CLOSERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif not stack and source.startswith("}}", i):
            return i + 2
        i += 1
    return len(source)


def _skip(source: str, start: int) -> int:
    """The index just past the Jinja statement or comment opened at `start`."""
    closing = "%}" if source.startswith("{%", start) else "#}"
    end = source.find(closing, start + 2)
    return len(source) if end < 0 else end + 2


def _verbatim(expression: str) -> str:
    """`{{ x }}` as `{{ (x)|verbatim }}`, keeping the whitespace controls."""
    inner = expression[2:-2]
    lead = inner[0] if inner[:1] in ("-", "+") else ""
    trail = "-" if inner.endswith("-") else ""
    body = inner[len(lead):len(inner) - len(trail)]
    return "{{" + lead + " (" + body + ")|verbatim " + trail + "}}"


class _Scanner:
    """Walks a template's HTML and rewrites the expressions that sit in data attributes and raw elements."""

    def __init__(self, source: str) -> None:
        self.source, self.i = source, 0
        self.out: list[str] = []

    def run(self) -> str:
        while self.i < len(self.source):
            self._text()
        return "".join(self.out)

    def _emit(self, end: int, data: bool = False) -> None:
        piece = self.source[self.i:end]
        self.out.append(_verbatim(piece) if data and piece.startswith("{{") else piece)
        self.i = end

    def _jinja(self, data: bool) -> bool:
        """Emit the Jinja tag at the cursor, if there is one; True when there was."""
        s, i = self.source, self.i
        if s.startswith("{{", i):
            self._emit(_expression_end(s, i), data)
        elif s.startswith(("{%", "{#"), i):
            self._emit(_skip(s, i))
        else:
            return False
        return True

    def _text(self) -> None:
        s = self.source
        if s.startswith("{{", self.i):
            before = ATTRIBUTE_BEFORE.search(s, max(0, self.i - 200), self.i)
            self._jinja(before is not None and before.group(1).lower() not in SHOWN_ATTRIBUTES)
            return
        if self._jinja(False):
            return
        if s.startswith("<!--", self.i):
            end = s.find("-->", self.i)
            self._emit(len(s) if end < 0 else end + 3)
            return
        tag = TAG_START.match(s, self.i)
        if tag is None:
            self._emit(self.i + 1)
            return
        self._emit(tag.end())
        self._attributes()
        name = tag.group(2).lower()
        if not tag.group(1) and name in RAW_ELEMENTS:
            self._raw(name)

    def _attributes(self) -> None:
        """The rest of a tag: attribute names and values, up to its `>`."""
        s = self.source
        while self.i < len(s):
            if s[self.i] == ">":
                self._emit(self.i + 1)
                return
            if self._jinja(True):
                continue
            name = NAME.match(s, self.i)
            if name is None:
                self._emit(self.i + 1)
                continue
            self._emit(name.end())
            self._value(name.group(0).lower() not in SHOWN_ATTRIBUTES)

    def _value(self, data: bool) -> None:
        """An attribute's `= value`, if it has one."""
        s = self.source
        equals = re.compile(r"\s*=\s*").match(s, self.i)
        if equals is None:
            return
        self._emit(equals.end())
        quote = s[self.i] if self.i < len(s) and s[self.i] in "\"'" else ""
        if quote:
            self._emit(self.i + 1)
        while self.i < len(s):
            if self._jinja(data):
                continue
            ch = s[self.i]
            if (quote and ch == quote) or (not quote and (ch.isspace() or ch == ">")):
                if quote:
                    self._emit(self.i + 1)
                return
            self._emit(self.i + 1)

    def _raw(self, name: str) -> None:
        """A raw element's content, up to its closing tag: every expression in it is data."""
        s, closing = self.source, "</" + name
        while self.i < len(s) and not s[self.i:self.i + len(closing)].lower() == closing:
            if not self._jinja(True):
                self._emit(self.i + 1)


def mark_data(source: str) -> str:
    """The template source with every expression in a data attribute or raw element piped through `verbatim`."""
    return _Scanner(source).run()


class DataAttributes(Extension):
    """Jinja extension: `mark_data` on every template's source, and the `verbatim` filter it uses."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters["verbatim"] = Verbatim

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return mark_data(source)
