"""The hostile-input corpus: values that once broke a handler, or break handlers in general. The explicit tests
(tests/fuzz/test_hostile_inputs.py) send them where they did harm; the route fuzzer (tests/fuzz/test_routes.py)
offers them to hypothesis as examples for every parameter. When fuzzing finds a new 500, its input goes here.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def cursor(payload: bytes | str) -> str:
    """A page cursor as the app makes them (unpadded urlsafe base64 of JSON), around any payload."""
    raw = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


LONG = "a" * 50_000  # SQLite: "LIKE or GLOB pattern too complex" (issue 12 b)
LONG_WILDCARDS = "%_" * 10_000  # URL-encoded it stays under the 64 kB a URL may have
LONE_SURROGATE = "\ud800"
BIDI = "\u202eevil\u202c\u2066x\u2069"

# Text that has crashed, or could crash, a parser, a query or a driver.
STRINGS: tuple[str, ...] = (
    "", " ", "0", "-1", "1e3", "1.5", "9" * 30, str(2**63), str(-(2**63) - 1), str(2**70),
    "NaN", "Infinity", "-Infinity", "sNaN", "null", "true", "[]", "{}",
    "\x00", "a\x00b", LONE_SURROGATE, "\udfff", BIDI, "\u200b", "\ufeff", "\r\n", "\t", "𠮷" * 3,
    "%", "_", "%_%", "\\", "/", "'", '"', "' OR 1=1 --", "1; DROP TABLE users; --", "%' UNION SELECT 1 --",
    "../../../../etc/passwd", "..%2f..%2f", "/etc/passwd", "C:\\Windows\\win.ini", "%00", "%ZZ",
    "<script>alert(1)</script>", "{{7*7}}", "${7*7}", "javascript:alert(1)", "//evil.example", "http://evil.example",
    "-", "--", "-amount", ",", ",,,", "id,-id", "2024-02-30", "9999-12-31T23:59:59", "0000-00-00",
    "a" * 201, "a" * 5_000, LONG, LONG_WILDCARDS,
)

# Nested JSON deep enough to hit the recursion limit of a parser or a tree walk (issue 12 a, c).
DEEP_LIST = "[" * 100_000
DEEP_CURSOR_JSON = "[" * 4_000 + "]" * 4_000

# Forged page cursors (issue 12 c): not a number where the key is money, a lone surrogate, deep nesting, …
CURSORS: tuple[str, ...] = (
    "abc", "%%%", "====", cursor(b"[]"), cursor(b"{}"), cursor(b"null"), cursor(b"[1,2,3]"),
    cursor('[{"n":"abc"},5]'), cursor('[{"n":"sNaN"},5]'), cursor('[{"n":"1e999999999"},5]'), cursor('[{"n":[]},5]'),
    cursor('["\\ud800",5]'), cursor('["a\\u0000b",5]'), cursor(DEEP_CURSOR_JSON), cursor("[" + "1" + "0" * 400 + ",5]"),
    cursor('[{"d":"2024-02-30"},5]'), cursor('[{"dt":5},5]'), cursor('[{"x":1},5]'), cursor("[1e400,5]"),
    cursor("[NaN,5]"), cursor('[true,5]'), cursor('["abc",5]'), cursor("[" + str(2**70) + "]"), cursor(b"\xff\xfe"),
)

# JSON documents (already parsed) for bodies and filter values.
JSON_VALUES: tuple[Any, ...] = (
    None, True, 0, -1, 2**63, 2**70, 1.5, 1e308, "", LONG, LONE_SURROGATE, "a\x00b", BIDI, [], {}, [[[[[[]]]]]],
    {"values": {}}, {"values": []}, {"values": {"name": LONG}}, {"values": {"name": LONE_SURROGATE}},
    {"version": 2**70, "values": {}}, {"version": -1, "values": {}}, {"comment": LONG}, {"signature": "data:,"},
    [{"field": "name", "op": "contains", "value": LONG}], [{"field": "id", "op": "in", "value": list(range(40_000))}],
)

# Raw bodies no JSON library would write: deep nesting, constants JSON does not have, broken encodings.
RAW_JSON: tuple[bytes, ...] = (
    DEEP_LIST.encode(), b"[" * 3_000 + b"]" * 3_000, b'{"a":' * 5_000 + b"1" + b"}" * 5_000, b"NaN", b"[Infinity]",
    b"[1e400]", b"[" + b"9" * 5_000 + b"]", b'"\\ud800"', b'{"a":"\\u0000"}', b"\xff\xfe{", b"{not json", b"",
)

# Filters as the API and the list pages take them (a JSON list of {field, op, value}).
FILTERS: tuple[str, ...] = (
    json.dumps([{"field": "name", "op": "contains", "value": LONG}]),
    json.dumps([{"field": "name", "op": "contains", "value": LONG_WILDCARDS}]),
    json.dumps([{"field": "name", "op": "starts", "value": LONG}]),
    json.dumps([{"field": "name", "op": "eq", "value": LONE_SURROGATE}]),
    json.dumps([{"field": "amount", "op": "gt", "value": "abc"}]),
    json.dumps([{"field": "amount", "op": "between", "value": [1e400, None]}]),
    json.dumps([{"field": "created_at", "op": "last_n_days", "value": 10**20}]),
    json.dumps([{"field": "id", "op": "in", "value": list(range(2_000))}]),
    "[" * 5_000, "{}", "[1]", "null",
)

# Every string the fuzzer should try at least once for any text parameter.
ALL_TEXT: tuple[str, ...] = STRINGS + CURSORS + FILTERS

# The sharpest values, each sent to every parameter a view reads (the sweep in tests/fuzz/test_routes.py).
SHARP: tuple[str, ...] = (
    LONG, "a" * 201, "\x00", str(2**70), "-1", "NaN", "[" * 5_000, "%' OR 1=1 --", "../../../../etc/passwd",
    cursor('[{"n":"abc"},5]'), cursor('["\\ud800",5]'), cursor(DEEP_CURSOR_JSON), FILTERS[0],
)
