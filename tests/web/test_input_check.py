"""The API's compiled input check (jsonschema-rs) never lets through what the full check (jsonschema, which words the
errors) refuses: for every writable field of the CRM template and the test shop, a table of right and wrong values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.definitions.loader import load_sources, read_directory
from engine.errors import RecordInvalid
from web.api.validation import InputCheck, values_input_schema

ROOT = Path(__file__).parents[2]
CANDIDATES: list[Any] = [
    None, "", " ", "x", "A", "new", "2024-01-31", "2024-02-30", "2024-13-01", "2024-01-31T10:00:00+08:00", "10:30",
    "a@b", "someone@example.com", "not an email", "http://example.com", "ftp://x", "fw_x", "$today", "$me",
    0, 1, -1, 1.5, 1.0, 10**20, -(10**20), 2**63, True, False, [], [""], ["a"], [1], [None], {}, {"id": 1},
    {"id": "0123456789abcdef0123456789abcdef"}, [{"id": 1}], [{"product": 1, "quantity": 2}], [{"quantity": -1}],
    {"province": "浙江省", "city": "杭州市"}, {"lat": 30.2, "lng": 120.1}, {"lat": "x"}, "中文", "1" * 5000,
]


def _checks() -> list[tuple[InputCheck, str]]:
    found = []
    for folder, prefix in ((ROOT / "apps_templates" / "crm", "crm/"), (ROOT / "tests" / "fixtures" / "shop", "shop/")):
        defs = load_sources({prefix + k: v for k, v in read_directory(folder).items()}).raise_for_problems()
        check = InputCheck(defs)
        found.extend((check, form_id) for form_id in defs.forms)
    return found


@pytest.mark.parametrize(("check", "form_id"), _checks(), ids=lambda x: x if isinstance(x, str) else "")
def test_the_compiled_check_is_never_more_lenient(check: InputCheck, form_id: str) -> None:
    fields = values_input_schema(check.defs.forms[form_id])["properties"]
    assert fields
    for field_id in fields:
        for value in CANDIDATES:
            values = {field_id: value}
            try:
                fast = check.compiled[form_id].is_valid(values)
            except (ValueError, OverflowError):
                fast = False
            try:
                check.check(form_id, values)
                full = not list(check.validators[form_id].iter_errors(values))
            except RecordInvalid:
                full = False
            assert full or not fast, (field_id, value)
