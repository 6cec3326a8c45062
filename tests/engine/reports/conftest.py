"""A sales workspace for report tests: clients, deals spread over months and owners, and a department tree
(Sales over East and West) with reps and a manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.org.users import NewUser, create_department, create_user
from engine.records.model import Actor
from engine.storage.database import write_transaction
from tests.conftest import add_user, publish_directory

FIXTURE = Path(__file__).parents[2] / "fixtures" / "reports"
STAGES = ("qualify", "proposal", "won", "lost")
TAGS = (["key"], ["key", "renewal"], None, ["partner", "renewal", "key"], ["renewal"])  # several values, or none


@dataclass
class Sales:
    ws: object
    admin: Actor
    actors: dict[str, Actor]
    departments: dict[str, int]


@pytest.fixture
def sales(fresh_workspace) -> Sales:  # type: ignore[no-untyped-def]
    ws = fresh_workspace
    publish_directory(ws, FIXTURE)
    admin_id = add_user(ws, "admin")
    admin = Actor(user_id=admin_id, is_admin=True)
    with write_transaction(ws.engine) as conn:
        top = create_department(conn, "sales", "销售部")
        east = create_department(conn, "east", "华东", parent_id=top)
        west = create_department(conn, "west", "华西", parent_id=top)
        people = {"east_rep": (east, "rep"), "east_rep2": (east, "rep"), "west_rep": (west, "rep"),
                  "manager": (top, "manager"), "east_manager": (east, "manager")}
        ids = {name: create_user(conn, NewUser(name, name.replace("_", " ").title(), department_id=dept,
                                               roles=(role,)), ws.now())
               for name, (dept, role) in people.items()}
    actors = {name: Actor(user_id=ids[name], department_id=people[name][0], roles=frozenset({people[name][1]}))
              for name in people}
    system = Actor.system_actor()
    clients = [ws.records.create(system, "client", {"name": name, "industry": industry, "revenue": revenue}).id
               for name, industry, revenue in (("Acme", "it", 900), ("Shop", "retail", 300),
                                               ("Power", "energy", 500), ("Misc", None, None), ("Byte", "it", 100))]
    owners = [ids["east_rep"], ids["west_rep"], ids["east_rep2"], ids["manager"], ids["east_manager"]]
    start = datetime(2023, 10, 3, 2, 0, tzinfo=timezone.utc)
    for i in range(48):
        closed = start + timedelta(days=9 * i, hours=(i * 7) % 24) if i % 6 else None
        ws.records.create(system, "deal", {
            "name": f"Deal {i}", "client": clients[i % 5] if i % 7 else None, "stage": STAGES[i % 4] if i % 11 else None,
            "amount": 1000 + (i * 137) % 5000 if i % 9 else None, "cost": 100 + i, "quantity": i % 5, "discount": (i % 4) * 5,
            "opened_on": (date(2023, 9, 1) + timedelta(days=8 * i)).isoformat(),
            "closed_at": closed.isoformat() if closed else None, "owner": owners[i % 5],
            "tags": TAGS[i % len(TAGS)], "team": [owners[(i + k) % 5] for k in range(i % 3)] or None,
        })
    # Across the month boundary in Asia/Shanghai (UTC+8): 23:30 on 31 January and 00:30 on 1 February, local.
    for name, moment in (("Late January", "2024-01-31T15:30:00Z"), ("Early February", "2024-01-31T16:30:00Z")):
        ws.records.create(system, "deal", {"name": name, "stage": "won", "amount": 10, "closed_at": moment,
                                           "owner": ids["west_rep"], "opened_on": "2024-01-01"})
    return Sales(ws, admin, actors, {"sales": top, "east": east, "west": west})
