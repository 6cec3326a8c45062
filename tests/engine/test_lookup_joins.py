"""Lookups in a list page: one relation away they are read by the page's own statement (a join per relation), the
rest (two relations away, through a many-valued relation) by one batched read per hop — the same values as the
record page computes, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from engine.records.model import Actor, Query
from tests.pg import statements

ADMIN = Actor(user_id=1, is_admin=True)
APP = "app: crm\nlabel: CRM\nforms: [region, client, deal]\n"
REGION = """form: region
label: Region
fields:
  - {id: name, type: text, label: Name}
  - {id: head, type: text, label: Head}
"""
CLIENT = """form: client
label: Client
fields:
  - {id: name, type: text, label: Name}
  - {id: grade, type: select, label: Grade, options: [A, B]}
  - {id: city, type: text, label: City}
  - {id: since, type: date, label: Since}
  - {id: credit, type: money, label: Credit}
  - {id: region, type: relation, to: region, label: Region}
"""
DEAL = """form: deal
label: Deal
fields:
  - {id: name, type: text, label: Name}
  - {id: client, type: relation, to: client, label: Client}
  - {id: watchers, type: relation_many, to: client, label: Watchers}
  - {id: grade, type: lookup, path: client.grade, label: Grade}
  - {id: city, type: lookup, path: client.city, label: City}
  - {id: since, type: lookup, path: client.since, label: Since}
  - {id: credit, type: lookup, path: client.credit, label: Credit}
  - {id: head, type: lookup, path: client.region.head, label: Region head}
  - {id: watcher_cities, type: lookup, path: watchers.city, label: Watcher cities}
"""
LOOKUPS = ("grade", "city", "since", "credit", "head", "watcher_cities")


@pytest.fixture
def crm(fresh_workspace):  # type: ignore[no-untyped-def]
    from tests.conftest import add_user

    ws = fresh_workspace
    add_user(ws, "admin")
    ws.publish({"crm/app.yaml": APP, "crm/forms/region.yaml": REGION, "crm/forms/client.yaml": CLIENT,
                "crm/forms/deal.yaml": DEAL})
    east = ws.records.create(ADMIN, "region", {"name": "East", "head": "Wang"})
    clients = [ws.records.create(ADMIN, "client", {"name": f"c{i}", "grade": "AB"[i % 2], "city": f"City {i}",
                                                    "since": f"2024-01-0{i + 1}", "credit": f"{i}00.50",
                                                    "region": east.id if i % 2 else None}).id for i in range(4)]
    ws.records.create_many(ADMIN, "deal", [{"name": f"d{i}", "client": clients[i % 4] if i % 5 else None,
                                            "watchers": clients[:i % 3]} for i in range(12)])
    ws.records.delete(ADMIN, "client", clients[3])
    return ws


def test_one_relation_away_is_joined_and_the_rest_batched(crm) -> None:  # type: ignore[no-untyped-def]
    with statements(crm.engine) as seen:
        page = crm.records.list(ADMIN, "deal", Query(limit=50, with_children=False))
    selects = [s for s, _ in seen if s.lstrip().upper().startswith("SELECT")]
    # the page with client joined once; client → region for `head` (a second hop); watchers' clients (batched)
    assert selects[0].count("JOIN f_crm_client") == 1 and len(selects) <= 3, [s[:160] for s in selects]
    assert len(page.records) == 12
    for record in page.records:
        alone = crm.records.get(ADMIN, "deal", record.id)
        assert {k: record[k] for k in LOOKUPS} == {k: alone[k] for k in LOOKUPS}, record.id
    by_name = {r["name"]: r for r in page.records}
    assert by_name["d1"]["grade"] == "B" and by_name["d1"]["head"] == "Wang" and str(by_name["d1"]["credit"]) == "100.50"
    assert by_name["d3"]["grade"] is None  # its client is in the recycle bin
    assert by_name["d5"]["city"] is None  # no client


def test_a_page_of_one_hop_lookups_is_a_single_statement(crm) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(line for line in DEAL.splitlines() if "head" not in line and "watcher" not in line) + "\n"
    crm.publish({"crm/forms/deal.yaml": text})
    with statements(crm.engine) as seen:
        page = crm.records.list(ADMIN, "deal", Query(limit=50, with_children=False))
    assert len([s for s, _ in seen if s.lstrip().upper().startswith("SELECT")]) == 1
    assert sorted({r["city"] for r in page.records if r["city"]}) == ["City 0", "City 1", "City 2"]


def test_a_long_page_reads_lookups_by_id_instead(crm) -> None:  # type: ignore[no-untyped-def]
    """Past JOIN_ROWS (an export's pages) the related records are read by one batched IN per hop, same values."""
    short = crm.records.list(ADMIN, "deal", Query(limit=50, with_children=False)).records
    with statements(crm.engine) as seen:
        long = crm.records.list(ADMIN, "deal", Query(limit=500, with_children=False)).records
    assert not any("JOIN" in s for s, _ in seen)
    assert [{k: r[k] for k in LOOKUPS} for r in long] == [{k: r[k] for k in LOOKUPS} for r in short]
