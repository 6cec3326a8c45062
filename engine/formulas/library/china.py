"""RMBCAP: an amount in Chinese capital numerals (金额大写) as banks require it (《支付结算办法》附件 — 正确填写票据和
结算凭证的基本规定): 壹贰叁… with 拾佰仟万亿, 元角分; 整 after 元 when there are no 角 or 分; 零 for zeros inside the
number (one 零 for a run), before 分 when 角 is zero; the optional 零 (at an empty 元 or 万 place before a non-zero
仟 or 角) is left out."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.formulas.functions import CallContext, function
from engine.formulas.library.args import typed
from engine.formulas.library.fail import num_error
from engine.formulas.types import TEXT
from engine.formulas.values import round_half_away, to_number

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
LIMIT = Decimal(10) ** 16  # up to 9999,9999,9999,9999.99 (九千万亿)


def _group(n: int) -> str:
    """0 < n < 10 000 in capitals: 零 once for each run of inner zeros, trailing zeros unwritten."""
    out: list[str] = []
    zero = False
    for i, ch in enumerate(str(n)):
        if ch == "0":
            zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[int(ch)] + PLACES[len(str(n)) - 1 - i])
    return "".join(out)


def _split(n: int, size: int, unit: str, part: Callable[[int], str]) -> str:
    """n written as (n // size) unit (n % size), a 零 between when the lower part lacks its leading digit."""
    high, low = divmod(n, size)
    out = part(high) + unit if high else ""
    if low:
        out += ("零" if high and low < size // 10 else "") + part(low)
    return out


def yuan(whole: int) -> str:
    """The integer part (> 0) in capitals, without 元: 壹亿零壹万, 壹拾万零柒佰."""
    return _split(whole, 10 ** 8, "亿", lambda n: _split(n, 10 ** 4, "万", _group))


def rmb_capital(amount: Decimal) -> str:
    """壹仟贰佰叁拾肆元伍角 for 1234.5; 零元整 for 0; 负 before a negative amount."""
    cents = int(round_half_away(abs(amount), 2) * 100)
    whole, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    sign = "负" if amount < 0 and cents else ""
    if cents == 0:
        return "零元整"
    head = yuan(whole) + "元" if whole else ""
    if not jiao and not fen:
        return sign + head + "整"
    tail = (DIGITS[jiao] + "角" if jiao else ("零" if head else "")) + (DIGITS[fen] + "分" if fen else "")
    return sign + head + tail


@function("RMBCAP", 1, 1, typed("RMBCAP", TEXT, "number"),
          "RMBCAP(amount) — the amount in Chinese capitals for cheques and invoices (金额大写)")
def _rmbcap(args: list[Any], ctx: CallContext) -> str:
    amount = to_number(args[0], ctx.position)
    if abs(amount) >= LIMIT:
        num_error("RMBCAP:金额须小于一亿亿(10^16)", "RMBCAP: the amount must be below 10^16", ctx.position)
    return rmb_capital(amount)
