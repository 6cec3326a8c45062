"""Schema sync: plans computed from definitions, applied atomically, additive, removals kept until purged."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.definitions.loader import read_directory
from engine.errors import DefinitionError
from engine.records.model import Actor
from engine.storage.sync import purge_columns
from tests.conftest import FIXTURES

ACTOR = Actor(user_id=1, is_admin=True)


def columns(ws, table):  # type: ignore[no-untyped-def]
    return {c["name"] for c in sa.inspect(ws.engine).get_columns(table)}


def test_install_creates_tables_and_plan_is_then_empty(shop) -> None:  # type: ignore[no-untyped-def]
    tables = set(sa.inspect(shop.engine).get_table_names())
    assert {"f_sales_customer", "f_sales_order", "f_sales_order__items", "users", "meta_documents"} <= tables
    assert {"name", "grade", "tags", "owner_id", "version", "deleted_at"} <= columns(shop, "f_sales_customer")
    assert "order_count" not in columns(shop, "f_sales_customer")  # rollups are not stored
    assert shop.plan().is_empty(), shop.plan().describe()


def order_text(shop):  # type: ignore[no-untyped-def]
    return shop.sources()["shop/sales/forms/order.yaml"]


def test_adding_a_field_adds_a_column_and_keeps_data(shop) -> None:  # type: ignore[no-untyped-def]
    customer = shop.records.create(ACTOR, "customer", {"name": "x"})
    text = shop.sources()["shop/sales/forms/customer.yaml"]
    text += "  - {id: region, type: text, label: 区域, index: true}\n"
    result = shop.publish({"shop/sales/forms/customer.yaml": text})
    # On PostgreSQL the new text field is searched, so it also gets its trigram (search) index.
    search = [("add_index", "ix_f_sales_customer_region_trgm")] if shop.engine.dialect.name == "postgresql" else []
    assert [(s.action, s.name) for s in result.plan.changes] == [
        ("add_column", "region"), ("add_index", "ix_f_sales_customer_region"), *search]
    assert "region" in columns(shop, "f_sales_customer")
    assert shop.records.get(ACTOR, "customer", customer.id).values["name"] == "x"
    assert shop.plan().is_empty()


def test_removing_a_field_keeps_its_column_until_purged(shop) -> None:  # type: ignore[no-untyped-def]
    shop.records.create(ACTOR, "customer", {"name": "x", "notes": "keep me"})
    text = shop.sources()["shop/sales/forms/customer.yaml"]
    text = "\n".join(l for l in text.splitlines() if "id: notes" not in l) + "\n"
    result = shop.publish({"shop/sales/forms/customer.yaml": text})
    search = [("drop_index", "ix_f_sales_customer_notes_trgm")] if shop.engine.dialect.name == "postgresql" else []
    assert [(s.action, s.name) for s in result.plan.steps] == [*search, ("keep_column", "notes")]
    with shop.engine.connect() as conn:
        assert conn.execute(sa.text("select notes from f_sales_customer")).scalar() == "keep me"
    # Undo: adding the field back finds its data again.
    shop.publish({"shop/sales/forms/customer.yaml": shop.sources()["shop/sales/forms/customer.yaml"] +
                  "  - {id: notes, type: textarea, label: 备注}\n"})
    assert shop.records.list(ACTOR, "customer").records[0].values["notes"] == "keep me"
    shop.publish({"shop/sales/forms/customer.yaml": text})
    purge_columns(shop.engine, shop.definitions, "f_sales_customer", ["notes"])
    assert "notes" not in columns(shop, "f_sales_customer")
    assert shop.records.list(ACTOR, "customer").records[0].values["name"] == "x"


def test_a_broken_publish_changes_nothing(shop) -> None:  # type: ignore[no-untyped-def]
    before = shop.sources()
    text = before["shop/sales/forms/customer.yaml"] + "  - {id: region, type: txt, label: 区域}\n"
    with pytest.raises(DefinitionError) as info:
        shop.publish({"shop/sales/forms/customer.yaml": text})
    assert "did you mean 'text'" in str(info.value)
    assert shop.sources() == before
    assert "region" not in columns(shop, "f_sales_customer")


def test_documents_are_versioned(shop) -> None:  # type: ignore[no-untyped-def]
    from engine.storage.documents import history_of

    path = "shop/sales/forms/product.yaml"
    shop.publish({path: shop.sources()[path] + "  - {id: sku, type: text, label: SKU}\n"}, comment="add sku")
    with shop.engine.connect() as conn:
        versions = history_of(conn, path)
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["comment"] == "add sku"


def test_same_sources_publish_nothing(shop) -> None:  # type: ignore[no-untyped-def]
    sources = {f"shop/{k}": v for k, v in read_directory(FIXTURES / "shop").items()}
    result = shop.publish(sources)
    assert result.changed == [] and result.plan.is_empty()


def test_changing_a_field_type_alters_the_column_and_keeps_values(shop) -> None:  # type: ignore[no-untyped-def]
    shop.records.create(ACTOR, "customer", {"name": "x", "email": "a@b.cn"})
    path = "shop/sales/forms/customer.yaml"
    text = shop.sources()[path].replace("{id: email, type: email,", "{id: email, type: textarea,")
    result = shop.publish({path: text})
    assert [(s.action, s.name) for s in result.plan.changes] == [("alter_column", "email")]
    assert shop.records.list(ACTOR, "customer").records[0].values["email"] == "a@b.cn"
    assert shop.plan().is_empty()


def test_migrate_plan_and_apply_from_the_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from engine.cli import main

    home = str(tmp_path / "ws")
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--home", home]).exit_code == 0
    ws_url = f"sqlite:///{tmp_path / 'ws' / 'formwork.db'}"
    engine = sa.create_engine(ws_url)
    with engine.begin() as conn:  # a table the definitions no longer know about is reported, never dropped
        conn.exec_driver_sql("CREATE TABLE f_old_gone (id INTEGER PRIMARY KEY)")
    out = runner.invoke(main, ["migrate", "--plan", "--home", home]).output
    assert "keep_table" in out and "f_old_gone" in out and "up to date" in out
    out = runner.invoke(main, ["migrate", "--apply", "--home", home]).output
    assert "f_old_gone" in out
    assert "f_old_gone" in sa.inspect(engine).get_table_names()


def test_making_a_field_unique_refuses_existing_duplicates(shop) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        shop.records.create(ACTOR, "customer", {"name": f"c{_}", "email": "same@example.com"})
    source = shop.sources()["shop/sales/forms/customer.yaml"]
    unique = source.replace("{id: email, type: email,", "{id: email, type: email, unique: true,")
    with pytest.raises(DefinitionError) as caught:
        shop.publish({"shop/sales/forms/customer.yaml": unique})
    assert "cannot be made unique: the value 'same@example.com' is used by 2 records" in str(caught.value)
    assert "unique: true" not in shop.sources()["shop/sales/forms/customer.yaml"].split("email")[1][:30]
    first = shop.records.list(ACTOR, "customer").records[0]
    shop.records.update(ACTOR, "customer", first.id, {"email": "other@example.com"}, version=first.version)
    result = shop.publish({"shop/sales/forms/customer.yaml": unique})
    assert [s.action for s in result.plan.changes] == ["add_index"]
    with pytest.raises(Exception) as taken:
        shop.records.create(ACTOR, "customer", {"name": "c3", "email": "same@example.com"})
    assert "already exists" in str(taken.value)


def sort_index(ws, table, name):  # type: ignore[no-untyped-def]
    found = {ix["name"]: ix for ix in sa.inspect(ws.engine).get_indexes(table)}[name]
    return found["column_names"], found.get("column_sorting", {})


@pytest.mark.postgres
def test_postgres_sort_indexes_hold_the_list_order_and_old_ones_are_rebuilt(pg_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import open_workspace

    ws = open_workspace(pg_url, tmp_path / "ws")
    try:
        check_postgres_sort_indexes(ws)
    finally:
        ws.close()


def check_postgres_sort_indexes(ws) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import publish_directory

    publish_directory(ws, FIXTURES / "shop", "shop/")
    owner = "ix_f_sales_customer_owner_id"
    assert sort_index(ws, "f_sales_customer", owner) == (["owner_id", "id"], {"owner_id": ("nulls_first",)})
    assert sort_index(ws, "f_sales_customer", "ix_f_sales_customer_created_at") == (["created_at", "id"], {})
    with ws.engine.begin() as conn:  # a database synced before sort indexes held the NULLS order
        conn.exec_driver_sql(f"DROP INDEX {owner}")
        conn.exec_driver_sql(f"CREATE INDEX {owner} ON f_sales_customer (owner_id)")
    assert [(s.action, s.name) for s in ws.plan().changes] == [("drop_index", owner), ("add_index", owner)]
    assert ws.plan().changes[1].detail == "owner_id NULLS FIRST, id"
    ws.migrate()
    assert ws.plan().is_empty(), ws.plan().describe()
    assert sort_index(ws, "f_sales_customer", owner) == (["owner_id", "id"], {"owner_id": ("nulls_first",)})


def test_sqlite_sort_indexes_keep_their_shape(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import open_workspace, publish_directory

    ws = open_workspace(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "ws")
    try:
        publish_directory(ws, FIXTURES / "shop", "shop/")
        assert sort_index(ws, "f_sales_customer", "ix_f_sales_customer_owner_id") == (["owner_id"], {})
        assert sort_index(ws, "f_sales_customer", "ix_f_sales_customer_created_at") == (["created_at"], {})
    finally:
        ws.close()
