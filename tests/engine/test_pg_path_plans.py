"""On PostgreSQL, every query path with a big table behind it reads it through an index: scoped lists (own and
department), kanban columns and sums, related lists, pickers' type-ahead, the approval inbox, reports and exports.

Each case runs the real engine path, captures the statements it sent (tests.pg.statements) and EXPLAINs those that
read the big table: none may scan the whole table (a Seq Scan not cut short by a LIMIT) or sort it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.records.model import Actor, Filter, Query
from engine.reports.model import DimensionDef, MeasureDef, ReportDef
from engine.reports.run import compute_report
from tests.conftest import add_user, open_workspace
from tests.pg import explain, statements

pytestmark = pytest.mark.postgres

ADMIN = Actor(user_id=1, is_admin=True)
DEALS = 60_000
CLIENTS = 40_000
TASKS = 60_000
APP = "app: crm\nlabel: CRM\nforms: [client, deal]\n"
CLIENT = """form: client
label: Client
title: name
search: [name, code]
fields:
  - {id: name, type: text, label: Name}
  - {id: code, type: text, label: Code}
  - {id: region, type: select, label: Region, options: [east, west, north, south]}
  - {id: level, type: select, label: Level, options: [a, b, c]}
  - {id: city, type: text, label: City}
  - {id: phone, type: text, label: Phone}
"""
DEAL = """form: deal
label: Deal
title: name
fields:
  - {id: name, type: text, label: Name}
  - {id: stage, type: select, label: Stage, options: [new, qualified, proposal, won, lost], index: true}
  - {id: amount, type: money, label: Amount}
  - {id: close_date, type: date, label: Close, index: true}
  - {id: client, type: relation, to: client, label: Client}
  - {id: client_region, type: lookup, path: client.region, label: Region}
  - {id: client_level, type: lookup, path: client.level, label: Level}
  - {id: client_city, type: lookup, path: client.city, label: City}
  - {id: client_phone, type: lookup, path: client.phone, label: Phone}
kanban: {sum: amount}
"""
ROLES = """roles:
  - id: rep
    label: Rep
    permissions:
      deal: {operations: [read, export], scope: own}
      client: {operations: [read], scope: all}
  - id: manager
    label: Manager
    permissions:
      deal: {operations: [read, export], scope: department}
      client: {operations: [read], scope: all}
"""
FILL_CLIENTS = """
INSERT INTO f_crm_client (created_at, updated_at, created_by, updated_by, owner_id, version, name, code, region,
                          level, city, phone)
SELECT now(), now(), 1, 1, 1 + i % 40, 1, 'Client ' || i, 'C' || i, (ARRAY['east','west','north','south'])[1 + i % 4],
       (ARRAY['a','b','c'])[1 + i % 3], 'City ' || (i % 300), '555-' || i
FROM generate_series(1, {n}) AS i
"""
FILL_DEALS = """
INSERT INTO f_crm_deal (created_at, updated_at, created_by, updated_by, owner_id, department_id, version, name, stage,
                        amount, close_date, client)
SELECT now() - make_interval(secs => {n} - i), now() - make_interval(secs => {n} - i), 1, 1,
       CASE WHEN i % 10 = 3 THEN NULL ELSE 1 + i % 40 END, 1 + i % 20, 1, 'Deal ' || i,
       CASE WHEN i % 10 = 7 THEN NULL ELSE (ARRAY['new','qualified','proposal','won','lost'])[1 + i % 5] END,
       i % 1000, DATE '2024-01-01' + (i % 700), 1 + (i * 7) % {clients}
FROM generate_series(1, {n}) AS i
"""
FLOW = """workflow: approve
label: Approve
form: deal
nodes:
  - {id: start, type: start, label: Submit, next: check}
  - {id: check, type: approval, label: Check, assignees: [{users: [admin]}], next: end}
  - {id: end, type: end, label: End}
"""
FILL_WORKFLOW = """
INSERT INTO wf_instances (id, workflow, def_hash, form, record_id, title, status, submitter_id, current, path,
                          started_at, row_version)
