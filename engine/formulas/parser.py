"""Parse formula text into a syntax tree with lark (LALR), with errors that give the position."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from engine.errors import FormulaError
from engine.formulas.ast import Array, Binary, Call, Expr, Literal, Ref, Unary, Var
from engine.formulas.values import bounded
from engine.i18n import zh_en

MAX_SOURCE = 10_000
MAX_DEPTH = 100
TOO_DEEP = zh_en(f"公式嵌套超过 {MAX_DEPTH} 层", f"the formula nests deeper than {MAX_DEPTH} levels")
ENDS_EARLY = zh_en("公式提前结束了(缺少括号或值)", "the formula ends too early (a bracket or a value is missing)")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _pos(item: Any) -> int:
    if isinstance(item, Token):
        return int(item.start_pos or 0)
    if isinstance(item, Tree):
        return int(getattr(item.meta, "start_pos", 0) or 0)
    return int(getattr(item, "position", 0))


@v_args(meta=True)
class _Build(Transformer[Token, Expr]):
    def number(self, meta: Any, items: list[Token]) -> Literal:
        try:
            number = Decimal(str(items[0]))
        except InvalidOperation:
            raise FormulaError(zh_en(f"“{items[0]}”不是数字", f"'{items[0]}' is not a number"), _pos(items[0])) from None
        return Literal(bounded(number, _pos(items[0])), _pos(items[0]))

    def string(self, meta: Any, items: list[Token]) -> Literal:
        raw = str(items[0])
        quote = raw[0]
        return Literal(raw[1:-1].replace(quote * 2, quote), _pos(items[0]))

    def true(self, meta: Any, items: list[Token]) -> Literal:
        return Literal(True, _pos(items[0]))

    def false(self, meta: Any, items: list[Token]) -> Literal:
        return Literal(False, _pos(items[0]))

    def ref(self, meta: Any, items: list[Token]) -> Ref:
        return Ref(tuple(str(t) for t in items), _pos(items[0]))

    def variable(self, meta: Any, items: list[Token]) -> Var:
        return Var(str(items[0])[1:], tuple(str(t) for t in items[1:]), _pos(items[0]))

    def blank(self, meta: Any, items: list[Any]) -> Literal:
        return Literal(None, int(getattr(meta, "start_pos", 0) or 0))

    def call(self, meta: Any, items: list[Any]) -> Call:
        name = items[0]
        args = tuple(items[1:])
        if len(args) == 1 and isinstance(args[0], Literal) and args[0].value is None:
            args = ()  # `F()` has no arguments, not one left out
        return Call(str(name).upper(), args, _pos(name))

    def signed_number(self, meta: Any, items: list[Token]) -> Literal:
        number = self.number(meta, [items[1]])
        return Literal(-number.value if str(items[0]) == "-" else number.value, _pos(items[0]))

    def array_row(self, meta: Any, items: list[Literal]) -> tuple[Any, ...]:
        return tuple(item.value for item in items)

    def array(self, meta: Any, items: list[tuple[Any, ...]]) -> Array:
        if len({len(row) for row in items}) > 1:
            raise FormulaError(zh_en("数组各行的值个数须相同", "every row of an array needs as many values"),
                               int(getattr(meta, "start_pos", 0) or 0))
        return Array(tuple(items), int(getattr(meta, "start_pos", 0) or 0))

    def signed(self, meta: Any, items: list[Any]) -> Expr:
        op, operand = str(items[0]), items[1]
        if op == "-" and isinstance(operand, Literal) and isinstance(operand.value, Decimal):
            return Literal(-operand.value, _pos(items[0]))
        return Unary(op, operand, _pos(items[0]))

    def percent(self, meta: Any, items: list[Any]) -> Unary:
        return Unary("%", items[0], _pos(items[1]))

    def _chain(self, items: list[Any]) -> Expr:
        left: Expr = items[0]
        for i in range(1, len(items), 2):
            op = str(items[i])
            left = Binary(op, left, items[i + 1], _pos(items[i]))
        return left

    def comparison(self, meta: Any, items: list[Any]) -> Expr:
        return self._chain(items)

    def concat(self, meta: Any, items: list[Any]) -> Expr:
        return self._chain(items)

    def sum(self, meta: Any, items: list[Any]) -> Expr:
        return self._chain(items)

    def product(self, meta: Any, items: list[Any]) -> Expr:
        return self._chain(items)

    def power(self, meta: Any, items: list[Any]) -> Expr:
        return self._chain(items)


def _depth(source: str) -> int:
    depth = best = 0
    quote = ""
    for ch in source:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "({":
            depth += 1
            best = max(best, depth)
        elif ch in ")}":
            depth -= 1
    return best


def parse(source: str) -> Expr:
    """Parse a formula; FormulaError says what is wrong and where."""
    if not isinstance(source, str) or not source.strip():
        raise FormulaError(zh_en("公式是空的", "the formula is empty"), 0, str(source))
    if len(source) > MAX_SOURCE:
        raise FormulaError(zh_en(f"公式超过 {MAX_SOURCE} 个字符", f"the formula is longer than {MAX_SOURCE} characters"),
                           MAX_SOURCE, source)
    if _depth(source) > MAX_DEPTH:
        raise FormulaError(TOO_DEEP, 0, source)
    try:
        tree = _parser().parse(source)
        result: Expr = _Build().transform(tree)
        return result
    except UnexpectedCharacters as exc:
        pos = int(exc.pos_in_stream or 0)
        raise FormulaError(zh_en(f"这里不能出现字符“{source[pos]}”", f"unexpected character '{source[pos]}'"), pos,
                           source) from None
    except UnexpectedEOF:
        raise FormulaError(ENDS_EARLY, len(source), source) from None
    except UnexpectedToken as exc:
        token = exc.token
        if token.type == "$END":
            raise FormulaError(ENDS_EARLY, len(source), source) from None
        raise FormulaError(zh_en(f"这里不能出现“{token}”", f"unexpected '{token}'"), int(token.start_pos or 0),
                           source) from None
    except UnexpectedInput as exc:
        raise FormulaError(zh_en("公式在这里无法读取", "the formula cannot be read here"),
                           int(getattr(exc, "pos_in_stream", 0) or 0), source) from None
    except FormulaError:
        raise
    except LarkError as exc:
        inner = exc.__context__
        if isinstance(inner, FormulaError):
            raise inner from None
        orig = getattr(exc, "orig_exc", None)
        if isinstance(orig, FormulaError):
            raise orig from None
        raise FormulaError(zh_en(f"公式无法读取:{exc}", f"the formula cannot be read: {exc}"), 0, source) from None
    except RecursionError:
        raise FormulaError(TOO_DEEP, 0, source) from None

