"""On PostgreSQL, list pages are read from an index in their order: no plan sorts the whole table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.records.model import Actor, Filter, Query
from engine.records.query import decode_cursor
from tests.conftest import open_workspace
from tests.pg import statements

pytestmark = pytest.mark.postgres

ACTOR = Actor(user_id=1, is_admin=True)
ROWS = 30_000
STAGES = ["new", "qualified", "proposal", "won", "lost"]
APP = "app: crm\nlabel: CRM\nforms: [deal]\n"
DEAL = """form: deal
label: Deal
fields:
  - {id: name, type: text, label: Name}
  - {id: stage, type: select, label: Stage, options: [new, qualified, proposal, won, lost], index: true}
  - {id: amount, type: money, label: Amount}
  - {id: code, type: text, label: Code, unique: true}
"""


@pytest.fixture(scope="module")
def big(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A workspace on PostgreSQL whose deal form holds ROWS records (some without stage, owner or code)."""
    from tests.conftest import _fresh_pg_database

    ws = open_workspace(_fresh_pg_database(postgres_server), Path(tmp_path_factory.mktemp("ws")))
    ws.publish({"crm/app.yaml": APP, "crm/forms/deal.yaml": DEAL})
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows = [{"name": f"Deal {i}", "stage": None if i % 10 == 7 else STAGES[i % 5], "amount": i % 1000,
             "code": None if i % 3 else f"D{i}", "owner_id": None if i % 10 == 3 else 1 + i % 40,
             "created_at": start + timedelta(seconds=i // 2), "updated_at": start + timedelta(seconds=i),
             "created_by": 1, "updated_by": 1, "version": 1} for i in range(ROWS)]
    table = ws.records.runtime("deal").main
    with ws.engine.begin() as conn:
        conn.execute(table.insert(), rows)
    with ws.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"ANALYZE {table.name}")
    yield ws
    ws.close()


def page_plan(ws: Any, query: Query) -> dict[str, Any]:
    """The plan of the page query the record service runs for `query` (EXPLAIN of the very statement)."""
    with statements(ws.engine) as seen:
        ws.records.list(ACTOR, "deal", query)
    statement, parameters = next((s, p) for s, p in seen if "ORDER BY" in s and "f_crm_deal" in s)
    with ws.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def whole_table_sorts(plan: dict[str, Any]) -> list[str]:
    """Sort nodes with a sequential scan of the table below them."""
    return [" ".join(n["Sort Key"]) for n in nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")
            and any(m["Node Type"] == "Seq Scan" for m in nodes(n))]


def scans(plan: dict[str, Any]) -> list[str]:
    return [f"{n['Node Type']} {n.get('Index Name', '')}".strip() for n in nodes(plan) if "Scan" in n["Node Type"]]


CASES = {
    "default": Query(),
    "created_at desc": Query(sort=(("created_at", True),)),
    "stage desc (nullable, indexed)": Query(sort=(("stage", True),)),
    "stage asc (nullable, indexed)": Query(sort=(("stage", False),)),
    "owner desc (nullable)": Query(sort=(("owner_id", True),)),
    "code asc (unique)": Query(sort=(("code", False),)),
    "stage=won by created_at": Query(filters=(Filter("stage", "eq", "won"),), sort=(("created_at", True),)),
    "owner=7 by default": Query(filters=(Filter("owner_id", "eq", 7),)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_first_page_is_read_in_index_order(big: Any, case: str) -> None:
    plan = page_plan(big, CASES[case])
    assert whole_table_sorts(plan) == [], (case, scans(plan), json.dumps(plan, indent=1)[:3000])
    assert any(s.startswith("Index") for s in scans(plan)), (case, scans(plan))


@pytest.mark.parametrize("case", ["default", "created_at desc", "stage asc (nullable, indexed)"])
def test_next_page_starts_from_the_cursor_in_the_index(big: Any, case: str) -> None:
    query = CASES[case]
    cursor = big.records.list(ACTOR, "deal", query).next_cursor
    while decode_cursor(cursor)[0] is None:  # past the empty values, which come first
        cursor = big.records.list(ACTOR, "deal", Query(sort=query.sort, after=cursor, limit=1000)).next_cursor
    plan = page_plan(big, Query(filters=query.filters, sort=query.sort, after=cursor))
    assert whole_table_sorts(plan) == [], (case, scans(plan))
    index_conds = [n.get("Index Cond", "") for n in nodes(plan)]
    assert any("ROW(" in c or "id <" in c for c in index_conds), (case, index_conds)


@pytest.mark.parametrize("case", [name for name, query in CASES.items() if not query.filters])
def test_pages_walk_every_record_once_in_order(big: Any, case: str) -> None:
    """Keyset pages over the whole order give each record once, empty values first (SQLite's order)."""
    query = CASES[case]
    name, desc = query.sort[0] if query.sort else ("id", True)
    seen: list[Any] = []
    after = None
    while True:
        page = big.records.list(ACTOR, "deal", Query(sort=query.sort, after=after, limit=1000))
        seen.extend(({**r.values, **r.system()}[name], r.id) for r in page.records)
        after = page.next_cursor
        if after is None:
            break
    assert len({i for _, i in seen}) == len(seen) == ROWS
    ordered = sorted(seen, key=lambda kv: (kv[0] is not None, kv[0] if kv[0] is not None else 0, kv[1]),
                     reverse=desc)
    assert seen == ordered