SELECT i, 'approve', '{digest}', 'deal', i, 'Deal ' || i, CASE WHEN i % 9 = 0 THEN 'running' ELSE 'approved' END,
       1 + i % 40, '[]', '[]', now(), 1
FROM generate_series(1, {n}) AS i;
INSERT INTO wf_tasks (instance_id, node, user_id, kind, status, created_at, acted_at, acted_by, round, read_at)
SELECT i, 'check', 1 + i % 400, CASE WHEN i % 7 = 0 THEN 'cc' ELSE 'approval' END,
       CASE WHEN i % 9 = 0 THEN 'open' ELSE 'done' END, now(), now() - make_interval(secs => i),
       CASE WHEN i % 9 = 0 THEN NULL ELSE 1 + i % 400 END, 1, CASE WHEN i % 2 = 0 THEN now() END
FROM generate_series(1, {n}) AS i;
SELECT setval(pg_get_serial_sequence('wf_instances', 'id'), {n});
"""


@pytest.fixture(scope="module")
def big(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A CRM on PostgreSQL with DEALS deals over CLIENTS clients, TASKS inbox entries, and three users: the admin
    (1), a rep who reads their own deals (2) and a manager who reads their department's (3, department 1)."""
    from engine.org.departments import add_department
    from engine.storage.database import write_transaction
    from tests.conftest import _fresh_pg_database

    ws = open_workspace(_fresh_pg_database(postgres_server), Path(tmp_path_factory.mktemp("ws")))
    ws.publish({"crm/app.yaml": APP, "crm/forms/client.yaml": CLIENT, "crm/forms/deal.yaml": DEAL,
                "roles.yaml": ROLES})
    add_user(ws, "admin")
    ws.publish({"workflows/approve.yaml": FLOW})
    with write_transaction(ws.engine) as conn:
        dept = add_department(conn, 1, {"zh": "华东", "en": "East"}, None, None, ws.now())
        digest = ws.workflows.snapshots.store(conn, ws.definitions.workflows["approve"])
    ws.rep = Actor(user_id=add_user(ws, "rep", admin=False, roles=("rep",)), roles=frozenset({"rep"}))
    manager = add_user(ws, "manager", admin=False, roles=("manager",), department_id=dept)
    ws.manager = Actor(user_id=manager, department_id=dept, roles=frozenset({"manager"}))
    with ws.engine.begin() as conn:
        for sql in (FILL_CLIENTS.format(n=CLIENTS), FILL_DEALS.format(n=DEALS, clients=CLIENTS),
                    FILL_WORKFLOW.format(n=TASKS, digest=digest)):
            for part in filter(str.strip, sql.split(";")):
                conn.execute(sa.text(part))
    with ws.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("f_crm_client", "f_crm_deal", "wf_instances", "wf_tasks"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    yield ws
    ws.close()


BIG = ("f_crm_deal", "f_crm_client", "wf_tasks", "wf_instances")


def nodes(plan: dict[str, Any], under_limit: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every node of a plan with whether a Limit above it cuts the reading short."""
    limited = under_limit or plan["Node Type"] == "Limit"
    yield plan, limited
    for child in plan.get("Plans", ()):
        if plan["Node Type"] in ("Sort", "Incremental Sort", "Aggregate", "HashAggregate", "Hash"):
            limited = False  # these read all their input before giving a row
        yield from nodes(child, limited)


def full_reads(plan: dict[str, Any]) -> list[str]:
    """Whole-table reads of a big table: a Seq Scan no LIMIT stops, or a Sort with a Seq Scan beneath it."""
    found = []
    for node, limited in nodes(plan):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG and not limited:
            found.append(f"Seq Scan on {node['Relation Name']}")
        if node["Node Type"] in ("Sort", "Incremental Sort") and any(
                n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG for n, _ in nodes(node)):
            found.append(f"Sort {' '.join(node['Sort Key'])} over a Seq Scan")
    return found


def plans_of(ws: Any, run: Callable[[Any], object]) -> list[tuple[str, dict[str, Any]]]:
    """(statement, plan) of every statement `run` sent that reads a big table."""
    with statements(ws.engine) as seen:
        run(ws)
    read = [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT") and any(t in s for t in BIG)]
    assert read, "the path read no big table"
    return [(s, explain(ws.engine, s, p)) for s, p in read]


def _kanban(ws: Any, actor: Actor) -> None:
    ws.records.totals(actor, "deal", Query(), "stage", "amount")
    ws.records.list(actor, "deal", Query(filters=(Filter("stage", "eq", "won"),), with_children=False))


def _report(actor: Actor, filters: tuple[Filter, ...] = ()) -> Callable[[Any], object]:
    report = ReportDef(id="r", app="crm", label="r", form="deal", filters=filters,
                       dimensions=(DimensionDef("stage", "stage"),),
                       measures=(MeasureDef("amount", aggregate="sum", field="amount"),
                                 MeasureDef("deals", aggregate="count")))
    return lambda ws: compute_report(ws.records, actor(ws) if callable(actor) else actor, report)


def _export(who: Callable[[Any], Actor], query: Query) -> Callable[[Any], object]:
    from engine.records.export import start_export

    def run(ws: Any) -> None:
        export = start_export(ws.records, who(ws), "deal", query, "en")
        for _ in zip(range(600), export.rows):  # the first page and the next one, read by cursor
            pass
    return run


def _rep(ws: Any) -> Actor:
    return ws.rep  # type: ignore[no-any-return]


def _manager(ws: Any) -> Actor:
    return ws.manager  # type: ignore[no-any-return]


CASES: dict[str, Callable[[Any], object]] = {
    "own scope, first page": lambda ws: ws.records.list(ws.rep, "deal", Query(with_children=False)),
    "own scope, by created_at": lambda ws: ws.records.list(ws.rep, "deal", Query(sort=(("created_at", True),))),
    "own scope, stage filter": lambda ws: ws.records.list(ws.rep, "deal", Query(
        filters=(Filter("stage", "eq", "won"),))),
    "department scope, first page": lambda ws: ws.records.list(ws.manager, "deal", Query()),
    "department scope, by stage": lambda ws: ws.records.list(ws.manager, "deal", Query(sort=(("stage", False),))),
    "list with a capped count": lambda ws: ws.records.list(ADMIN, "deal", Query(with_total=True, total_cap=10_000)),
    "own scope with a capped count": lambda ws: ws.records.list(ws.rep, "deal", Query(with_total=True,
                                                                                      total_cap=10_000)),
    "kanban, own scope": lambda ws: _kanban(ws, ws.rep),
    "kanban, department scope": lambda ws: _kanban(ws, ws.manager),
    "kanban, admin filtered by close date": lambda ws: ws.records.totals(ADMIN, "deal", Query(
        filters=(Filter("close_date", "between", ["2024-03-01", "2024-03-31"]),)), "stage", "amount"),
    "related list of a client": lambda ws: ws.records.list(ADMIN, "deal", Query(
        filters=(Filter("client", "eq", 77),), sort=(("created_at", True),), limit=10, with_total=True)),
    "picker type-ahead": lambda ws: ws.records.list(ADMIN, "client", Query(search="Client 1234", limit=20,
                                                                         sort=(("name", False),))),
    "picker type-ahead, by code": lambda ws: ws.records.list(ADMIN, "client", Query(search="c3999", limit=20)),
    "page with lookups": lambda ws: ws.records.list(ADMIN, "deal", Query(limit=50)),
    "inbox to do": lambda ws: ws.workflows.inbox(Actor(user_id=5), "todo"),
    "inbox done": lambda ws: ws.workflows.inbox(Actor(user_id=5), "done"),
    "inbox started": lambda ws: ws.workflows.inbox(Actor(user_id=5), "started"),
    "inbox cc": lambda ws: ws.workflows.inbox(Actor(user_id=5), "cc"),
    "inbox search": lambda ws: ws.workflows.inbox(Actor(user_id=5), "todo", search="Deal 9"),
    "inbox counts": lambda ws: ws.workflows.counts(Actor(user_id=5)),
    "report, own scope": _report(_rep),
    "report, department scope": _report(_manager),
    "report, admin by close date": _report(ADMIN, (Filter("close_date", "between", ["2024-03-01", "2024-03-31"]),)),
    "export, own scope": _export(_rep, Query()),
    "export, admin filtered by stage": _export(lambda ws: ADMIN, Query(filters=(Filter("stage", "eq", "won"),))),
}


SCOPED_SORTS = {  # case → (the list, the index that holds its order under the scope)
    "own scope, by stage": (lambda ws: ws.records.list(ws.rep, "deal", Query(sort=(("stage", False),))),
                            "ix_f_crm_deal_owner_id_stage"),
    "own scope, by stage desc": (lambda ws: ws.records.list(ws.rep, "deal", Query(sort=(("stage", True),))),
                                 "ix_f_crm_deal_owner_id_stage"),
    "own scope, by created_at": (lambda ws: ws.records.list(ws.rep, "deal", Query(sort=(("created_at", True),))),
                                 "ix_f_crm_deal_owner_id_created_at"),
    "department scope, by close date": (lambda ws: ws.records.list(ws.manager, "deal", Query(
        sort=(("close_date", False),))), "ix_f_crm_deal_department_id_close_date"),
    "department scope, by created_at": (lambda ws: ws.records.list(ws.manager, "deal", Query(
        sort=(("created_at", True),))), "ix_f_crm_deal_department_id_created_at"),
}


@pytest.mark.parametrize("case", list(SCOPED_SORTS))
def test_a_scoped_list_is_read_in_order_from_an_index_with_the_scope_column(big: Any, case: str) -> None:
    """The roles scope deals by owner and by department: a sorted first page is read from the index on (scope
    column, sort key, id), starting at the reader's own entries, whatever share of the table they are and however
    old: walking the sort key's own index and skipping other people's rows can read the whole table first."""
    run, index = SCOPED_SORTS[case]
    (statement, plan), = [(s, p) for s, p in plans_of(big, run) if "ORDER BY" in s]
    kinds = [n["Node Type"] for n, _ in nodes(plan)]
    assert not {"Sort", "Incremental Sort"} & set(kinds), (case, kinds, json.dumps(plan)[:2000])
    assert index in [n.get("Index Name") for n, _ in nodes(plan)], (case, json.dumps(plan)[:2000])


@pytest.mark.parametrize("case", list(CASES))
def test_no_path_reads_a_whole_big_table(big: Any, case: str) -> None:
    found = plans_of(big, CASES[case])
    bad = [(s[:300], full_reads(p), json.dumps(p)[:1500]) for s, p in found if full_reads(p)]
    assert bad == [], (case, bad)


def test_a_page_with_a_relation_and_four_lookups_is_one_statement(big: Any) -> None:
    """50 rows with a relation and 4 lookups through it: the page's statement joins the clients once."""
    with statements(big.engine) as seen:
        page = big.records.list(ADMIN, "deal", Query(limit=50, with_children=False))
    assert len(page.records) == 50 and all(r["client_region"] for r in page.records)
    assert len(seen) == 1, [s[:200] for s, _ in seen]
    assert seen[0][0].count("JOIN f_crm_client") == 1
    for record in page.records[:5]:  # the same values as the record page's batched read
        assert {k: record[k] for k in LOOKUPS} == {k: big.records.get(ADMIN, "deal", record.id)[k] for k in LOOKUPS}
    (statement, plan), = plans_of(big, lambda ws: ws.records.list(ADMIN, "deal", Query(limit=50)))
    assert full_reads(plan) == [], json.dumps(plan)[:2000]


LOOKUPS = ("client_region", "client_level", "client_city", "client_phone")
