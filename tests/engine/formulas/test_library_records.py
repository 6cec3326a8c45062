"""The library's functions in a published form: stored formula fields compute them when a record is written, and a
formula that can never work (a date where a number is needed) is refused at publish with the function's words."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.errors import DefinitionError
from engine.records.model import Actor
from tests.conftest import FIXTURES, Clock, add_user, open_workspace, publish_directory

ALICE = Actor(user_id=1, department_id=None, is_admin=True)
ORDER = Path("sales/forms/order.yaml")


def shop_with(tmp_path: Path, clock: Clock, fields: list[dict[str, Any]]) -> Any:
    """The test shop with extra fields on the order form, published to a new SQLite workspace."""
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", root)
    doc = yaml.safe_load((root / ORDER).read_text(encoding="utf-8"))
    doc["fields"] += fields
    (root / ORDER).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ws = open_workspace(f"sqlite:///{tmp_path / 'w.db'}", tmp_path / "ws", clock)
    publish_directory(ws, root, "shop/")
    add_user(ws, "alice")
    return ws


def formula(field_id: str, result: str, source: str) -> dict[str, Any]:
    return {"id": field_id, "type": "formula", "result": result, "formula": source,
            "label": {"zh": field_id, "en": field_id}}


def test_stored_formulas_compute_library_functions(tmp_path: Path, clock: Clock) -> None:
    ws = shop_with(tmp_path, clock, [
        formula("in_words", "text", "RMBCAP(net)"),
        formula("ship_day", "date", "WORKDAY(ordered_on, 3)"),
        formula("month_end", "date", "EOMONTH(ordered_on, 0)"),
        formula("bulk_lines", "number", "COUNTIF(items.quantity, '>1')"),
        formula("first_price", "number", "INDEX(items.price, 1)"),
        formula("quantities", "text", "TEXTJOIN('+', TRUE, items.quantity)"),
    ])
    try:
        product = ws.records.create(ALICE, "product", {"name": "服务器", "price": "1200.00"})
        customer = ws.records.create(ALICE, "customer", {"name": "华联电子"})
        rows = [{"product": product.id, "quantity": 2, "price": "1200.50"},
                {"product": product.id, "quantity": 1, "price": "99"}]
        order = ws.records.create(ALICE, "order", {"customer": customer.id, "items": rows, "discount": "10"})
        values = ws.records.get(ALICE, "order", order.id).values
        assert values["net"] == Decimal("2250.00")  # (2 × 1200.50 + 99) less 10%
        assert values["in_words"] == "贰仟贰佰伍拾元整"
        assert values["ship_day"] == date(2024, 3, 20)  # ordered on Friday 15 March: Mon, Tue, Wed
        assert values["month_end"] == date(2024, 3, 31)
        assert values["bulk_lines"] == 1
        assert values["first_price"] == Decimal("1200.50")
        assert values["quantities"] == "2+1"
    finally:
        ws.close()


def test_a_formula_that_can_never_work_is_refused_at_publish(tmp_path: Path, clock: Clock) -> None:
    with pytest.raises(DefinitionError) as refused:
        shop_with(tmp_path, clock, [formula("root", "number", "SQRT(ordered_on)")])
    assert "SQRT: argument 1 should be a number, got date" in refused.value.text("en")
    assert "SQRT 的第 1 个参数应为数字,实际是日期" in refused.value.text("zh")
