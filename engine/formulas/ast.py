"""Formula syntax tree: small frozen nodes, each remembering its position in the source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True)
class Literal:
    """A number (Decimal), text, or boolean written in the formula."""

    value: Any
    position: int


@dataclass(frozen=True)
class Ref:
    """A field path such as `amount`, `items.subtotal` or `client.grade`."""

    path: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class Var:
    """A variable such as `$me` or `$today`, optionally with a path (`$me.region`)."""

    name: str
    path: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class Array:
    """An inline array of constants: `{1,2,3}` is one row, `{1,"a";2,"b"}` two rows separated by `;`."""

    rows: tuple[tuple[Any, ...], ...]
    position: int

    def values(self) -> list[Any]:
        """One row as a flat list; several rows as a list of rows (each a list), as VLOOKUP and INDEX read them."""
        if len(self.rows) == 1:
            return list(self.rows[0])
        return [list(row) for row in self.rows]


@dataclass(frozen=True)
class Call:
    """A function call; `name` is upper-case."""

    name: str
    args: tuple[Expr, ...]
    position: int


@dataclass(frozen=True)
class Unary:
    """`-x`, `+x` or `x%`."""

    op: str
    operand: Expr
    position: int


@dataclass(frozen=True)
class Binary:
    """An operator between two expressions: arithmetic, `&` or a comparison."""

    op: str
    left: Expr
    right: Expr
    position: int


Expr = Union[Literal, Array, Ref, Var, Call, Unary, Binary]


def references(expr: Expr) -> set[tuple[str, ...]]:
    """Every field path the expression reads."""
    if isinstance(expr, Ref):
        return {expr.path}
    if isinstance(expr, Call):
        return set().union(*(references(a) for a in expr.args)) if expr.args else set()
    if isinstance(expr, Unary):
        return references(expr.operand)
    if isinstance(expr, Binary):
        return references(expr.left) | references(expr.right)
    return set()
