"""Text functions: EXACT, CONCAT, TEXTJOIN, SUBSTITUTE, PROPER, REPT, CHAR, CODE, UNICHAR, UNICODE, T, FIXED,
SPLIT. Every result stays within the text bound (values.MAX_TEXT), refused before it is built."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.formulas.functions import CallContext, flatten, function
from engine.formulas.library.args import integer, typed
from engine.formulas.library.fail import value_error
from engine.formulas.types import BOOLEAN, NUMBER, TEXT, ListOf
from engine.formulas.values import MAX_TEXT, check_text, is_empty, round_half_away, to_bool, to_number, to_text

TOO_LONG_ZH, TOO_LONG_EN = f"结果超过 {MAX_TEXT} 个字符", f"the result is longer than {MAX_TEXT} characters"


def _text(value: Any, ctx: CallContext) -> str:
    return to_text(value, ctx.position, ctx.tz)


@function("EXACT", 2, 2, typed("EXACT", BOOLEAN, "text", "text"), "EXACT(text1, text2) — equal, case counts")
def _exact(args: list[Any], ctx: CallContext) -> bool:
    return _text(args[0], ctx) == _text(args[1], ctx)


def _joined(name: str, parts: list[str], delimiter: str, ctx: CallContext) -> str:
    """Join, refusing as soon as the result would pass the text bound (never building a huge string)."""
    total = 0
    for i, part in enumerate(parts):
        total += len(part) + (len(delimiter) if i else 0)
        if total > MAX_TEXT:
            value_error(f"{name}:{TOO_LONG_ZH}", f"{name}: {TOO_LONG_EN}", ctx.position)
    return delimiter.join(parts)


@function("CONCAT", 1, None, TEXT, "CONCAT(text or list, …) — joins everything, lists item by item")
def _concat(args: list[Any], ctx: CallContext) -> str:
    return _joined("CONCAT", [_text(v, ctx) for v in flatten(args)], "", ctx)


@function("TEXTJOIN", 3, None, typed("TEXTJOIN", TEXT, "text", "scalar", rest="any"),
          "TEXTJOIN(delimiter, ignore_empty, text or list, …)")
def _textjoin(args: list[Any], ctx: CallContext) -> str:
    delimiter, skip_empty = _text(args[0], ctx), to_bool(args[1], ctx.position)
    parts = [_text(v, ctx) for v in flatten(args[2:])]
    return _joined("TEXTJOIN", [p for p in parts if p] if skip_empty else parts, delimiter, ctx)


@function("SUBSTITUTE", 3, 4, typed("SUBSTITUTE", TEXT, "text", "text", "text", "number"),
          "SUBSTITUTE(text, old, new, [which]) — replaces every (or the which-th) occurrence")
def _substitute(args: list[Any], ctx: CallContext) -> str:
    text, old, new = _text(args[0], ctx), _text(args[1], ctx), _text(args[2], ctx)
    if len(args) > 3:
        which = integer(args[3], ctx)
        if which < 1:
            value_error("SUBSTITUTE:序号须 ≥ 1", "SUBSTITUTE: the occurrence number must be ≥ 1", ctx.position)
        if not old:
            return text
        at = text.find(old)
        for _ in range(which - 1):  # occurrences do not overlap, as when every one is replaced
            if at < 0:
                break
            at = text.find(old, at + len(old))
        if at < 0:
            return text
        return check_text(text[:at] + new + text[at + len(old):], ctx.position)
    if not old:
        return text
    if len(text) + text.count(old) * (len(new) - len(old)) > MAX_TEXT:
        value_error(f"SUBSTITUTE:{TOO_LONG_ZH}", f"SUBSTITUTE: {TOO_LONG_EN}", ctx.position)
    return text.replace(old, new)


@function("PROPER", 1, 1, typed("PROPER", TEXT, "text"), "PROPER(text) — capitalises the first letter of each word")
def _proper(args: list[Any], ctx: CallContext) -> str:
    out: list[str] = []
    after_letter = False
    for ch in _text(args[0], ctx):
        out.append(ch.lower() if after_letter else ch.upper())
        after_letter = ch.isalpha()
    return "".join(out)


@function("REPT", 2, 2, typed("REPT", TEXT, "text", "number"), "REPT(text, times)")
def _rept(args: list[Any], ctx: CallContext) -> str:
    text = _text(args[0], ctx)
    times = int(to_number(args[1], ctx.position))  # truncated toward zero
    if times < 0:
        value_error("REPT:次数不能为负数", "REPT: the number of times cannot be negative", ctx.position)
    if len(text) * times > MAX_TEXT:
        value_error(f"REPT:{TOO_LONG_ZH}", f"REPT: {TOO_LONG_EN}", ctx.position)
    return text * times


def _cp1252(code: int) -> str:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in Windows-1252, kept as Latin-1
        return chr(code)


@function("CHAR", 1, 1, typed("CHAR", TEXT, "number"), "CHAR(code) — the character of a code 1–255 (Windows-1252)")
def _char(args: list[Any], ctx: CallContext) -> str:
    code = int(to_number(args[0], ctx.position))
    if not 1 <= code <= 255:
        value_error("CHAR:代码须在 1 到 255 之间", "CHAR: the code must be between 1 and 255", ctx.position)
    return _cp1252(code)


def _first(name: str, value: Any, ctx: CallContext) -> str:
    text = _text(value, ctx)
    if not text:
        value_error(f"{name}:文本是空的", f"{name}: the text is empty", ctx.position)
    return text[0]


@function("CODE", 1, 1, typed("CODE", NUMBER, "text"), "CODE(text) — the Windows-1252 code of the first character")
def _code(args: list[Any], ctx: CallContext) -> Decimal:
    first = _first("CODE", args[0], ctx)
    try:
        return Decimal(first.encode("cp1252")[0])
    except UnicodeEncodeError:
        return Decimal(ord(first)) if ord(first) < 256 else Decimal(63)  # '?' as Excel shows it


@function("UNICHAR", 1, 1, typed("UNICHAR", TEXT, "number"), "UNICHAR(code) — the character of a Unicode code point")
def _unichar(args: list[Any], ctx: CallContext) -> str:
    code = int(to_number(args[0], ctx.position))
    if not 1 <= code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        value_error("UNICHAR:不是有效的 Unicode 码位", "UNICHAR: not a valid Unicode code point", ctx.position)
    return chr(code)


@function("UNICODE", 1, 1, typed("UNICODE", NUMBER, "text"), "UNICODE(text) — the code point of the first character")
def _unicode(args: list[Any], ctx: CallContext) -> Decimal:
    return Decimal(ord(_first("UNICODE", args[0], ctx)))


@function("T", 1, 1, typed("T", TEXT, "scalar"), "T(value) — the value if it is text, else empty text")
def _t(args: list[Any], ctx: CallContext) -> str:
    return args[0] if isinstance(args[0], str) else ""


MAX_DECIMALS = 127


@function("FIXED", 1, 3, typed("FIXED", TEXT, "number", "number", "scalar"),
          "FIXED(number, [decimals=2], [no_commas=FALSE]) — rounded, as text with thousands separators")
def _fixed(args: list[Any], ctx: CallContext) -> str:
    number = to_number(args[0], ctx.position)
    decimals = int(to_number(args[1], ctx.position)) if len(args) > 1 and not is_empty(args[1]) else 2
    if decimals > MAX_DECIMALS:
        value_error(f"FIXED:小数位数不能超过 {MAX_DECIMALS}", f"FIXED: at most {MAX_DECIMALS} decimals",
                    ctx.position)
    plain = len(args) > 2 and to_bool(args[2], ctx.position)
    rounded = round_half_away(number, max(decimals, -MAX_DECIMALS))
    shown = f"{abs(rounded):{'' if plain else ','}.{max(decimals, 0)}f}"
    return ("-" if rounded < 0 else "") + shown


@function("SPLIT", 2, 2, typed("SPLIT", ListOf(TEXT), "text", "text"),
          "SPLIT(text, separator) — the pieces of the text as a list")
def _split(args: list[Any], ctx: CallContext) -> list[str]:
    text, separator = _text(args[0], ctx), _text(args[1], ctx)
    if not text:
        return []
    return text.split(separator) if separator else list(text)
