"""The user who probes every record endpoint in tests/web/test_permission_endpoints.py: the shop with a customer
role in each data scope, five customers with a hidden e-mail, and the checks a case reports its findings with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.org.users import create_department
from engine.records.model import Actor, Query
from engine.storage.database import write_transaction
from tests.conftest import add_user


ADMIN = Actor(user_id=1, is_admin=True)
NAMES = ("Alpha Co", "Bravo Co", "Charlie Co", "Delta Co", "Echo Co")
SECRET = "-secret@"  # every customer's hidden e-mail contains it
SCOPES = {  # the role's scope → the customers it reaches
    "own": {"Alpha Co"},
    "department": {"Alpha Co", "Bravo Co"},
    "department_tree": {"Alpha Co", "Bravo Co", "Charlie Co", "Delta Co"},
    "all": set(NAMES),
    "condition": {"Charlie Co"},
    "none": set(),
}
OTHERS = """      order: {operations: [create, read, update], scope: own}
      product: {operations: [read], scope: all}
"""
CUSTOMER = "      customer: {operations: [create, read, update, delete, export, import], scope: %s, " \
           "fields: {email: hidden}}\n"


def roles_document() -> str:
    """One role per scope over the customer form (e-mail hidden); every role may use its own orders."""
    lines = ["roles:"]
    for scope in SCOPES:
        lines += [f"  - id: by_{scope}", f"    label: {scope}", "    permissions:"]
        if scope == "condition":
            lines.append(CUSTOMER.rstrip("\n") % '{condition: "grade = $me.grade"}')
        elif scope != "none":
            lines.append(CUSTOMER.rstrip("\n") % scope)
        lines.append(OTHERS.rstrip("\n"))
    return "\n".join(lines) + "\n"


GRADES = """pipeline: customer_grades
label: Grades
form: customer
field: grade
stages: [{stage: A, stall_days: 1}, {stage: B, stall_days: 1}, {stage: C, stall_days: 1}]
"""


@pytest.fixture
def org(shop):  # type: ignore[no-untyped-def]
    """Sales over East and West, and Support; a user per scope; five customers owned across the departments,
    each with an admin's order and an interest in the Pen."""
    shop.publish({"shop/roles.yaml": roles_document(), "shop/pipelines/customer_grades.yaml": GRADES})
    with write_transaction(shop.engine) as conn:
        sales = create_department(conn, "sales", "Sales")
        east = create_department(conn, "east", "East", parent_id=sales)
        west = create_department(conn, "west", "West", parent_id=sales)
        support = create_department(conn, "support", "Support")
    users = {
        "own": add_user(shop, "u_own", admin=False, roles=("by_own",), department_id=east),
        "department": add_user(shop, "u_department", admin=False, roles=("by_department",), department_id=east),
        "department_tree": add_user(shop, "u_department_tree", admin=False, roles=("by_department_tree",),
                                    department_id=sales),
        "all": add_user(shop, "u_all", admin=False, roles=("by_all",), department_id=support),
        "condition": add_user(shop, "u_condition", admin=False, roles=("by_condition",), department_id=support,
                              attributes={"grade": "A"}),
        "none": add_user(shop, "u_none", admin=False, roles=("by_none",), department_id=east),
    }
    owners = [users["own"], add_user(shop, "east_peer", admin=False, department_id=east),
              add_user(shop, "west_peer", admin=False, department_id=west),
              add_user(shop, "manager", admin=False, department_id=sales),
              add_user(shop, "outsider", admin=False, department_id=support)]
    pen = shop.records.create(ADMIN, "product", {"name": "Pen", "price": "2.00"}).id
    customers = {}
    for name, owner, grade in zip(NAMES, owners, "BCABC"):
        record = shop.records.create(ADMIN, "customer", {
            "name": name, "owner": owner, "grade": grade, "email": f"{name.split()[0].lower()}{SECRET}mail.example",
            "interests": [pen]})
        shop.records.update(ADMIN, "customer", record.id, {"notes": "seen by the admin",  # history has the e-mail
                                                          "email": f"new{SECRET}mail.example"}, version=record.version)
        shop.records.create(ADMIN, "order", {"customer": record.id})
        customers[name] = record.id
    return shop, users, customers, pen


@dataclass
class Probe:
    """One signed-in user probing every endpoint; `leaks` collects what they saw or did beyond their scope."""

    client: TestClient
    scope: str
    customers: dict[str, int]
    pen: int
    csrf: str
    leaks: list[str] = field(default_factory=list)

    @property
    def expected(self) -> set[str]:
        return SCOPES[self.scope]

    @property
    def ws(self) -> Any:
        return self.client.app.state.ws  # type: ignore[attr-defined]

    def seen(self, endpoint: str, text: str, expected: set[str] | None = None) -> None:
        """The customers named in a response must be exactly `expected` (default: the scope's), and no e-mail."""
        names = {n for n in NAMES if n in text}
        wanted = self.expected if expected is None else expected
        if names != wanted:
            self.leaks.append(f"{endpoint}: shows {sorted(names)}, expected {sorted(wanted)}")
        if SECRET in text:
            self.leaks.append(f"{endpoint}: shows a hidden e-mail")

    def status(self, endpoint: str, got: int, name: str | None, ok: tuple[int, ...]) -> None:
        """A record-level call succeeds (`ok`) exactly for records in scope; otherwise 404, or 403 without rights."""
        allowed = name in self.expected if name else bool(self.expected)
        refused = (403,) if self.scope == "none" else (404,)
        if (allowed and got not in ok) or (not allowed and got not in refused):
            self.leaks.append(f"{endpoint}{' ' + name if name else ''}: status {got}")

    def versions(self) -> dict[str, int]:
        live = self.ws.records.list(ADMIN, "customer", Query(limit=50)).records
        return {r.values["name"]: r.version for r in live}

    def changed(self, endpoint: str, before: dict[str, int]) -> None:
        """The customers whose version moved since `before` must be exactly those in scope."""
        after = self.versions()
        moved = {n for n in NAMES if after.get(n) != before.get(n)}
        if moved != self.expected:
            self.leaks.append(f"{endpoint}: changed {sorted(moved)}, expected {sorted(self.expected)}")

    def deleted(self) -> set[str]:
        gone = self.ws.records.list(ADMIN, "customer", Query(deleted=True, limit=50)).records
        return {r.values["name"] for r in gone}

    def admin_delete_rest(self) -> None:
        for name, record_id in self.customers.items():
            if name not in self.deleted():
                self.ws.records.delete(ADMIN, "customer", record_id)

    def admin_restore_all(self) -> None:
        for name in self.deleted():
            self.ws.records.restore(ADMIN, "customer", self.customers[name])

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, follow_redirects=False, **kw)

    def api(self, method: str, url: str, **kw: Any) -> Any:
        return self.client.request(method, url, headers={"x-csrf-token": self.csrf}, **kw)


C = "/apps/sales/customer"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
