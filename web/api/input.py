"""Reading API input safely: JSON bodies and query values that could not crash a handler or a database driver."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from engine.errors import FieldError, FormworkError, QueryInvalid, RecordInvalid

MAX_BODY = 2 * 1024 * 1024
MAX_ID = 2**63 - 1  # the largest id or version a BIGINT column holds
MAX_DEPTH = 32


def read_json(raw: bytes, what: str, error: Callable[[], FormworkError] | None = None, limit: int = MAX_BODY) -> Any:
    """Parse JSON (at most `limit` bytes, nested at most MAX_DEPTH deep, only text the databases can store,
    finite numbers); RecordInvalid naming the problem, or `error()` when given."""
    def refuse(zh: str, en: str) -> FormworkError:
        return error() if error else RecordInvalid({"": [FieldError("invalid_type", {
            "label": what, "expected": {"zh": zh, "en": en}})]})

    if len(raw) > limit:
        raise error() if error else RecordInvalid({"": [FieldError("too_long", {"label": what, "max": limit})]})
    try:
        data = json.loads(raw or b"{}", parse_constant=_no_constant)
    except RecursionError:
        raise refuse(*DEEP) from None
    except (ValueError, UnicodeDecodeError):
        raise refuse("有效的 JSON", "valid JSON") from None
    _check_tree(data, 0, refuse)
    return data


DEEP = (f"嵌套不超过 {MAX_DEPTH} 层的 JSON", f"JSON nested at most {MAX_DEPTH} levels deep")
BAD_TEXT = ("文本中不含 NUL 字符或孤立代理项的 JSON", "JSON whose text has no NUL characters or lone surrogates")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_tree(value: Any, depth: int, refuse: Callable[[str, str], FormworkError]) -> None:
    if depth > MAX_DEPTH:
        raise refuse(*DEEP)
    if isinstance(value, str):
        check_text(value, lambda: refuse(*BAD_TEXT))
    elif isinstance(value, float) and not math.isfinite(value):  # 1e400 parses as infinity
        raise refuse("数字有限的 JSON", "JSON with finite numbers (1e400 is too large)")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, lambda: refuse(*BAD_TEXT))
            _check_tree(item, depth + 1, refuse)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1, refuse)


def check_text(value: str, error: Callable[[], FormworkError]) -> None:
    """Refuse text neither database can store: NUL characters (PostgreSQL) and lone surrogates (UTF-8)."""
    if "\x00" in value:
        raise error()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise error() from None


def strict_keys(body: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """RecordInvalid naming every top-level key the operation does not take."""
    unknown = [k for k in body if k not in allowed]
    if unknown:
        raise RecordInvalid({k: [FieldError("unknown_field", {"value": k})] for k in unknown})


def flag(params: Mapping[str, str], name: str) -> bool:
    """A 0/1 query flag; QueryInvalid for any other value."""
    value = params.get(name, "0")
    if value not in ("0", "1"):
        raise QueryInvalid("bad_flag", label=name)
    return value == "1"
