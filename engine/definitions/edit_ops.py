"""The registry of edit operations and the checks every operation's request shares (ids, objects, keys, size).

An operation is one registered function that shapes a round-trip document in place; `run` checks the request's
shape and calls it. Field operations live in editing.py, rule and settings operations in document_edits.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap

from engine.definitions.edit_error import EditError

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_DEPTH = 12  # nesting of a value an operation may carry (a label map, an option list…)
MAX_ITEMS = 2_000  # values in one operation


@dataclass(frozen=True)
class EditContext:
    """What an operation may need to know beyond the document: the field ids already published (their ids name
    columns, so they cannot be renamed) — `sub.col` for subform columns."""

    published: frozenset[str] = field(default_factory=frozenset)


Operation = Callable[[CommentedMap, Mapping[str, Any], EditContext], None]
OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(fn: Operation) -> Operation:
        OPERATIONS[name] = fn
        return fn
    return register


def run(doc: CommentedMap, op: Mapping[str, Any], context: EditContext | None = None) -> None:
    """Apply one operation ({"op": name, …}) to the document in place (EditError if it cannot be)."""
    if not isinstance(op, Mapping):
        raise EditError("an operation must be an object with an 'op' key", "操作必须是带 op 键的对象")
    name = op.get("op")
    fn = OPERATIONS.get(name) if isinstance(name, str) else None
    if fn is None:
        raise EditError(f"unknown operation '{str(name)[:40]}'", f"未知的操作“{str(name)[:40]}”")
    check_size(op)
    fn(doc, op, context or EditContext())


def valid_id(value: Any, what: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise EditError(f"'{str(value)[:40]}' is not a valid {what} id: use a lowercase letter, then lowercase "
                        "letters, digits or _ (at most 40)",
                        f"“{str(value)[:40]}”不是有效的标识:以小写字母开头,后跟小写字母、数字或下划线(最多 40 个)")


def object_at(op: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = op.get(key)
    if not isinstance(value, Mapping):
        raise EditError(f"'{key}' must be an object", f"{key} 必须是对象")
    return value


def only_keys(value: Mapping[str, Any], allowed: tuple[str, ...], at: str) -> None:
    for key in value:
        if key not in allowed:
            raise EditError(f"{at}: unknown key '{str(key)[:40]}'", f"{at}:未知的键“{str(key)[:40]}”")


def check_size(value: Any) -> None:
    """An operation is small: refuse deep or huge values before walking them."""
    count = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_ITEMS:
            raise EditError("the operation is too large or too deeply nested", "操作过大或嵌套过深")
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
