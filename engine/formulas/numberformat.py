"""Number format codes for TEXT: `0`, `#`, `?`, `.`, `,`, `%`, quoted text and sections `positive;negative;zero`."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

from engine.formulas.values import WIDE, round_half_away

PART = re.compile(r'"[^"]*"|\\.|[0#?]|.', re.DOTALL)


def format_number(number: Decimal, fmt: str) -> str:
    """`number` written by an Excel number format: TEXT(1234.5, "#,##0.00") is 1,234.50, TEXT(1, "0.###") is 1."""
    sections = _sections(fmt)
    if number < 0 and len(sections) > 1:
        return _section(abs(number), sections[1], sign="")
    if number == 0 and len(sections) > 2:
        return _section(number, sections[2], sign="")
    return _section(abs(number), sections[0], sign="-" if number < 0 else "")


def _sections(fmt: str) -> list[str]:
    """The format's sections, split at `;` outside quotes."""
    parts: list[str] = []
    current, quoted = "", False
    for ch in fmt:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def _section(number: Decimal, fmt: str, sign: str) -> str:
    parts = PART.findall(fmt)
    placeholders = [i for i, p in enumerate(parts) if p in ("0", "#", "?")]
    if not placeholders:
        return sign + "".join(_literal(p) for p in parts)
    point = next((i for i, p in enumerate(parts) if p == "." and placeholders[0] < i), None)
    number *= Decimal(100) ** sum(1 for p in parts if p == "%")
    integer = [i for i in placeholders if point is None or i < point]
    decimals = [i for i in placeholders if point is not None and i > point]
    with localcontext(WIDE):
        rounded = round_half_away(number, len(decimals))
    grouped = any(p == "," for p in parts[placeholders[0]:(point or placeholders[-1]) + 1])
    whole, _, fraction = f"{rounded:.{len(decimals)}f}".partition(".")
    filled = _fill_integer(whole, [parts[i] for i in integer], grouped)
    digits = _trim_fraction(fraction, [parts[i] for i in decimals])
    out: list[str] = [sign]
    for i, p in enumerate(parts):
        if i in integer:
            out.append(filled.pop(0))
        elif i in decimals:
            out.append(digits.pop(0))
        elif i == point:
            out.append(".")
        elif p == "," and integer and integer[0] < i < (point or integer[-1] + 1):
            continue  # the thousands separator, already placed
        else:
            out.append(_literal(p))
    return "".join(out)


def _fill_integer(whole: str, codes: list[str], grouped: bool) -> list[str]:
    """The integer digits spread over its placeholders from the right; the first placeholder takes any extra."""
    digits = "" if whole == "0" and "0" not in codes else whole
    digits = digits.rjust(codes.count("0"), "0") if len(digits) < codes.count("0") else digits
    if not codes:
        return []
    width = len(codes)
    if len(digits) < width:
        digits = " " * (width - len(digits)) + digits
        slots = [d if d != " " else (" " if codes[i] == "?" else "") for i, d in enumerate(digits)]
    else:
        slots = [digits[:len(digits) - width + 1]] + list(digits[len(digits) - width + 1:])
    if grouped:
        joined = "".join(slots).strip()
        return [f"{int(joined):,}" if joined else ""] + [""] * (width - 1)
    return slots


def _trim_fraction(fraction: str, codes: list[str]) -> list[str]:
    """Decimal digits, dropping trailing zeros where the placeholder is `#` (or a space for `?`)."""
    slots = list(fraction)
    for i in range(len(slots) - 1, -1, -1):
        if slots[i] != "0" or codes[i] == "0":
            break
        slots[i] = "" if codes[i] == "#" else " "
    return slots


def _literal(part: str) -> str:
    if part.startswith('"'):
        return part[1:-1]
    if part.startswith("\\"):
        return part[1:]
    return part
