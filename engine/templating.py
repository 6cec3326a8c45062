"""Text templates written by admins (notices, emails, webhook bodies): Jinja2 in its sandbox, HTML-escaped.

A template reads only what it is given — the record as a mapping of values, old values, earlier steps —
and the sandbox refuses attribute tricks (`__class__`, `mro`…), so a hostile template cannot reach Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from engine.formulas.library.china import LIMIT as RMB_LIMIT, rmb_capital
from engine.bidi import has_controls, isolated, without_overrides
from engine.i18n import zh_en

MAX_OUTPUT = 200_000


class TemplateProblem(Exception):
    """A template that does not parse or fails to render; the message says where and why."""


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` bounded so `'x' * 10**9` cannot eat the memory."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > 100:
                raise TemplateProblem("template error: exponent too large")
            return left ** right
        for a, b in ((left, right), (right, left)):
            if isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * b > MAX_OUTPUT:
                raise TemplateProblem("template error: repeated text too long")
        return left * right


def _shown(value: Any) -> Any:
    """A value as a notice or an email shows it: bidirectional controls isolated (engine.bidi); HTML that is
    already safe (`__html__`) cannot be wrapped as a whole, so it only loses its overrides."""
    if isinstance(value, str) and has_controls(value):
        return without_overrides(value) if hasattr(value, "__html__") else isolated(value)
    return value


def rmb_upper(value: Any) -> str:
    """The `rmb_upper` filter: an amount in Chinese capitals (金额大写), the RMBCAP formula's words; '' for none
    (an empty value, or one the reader may not see: absent from the template's context)."""
    if value is None or isinstance(value, Undefined) or value == "":
        return ""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(f"rmb_upper needs a number, not {str(value)[:40]!r}") from None
    if not amount.is_finite() or abs(amount) >= RMB_LIMIT:
        raise ValueError("rmb_upper: the amount must be below 10^16")
    return rmb_capital(amount)


@lru_cache(maxsize=2)
def _environment(html: bool) -> ImmutableSandboxedEnvironment:
    env = _BoundedSandbox(autoescape=html, undefined=Undefined, trim_blocks=True, lstrip_blocks=True,
                          finalize=_shown)
    env.filters["rmb_upper"] = rmb_upper
    return env


@lru_cache(maxsize=1024)
def _compiled(source: str, html: bool) -> Any:
    return _environment(html).from_string(source)


def check_template(source: str) -> dict[str, str] | None:
    """None if the template parses, else the problem (with its line) in zh and en."""
    try:
        _compiled(source, True)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        detail = exc.message or str(exc)  # Jinja's own words: it has no Chinese
        return zh_en(f"模板第 {line} 行有错误:{detail}" if line else f"模板错误:{detail}",
                     f"template error{f' on line {line}' if line else ''}: {detail}")
    return None



def render(source: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    """The template's text for `context` (HTML-escaped values when `html`); TemplateProblem on errors."""
    try:
        text = str(_compiled(source, html).render(**context))
    except TemplateError as exc:
        raise TemplateProblem(f"template error: {exc}") from None
    except (ArithmeticError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise TemplateProblem(f"template error: {type(exc).__name__}: {exc}") from None
    if len(text) > MAX_OUTPUT:
        raise TemplateProblem(f"template output is longer than {MAX_OUTPUT:,} characters")
    return text


__all__ = ["StrictUndefined", "TemplateProblem", "check_template", "render"]
