"""A removed form keeps its tables (its subforms' too) until purged; purging refuses a table a form still uses."""

from __future__ import annotations

import pytest

from engine.records.model import Actor
from engine.removed_forms import PurgeRefused, purge_form, removed_forms
from engine.storage.database import write_transaction
from engine.storage.sync import form_tables_present, purge_tables

VISIT = ("form: visit\nlabel: {zh: 拜访, en: Visit}\nfields:\n  - {id: name, type: text, label: {zh: 名称, en: Name}}\n"
         "  - {id: lines, type: subform, label: {zh: 明细, en: Lines}, fields: [{id: note, type: text, "
         "label: {zh: 备注, en: Note}}]}\n")
PATH = "shop/sales/forms/visit.yaml"


def test_a_removed_form_is_listed_restored_and_purged(shop) -> None:  # type: ignore[no-untyped-def]
    app = shop.sources()["shop/sales/app.yaml"]
    shop.publish({PATH: VISIT})
    shop.records.create(Actor(user_id=1, is_admin=True), "visit", {"name": "x", "lines": [{"note": "n"}]}, via="web")
    shop.publish({PATH: None, "shop/sales/app.yaml": app})
    [removed] = removed_forms(shop, "shop/sales", "sales")
    assert (removed.form_id, removed.last_text, removed.tables) == ("visit", VISIT,
                                                                     ("f_sales_visit", "f_sales_visit__lines"))
    with write_transaction(shop.engine) as conn, pytest.raises(ValueError, match="still belongs"):
        purge_tables(conn, shop.definitions, ["f_sales_customer"])
    assert purge_form(shop, removed, actor_id=1) == ["f_sales_visit", "f_sales_visit__lines"]
    with write_transaction(shop.engine) as conn:
        assert form_tables_present(conn, "f_sales_visit") == []
    with pytest.raises(PurgeRefused):
        purge_form(shop, removed, actor_id=1)
    shop.publish({PATH: VISIT})  # defined again: an empty table, and its old purge entry cannot drop it
    with pytest.raises(PurgeRefused):
        purge_form(shop, removed, actor_id=1)
