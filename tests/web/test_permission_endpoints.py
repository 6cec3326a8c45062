"""The permission matrix over every endpoint that reads or writes records: for a user in each data scope (own,
department, department tree, all, condition, none) every HTML page, fragment and API call shows and changes
exactly the customers the scope reaches, and the hidden field `email` never leaves the server — on SQLite and
PostgreSQL.

The endpoints are enumerated from the application's routes: a new `/apps/{app}/{form}…` or `/api/v1/…` route
without a case here fails `test_every_record_endpoint_has_a_case`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from engine import imports
from engine.org.users import create_department
from engine.records.model import Actor, Query
from engine.storage.database import write_transaction
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

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


# -- reads -----------------------------------------------------------------------------------------------------
def list_page(p: Probe) -> None:
    for query in ("", "?q=Co", "?sort=name&dir=asc"):
        p.seen(f"list{query}", p.client.get(C + query).text)
    p.seen("list?q=secret", p.client.get(C + "?q=secret").text, set())
    probe = p.client.get(C + "?f=email:contains:secret")
    if probe.status_code not in (400, 403):
        p.leaks.append(f"list filtered on the hidden e-mail: status {probe.status_code}")


def filter_input(p: Probe) -> None:
    p.seen("filter-input (order → customer)", p.client.get("/apps/sales/order/filter-input?nf=customer&no=in").text)
    hidden = p.client.get(C + "/filter-input?nf=email&no=contains").text
    if 'value="contains"' in hidden:
        p.leaks.append("filter-input offers the hidden e-mail")


def saved_view(p: Probe) -> None:
    response = p.post(C + "/views", {"name": "mine", "query": "q=Co"})
    if response.status_code >= 500 or SECRET in response.text:
        p.leaks.append(f"save view: status {response.status_code}")


def delete_view(p: Probe) -> None:
    response = p.post(C + "/views/999999/delete")
    if response.status_code >= 500:
        p.leaks.append(f"delete view: status {response.status_code}")


def batch_value(p: Probe) -> None:
    if 'name="email"' in p.client.get(C + "/batch-value?_field=email").text:
        p.leaks.append("batch-value renders an input for the hidden e-mail")


def kanban(p: Probe) -> None:
    p.seen("kanban", p.client.get(C + "/kanban?by=grade").text)


def calendar(p: Probe) -> None:
    p.seen("calendar", p.client.get(C + "/calendar?by=since").text)


def gallery(p: Probe) -> None:
    p.seen("gallery", p.client.get(C + "/gallery?by=photo").text)
    p.seen("gallery?q=secret", p.client.get(C + "/gallery?by=photo&q=secret").text, set())


def new_form(p: Probe) -> None:
    page = p.client.get(C + "/new")
    if 'name="email"' in page.text:
        p.leaks.append("new customer form has the hidden e-mail")
    for name, record_id in p.customers.items():  # a relation pre-filled from the URL shows only a reachable title
        p.seen(f"new order ?customer= {name}", p.client.get(f"/apps/sales/order/new?customer={record_id}").text,
               {name} & p.expected)


def picker(p: Probe) -> None:
    for q in ("", "Co", "secret"):
        text = p.client.get(f"/apps/sales/order/pick/customer?q={q}").text
        p.seen(f"picker ?q={q}", text, set() if q == "secret" else None)


def upload(p: Probe) -> None:
    response = p.post(C + "/upload/photo", files={"file": ("dot.png", PNG, "image/png")})
    if (response.status_code == 201) != (p.scope != "none"):
        p.leaks.append(f"upload to a customer photo: status {response.status_code}")


def export(p: Probe) -> None:
    for fmt in ("csv", "xlsx"):
        response = p.client.get(f"{C}/export?format={fmt}")
        text = response.content.decode("utf-8-sig") if fmt == "csv" else _xlsx_text(response.content)
        p.seen(f"export {fmt}", text)
        if p.scope == "none" and response.status_code != 403:
            p.leaks.append(f"export {fmt}: status {response.status_code}")
    p.seen("api export", p.client.get("/api/v1/customer/export").content.decode("utf-8-sig"))


def export_status(p: Probe) -> None:
    """Another user's (here: a made-up) export job: never found, never a file or a count."""
    for token in ("0" * 32, "not-a-token"):
        response = p.client.get(f"/api/v1/exports/{token}")
        if response.status_code not in (401, 403, 404):
            p.leaks.append(f"export job {token}: status {response.status_code}")
        p.seen("export job status", response.text, expected=set())


def import_steps(p: Probe) -> None:
    """The import's steps: refused without rights; the hidden e-mail never offered in the mapping, named in the
    template or accepted when posted; a duplicate key updates only a record in scope (a dry run: nothing written);
    a made-up import is never found."""
    allowed = p.scope != "none"
    shown = p.client.get(C + "/import")
    template = p.client.get(C + "/import/template.xlsx")
    upload = p.post(C + "/import", files={"file": ("c.csv", "名称,邮箱\nAlpha Co,a-secret@x.com\n".encode(), "text/csv")})
    if not allowed:
        for step, got in (("page", shown), ("template", template), ("upload", upload)):
            if got.status_code != 403:
                p.leaks.append(f"import {step} without the right: status {got.status_code}")
        return
    header = _xlsx_text(template.content)
    if shown.status_code != 200 or "名称" not in header or "邮箱" in header:
        p.leaks.append(f"import template names {header!r} (page status {shown.status_code})")
    mapping_url = upload.headers.get("location", "")
    choices = p.client.get(mapping_url).text
    if upload.status_code != 303 or 'value="email"' in choices:
        p.leaks.append(f"import mapping offers the hidden e-mail (upload status {upload.status_code})")
    hidden = p.post(mapping_url, {"map.0": "name", "map.1": "email", "sheet": ""})
    if hidden.status_code != 400:
        p.leaks.append(f"import mapped to the hidden e-mail: status {hidden.status_code}")
    chosen = p.post(mapping_url, {"map.0": "name", "map.1": "", "key": "name", "on_duplicate": "update",
                                  "dry_run": "1", "sheet": ""})
    preview = p.client.get(chosen.headers.get("location", ""))
    p.seen("import preview", preview.text, {"Alpha Co"})
    started = p.post(mapping_url.rsplit("/", 1)[0] + "/start")
    job_url = started.headers.get("location", "")
    p.ws.jobs.drain()
    job = imports.find(p.ws, job_url.rsplit("/", 1)[-1])
    updated = job.updated if job is not None else -1
    if updated != int("Alpha Co" in p.expected):
        p.leaks.append(f"import by key: updated {updated} (start status {started.status_code})")
    for made_up in ("0" * 32, "not-a-token"):
        for method, tail in (("GET", ""), ("GET", "/report"), ("POST", "/resume")):
            url = f"{C}/imports/{made_up}{tail}"
            got = p.post(url) if method == "POST" else p.client.get(url)
            if got.status_code not in (403, 404):
                p.leaks.append(f"import {made_up}{tail}: status {got.status_code}")


def _xlsx_text(content: bytes) -> str:
    import io

    import openpyxl

    if not content.startswith(b"PK"):
        return content.decode("utf-8", "replace")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)


def record_page(p: Probe) -> None:
    for name, record_id in p.customers.items():
        response = p.client.get(f"{C}/{record_id}")
        p.status("record page", response.status_code, name, (200,))
        p.seen(f"record page {name}", response.text, {name} & p.expected)
        edit = p.client.get(f"{C}/{record_id}/edit")
        p.status("edit form", edit.status_code, name, (200,))
        if 'name="email"' in edit.text or SECRET in edit.text:
            p.leaks.append(f"edit form {name} shows the hidden e-mail")
    p.seen("related customers on the product page", p.client.get(f"/apps/sales/product/{p.pen}").text)


def api_reads(p: Probe) -> None:
    listed = p.client.get("/api/v1/customer?limit=50")
    p.seen("api list", listed.text)
    if listed.status_code == 200 and any("email" in r["values"] for r in listed.json()["records"]):
        p.leaks.append("api list has the e-mail key")
    p.seen("api list ?q=secret", p.client.get("/api/v1/customer?q=secret").text, set())
    for name, record_id in p.customers.items():
        got = p.client.get(f"/api/v1/customer/{record_id}")
        p.status("api get", got.status_code, name, (200,))
        p.seen(f"api get {name}", got.text, {name} & p.expected)
        if got.status_code == 200 and got.json()["values"]["order_count"] != 1:  # a fact of the record: the admin's
            p.leaks.append(f"api get {name}: the order_count rollup is not the customer's one order")  # order counts


def api_aggregates(p: Probe) -> None:
    """Group-by and aggregate count exactly the scope's customers; the hidden e-mail is neither grouped by,
    filtered on nor searched."""
    reads = p.scope != "none"
    by_name = p.client.get("/api/v1/customer/groupby", params={"field": ["name", "grade"]})
    p.seen("api groupby", by_name.text)
    total = p.client.get("/api/v1/customer/aggregate", params={"measure": ["count", "sum:rating"]})
    counted = total.json()["values"]["count"] if total.status_code == 200 else None
    if counted != (len(p.expected) if reads else None) or total.status_code != (200 if reads else 403):
        p.leaks.append(f"api aggregate: status {total.status_code}, count {counted}")
    hidden = ({"field": "email"}, {"field": "grade", "filter": '[{"field": "email", "op": "contains", "value": "s"}]'})
    for params in hidden:
        got = p.client.get("/api/v1/customer/groupby", params=params)
        if got.status_code != 403 or SECRET in got.text:
            p.leaks.append(f"api groupby over the hidden e-mail: status {got.status_code}")
    searched = p.client.get("/api/v1/customer/aggregate", params={"q": "secret"})
    if reads and searched.json()["values"]["count"] != 0:
        p.leaks.append("api aggregate ?q=secret counts customers by their hidden e-mail")


def preview(p: Probe) -> None:
    for name, record_id in p.customers.items():
        response = p.post(f"{C}/preview?record={record_id}", {"name": name})
        p.status("preview of a stored record", response.status_code, name, (200,))
        if SECRET in response.text:
            p.leaks.append(f"preview {name} shows the hidden e-mail")
        order = p.post("/apps/sales/order/preview", {"customer": str(record_id)})  # lookups and formulas
        p.seen(f"order preview with customer {name}", order.text, {name} & p.expected)


def stage_report(p: Probe) -> None:
    """The stage report counts and lists (every customer is stalled a month on) only the customers in scope."""
    clock = p.ws.clock
    saved, clock.now = clock.now, clock.now + timedelta(days=30)
    try:
        response = p.client.get(C + "/pipelines/customer_grades")
    finally:
        clock.now = saved
    p.status("stage report", response.status_code, None, (200,))
    if response.status_code == 200:
        p.seen("stage report", response.text)
        total = re.search(r"<tfoot><tr><th[^>]*>[^<]*</th><td>(\d+)</td>", response.text)
        if total is None or int(total.group(1)) != len(p.expected):
            p.leaks.append(f"stage report: total {total.group(1) if total else '?'}, expected {len(p.expected)}")


# -- writes ----------------------------------------------------------------------------------------------------
def stage_move(p: Probe) -> None:
    before = p.versions()
    for name, record_id in p.customers.items():
        response = p.post(f"{C}/{record_id}/stage", {"pipeline": "customer_grades", "stage": "A",
                                                     "version": before[name]})
        p.status("stage move", response.status_code, name, (303,))
        if SECRET in response.text:
            p.leaks.append(f"stage move {name} answers with the e-mail")
    p.changed("stage move", before)


def kanban_move(p: Probe) -> None:
    before = p.versions()
    for name, record_id in p.customers.items():
        response = p.post(C + "/kanban/move?by=grade", {"id": record_id, "version": before[name], "value": "A"})
        p.status("kanban move", response.status_code, name, (200,))
    p.changed("kanban move", before)


def batch(p: Probe) -> None:
    before = p.versions()
    rows = [f"{record_id}:{before[name]}" for name, record_id in p.customers.items()]
    response = p.post(C + "/batch", {"_ids": rows, "_field": "rating", "rating": "3", "_action": "edit"})
    p.seen("batch edit notice", p.client.get(C).text if response.status_code == 303 else response.text)
    p.changed("batch edit", before)
    rows = [f"{record_id}:{v}" for name, record_id in p.customers.items() for n, v in p.versions().items() if n == name]
    response = p.post(C + "/batch", {"_ids": rows, "_action": "delete"})
    p.seen("batch delete notice", p.client.get(C).text if response.status_code == 303 else response.text, set())
    if p.deleted() != p.expected:
        p.leaks.append(f"batch delete: deleted {sorted(p.deleted())}")
    p.admin_restore_all()


def new_post(p: Probe) -> None:
    response = p.post(C + "/new", {"name": "Zulu Co", "email": "zulu" + SECRET + "mail.example",
                                   "submit_token": "zulu-1"})
    if response.status_code not in (403, 422) or p.ws.records.list(ADMIN, "customer", Query(search="Zulu")).records:
        p.leaks.append(f"new customer with a hidden e-mail: status {response.status_code}")
    response = p.post(C + "/new", {"name": "Zulu Co", "submit_token": "zulu-2"})
    zulu = p.ws.records.list(ADMIN, "customer", Query(search="Zulu")).records
    if (response.status_code == 303) != (p.scope != "none") or any(r.values.get("email") for r in zulu):
        p.leaks.append(f"new customer: status {response.status_code}")
    for record in zulu:
        p.ws.records.delete(ADMIN, "customer", record.id)
        p.ws.records.purge(ADMIN, "customer", record.id)
    for name, record_id in p.customers.items():  # an order may only point at a customer the user can see
        response = p.post("/apps/sales/order/new", {"customer": str(record_id), "submit_token": f"order-{name}"})
        if (response.status_code == 303) != (name in p.expected):
            p.leaks.append(f"new order pointing at {name}: status {response.status_code}")
        if name not in p.expected:  # the refused form is shown again: without the customer's name
            p.seen(f"new order pointing at {name}", response.text, set())


def comments(p: Probe) -> None:
    for name, record_id in p.customers.items():
        p.status("comment", p.post(f"{C}/{record_id}/comments", {"body": "hello"}).status_code, name, (303,))


def edit_post(p: Probe) -> None:
    before = p.versions()
    for name, record_id in p.customers.items():
        response = p.post(f"{C}/{record_id}/edit", {"version": before[name], "name": name, "grade": "A"})
        p.status("edit post", response.status_code, name, (303,))
    p.changed("edit post", before)


def delete_post(p: Probe) -> None:
    for name, record_id in p.customers.items():
        p.status("delete", p.post(f"{C}/{record_id}/delete").status_code, name, (303,))
    if p.deleted() != p.expected:
        p.leaks.append(f"delete: deleted {sorted(p.deleted())}")
    p.admin_delete_rest()
    p.seen("recycle bin", p.client.get(C + "/bin").text)
    p.admin_restore_all()


def restore_post(p: Probe) -> None:
    p.admin_delete_rest()
    for name, record_id in p.customers.items():
        p.status("restore", p.post(f"{C}/{record_id}/restore").status_code, name, (303,))
    p.admin_restore_all()


def api_collection_post(p: Probe) -> None:
    created = p.api("POST", "/api/v1/customer", json={"values": {"name": "Yankee Co", "email": "y" + SECRET}})
    if created.status_code not in (403, 422):
        p.leaks.append(f"api create with the hidden e-mail: status {created.status_code}")
    for name, record_id in p.customers.items():
        order = p.api("POST", "/api/v1/order", json={"values": {"customer": record_id}})
        if (order.status_code == 201) != (name in p.expected):
            p.leaks.append(f"api order pointing at {name}: status {order.status_code}")
        p.seen(f"api order pointing at {name}", order.text, {name} & p.expected)


def api_patch(p: Probe) -> None:
    before = p.versions()
    for name, record_id in p.customers.items():
        response = p.api("PATCH", f"/api/v1/customer/{record_id}", json={"version": before[name],
                                                                        "values": {"notes": "patched"}})
        p.status("api patch", response.status_code, name, (200,))
        if SECRET in response.text:
            p.leaks.append(f"api patch {name} answers with the e-mail")
    p.changed("api patch", before)


def api_bulk_post(p: Probe) -> None:
    created = p.api("POST", "/api/v1/customer/bulk", json={"records": [{"values": {"name": "Zulu Co",
                                                                                   "email": "z" + SECRET}}]})
    if created.status_code not in (403, 422) and "unknown_field" not in created.text:
        p.leaks.append(f"api bulk create with the hidden e-mail: status {created.status_code}")
    if SECRET in created.text:
        p.leaks.append("api bulk create answers with the e-mail")
    orders = [{"values": {"customer": record_id}} for record_id in p.customers.values()]
    response = p.api("POST", "/api/v1/order/bulk", json={"records": orders})
    if response.status_code != 403:  # the roles may create orders, but not import them
        p.leaks.append(f"api bulk orders without the import right: status {response.status_code}")


def api_bulk_patch(p: Probe) -> None:
    before = p.versions()
    changes = [{"id": p.customers[name], "version": before[name], "values": {"notes": "bulk"}} for name in NAMES]
    response = p.api("PATCH", "/api/v1/customer/bulk", json={"records": changes})
    if SECRET in response.text:
        p.leaks.append("api bulk patch answers with the e-mail")
    if p.scope == "none":
        p.status("api bulk patch", response.status_code, None, (200,))
        return
    written = {NAMES[r["index"]] for r in response.json()["results"] if "record" in r}
    if written != p.expected:
        p.leaks.append(f"api bulk patch: wrote {sorted(written)}, expected {sorted(p.expected)}")
    p.changed("api bulk patch", before)


def api_delete(p: Probe) -> None:
    for name, record_id in p.customers.items():
        p.status("api delete", p.api("DELETE", f"/api/v1/customer/{record_id}").status_code, name, (204,))
    if p.deleted() != p.expected:
        p.leaks.append(f"api delete: deleted {sorted(p.deleted())}")
    p.admin_restore_all()


def api_restore(p: Probe) -> None:
    p.admin_delete_rest()
    for name, record_id in p.customers.items():
        response = p.api("POST", f"/api/v1/customer/{record_id}/restore")
        p.status("api restore", response.status_code, name, (200,))
        if SECRET in response.text:
            p.leaks.append(f"api restore {name} answers with the e-mail")
    p.admin_restore_all()


def workflow_reads(p: Probe) -> None:  # the shop has no workflow: readable records say so, others are refused
    for name, record_id in p.customers.items():
        got = p.client.get(f"/api/v1/customer/{record_id}/workflow")
        p.status("api workflow", got.status_code, name, (422,))
        p.seen(f"api workflow {name}", got.text, set())
    p.seen("api inbox", p.client.get("/api/v1/inbox/todo").text, set())
    for url in ("/api/v1/workflow/tasks/1", "/api/v1/workflow/tasks/999999"):
        if p.client.get(url).status_code != 404:
            p.leaks.append(f"{url}: a task that does not exist")


def workflow_writes(p: Probe) -> None:
    before = p.versions()
    for name, record_id in p.customers.items():
        p.status("api workflow submit", p.api("POST", f"/api/v1/customer/{record_id}/workflow/submit",
                                               json={}).status_code, name, (422,))
        p.status("panel submit", p.post(f"{C}/{record_id}/workflow/submit").status_code, name, (422,))
    if p.api("POST", "/api/v1/workflow/tasks/1/approve", json={}).status_code != 404:
        p.leaks.append("approve of a task that does not exist")
    if p.versions() != before:
        p.leaks.append("a workflow call changed a record")


def printing(p: Probe) -> None:
    """The print sheet and the PDF of a record exist exactly for records in scope; the sheet never prints the
    hidden e-mail; a list's PDF of ticked records is refused as a whole when one of them is out of scope."""
    for name, record_id in p.customers.items():
        sheet = p.client.get(f"{C}/{record_id}/print")
        p.status("print sheet", sheet.status_code, name, (200,))
        p.seen(f"print sheet {name}", sheet.text, {name} & p.expected)
        pdf = p.client.get(f"{C}/{record_id}/print.pdf")
        p.status("print pdf", pdf.status_code, name, (200,))
        if pdf.status_code == 200 and not pdf.content.startswith(b"%PDF"):
            p.leaks.append(f"print pdf {name}: not a PDF")
    mine = [f"{p.customers[n]}:1" for n in sorted(p.expected)]  # ticked rows say id:version
    if mine:
        got = p.post(f"{C}/print.pdf", {"_ids": mine})
        p.status("list pdf of the records in scope", got.status_code, None, (200,))
    outside = [f"{i}:1" for n, i in p.customers.items() if n not in p.expected]
    if outside:
        got = p.post(f"{C}/print.pdf", {"_ids": [*mine, *outside]})
        if got.status_code not in (403, 404):
            p.leaks.append(f"list pdf with records out of scope: status {got.status_code}")


CASES: dict[tuple[str, str], Callable[[Probe], None]] = {
    ("/apps/{app}/{form}", "GET"): list_page,
    ("/apps/{app}/{form}/filter-input", "GET"): filter_input,
    ("/apps/{app}/{form}/views", "POST"): saved_view,
    ("/apps/{app}/{form}/views/{view_id:int}/delete", "POST"): delete_view,
    ("/apps/{app}/{form}/batch-value", "GET"): batch_value,
    ("/apps/{app}/{form}/kanban", "GET"): kanban,
    ("/apps/{app}/{form}/calendar", "GET"): calendar,
    ("/apps/{app}/{form}/gallery", "GET"): gallery,
    ("/apps/{app}/{form}/new", "GET"): new_form,
    ("/apps/{app}/{form}/pick/{field}", "GET"): picker,
    ("/apps/{app}/{form}/upload/{field}", "POST"): upload,
    ("/apps/{app}/{form}/export", "GET"): export,
    ("/apps/{app}/{form}/{id}", "GET"): record_page,
    ("/apps/{app}/{form}/{id}/edit", "GET"): record_page,
    ("/apps/{app}/{form}/{id}/print", "GET"): printing,
    ("/apps/{app}/{form}/{id}/print.pdf", "GET"): printing,
    ("/apps/{app}/{form}/print.pdf", "POST"): printing,
    ("/api/v1/{form}", "GET"): api_reads,
    ("/api/v1/{form}/{id}", "GET"): api_reads,
    ("/api/v1/{form}/export", "GET"): export,
    ("/api/v1/{form}/groupby", "GET"): api_aggregates,
    ("/api/v1/{form}/aggregate", "GET"): api_aggregates,
    ("/api/v1/exports/{token}", "GET"): export_status,
    ("/apps/{app}/{form}/import", "GET"): import_steps,
    ("/apps/{app}/{form}/import", "POST"): import_steps,
    ("/apps/{app}/{form}/import/template.xlsx", "GET"): import_steps,
    ("/apps/{app}/{form}/import/{stage}/mapping", "GET"): import_steps,
    ("/apps/{app}/{form}/import/{stage}/mapping", "POST"): import_steps,
    ("/apps/{app}/{form}/import/{stage}/preview", "GET"): import_steps,
    ("/apps/{app}/{form}/import/{stage}/start", "POST"): import_steps,
    ("/apps/{app}/{form}/imports/{token}", "GET"): import_steps,
    ("/apps/{app}/{form}/imports/{token}/report", "GET"): import_steps,
    ("/apps/{app}/{form}/imports/{token}/resume", "POST"): import_steps,
    ("/apps/{app}/{form}/preview", "POST"): preview,
    ("/apps/{app}/{form}/kanban/move", "POST"): kanban_move,
    ("/apps/{app}/{form}/pipelines/{pipeline}", "GET"): stage_report,
    ("/apps/{app}/{form}/{id}/stage", "POST"): stage_move,
    ("/apps/{app}/{form}/batch", "POST"): batch,
    ("/apps/{app}/{form}/new", "POST"): new_post,
    ("/apps/{app}/{form}/{id}/comments", "POST"): comments,
    ("/apps/{app}/{form}/{id}/edit", "POST"): edit_post,
    ("/apps/{app}/{form}/{id}/delete", "POST"): delete_post,
    ("/apps/{app}/{form}/bin", "GET"): delete_post,  # the bin is checked after the user's deletions
    ("/apps/{app}/{form}/{id}/restore", "POST"): restore_post,
    ("/api/v1/{form}", "POST"): api_collection_post,
    ("/api/v1/{form}/{id}", "PATCH"): api_patch,
    ("/api/v1/{form}/bulk", "POST"): api_bulk_post,
    ("/api/v1/{form}/bulk", "PATCH"): api_bulk_patch,
    ("/api/v1/{form}/{id}", "DELETE"): api_delete,
    ("/api/v1/{form}/{id}/restore", "POST"): api_restore,
    ("/api/v1/{form}/{id}/workflow", "GET"): workflow_reads,
    ("/api/v1/inbox/{box}", "GET"): workflow_reads,
    ("/api/v1/workflow/tasks/{task}", "GET"): workflow_reads,
    ("/api/v1/{form}/{id}/workflow/{op}", "POST"): workflow_writes,
    ("/apps/{app}/{form}/{id}/workflow/{op}", "POST"): workflow_writes,
    ("/api/v1/workflow/tasks/{task}/{action}", "POST"): workflow_writes,
}


def record_routes(app: Any) -> set[tuple[str, str]]:
    """(path, method) of every route under /apps/{app}/{form} and /api/v1/."""
    found = set()
    for route in app.routes:
        if not isinstance(route, Route) or not route.path.startswith(("/apps/{app}/{form}", "/api/v1/")):
            continue
        methods = route.methods or {m.upper() for m in ("get", "post", "put", "patch", "delete")
                                    if callable(getattr(route.endpoint, m, None))}
        found.update((route.path, m) for m in methods if m != "HEAD")
    return found


def test_every_record_endpoint_has_a_case(shop) -> None:  # type: ignore[no-untyped-def]
    routes = record_routes(create_app(shop))
    assert ("/api/v1/{form}/export", "GET") in routes and ("/apps/{app}/{form}", "GET") in routes
    missing = sorted(routes - set(CASES))
    assert not missing, f"record endpoints without a permission case: {missing}"


@pytest.mark.parametrize("scope", list(SCOPES))
def test_each_scope_sees_exactly_its_records_everywhere(org, scope: str) -> None:  # type: ignore[no-untyped-def]
    ws, users, customers, pen = org
    # the stage report is read a month on: a session long enough to outlive that jump of the clock
    ws.settings.values.update(session_idle_minutes=str(60 * 24 * 365), session_lifetime_days="365")
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        csrf = sign_in(client, f"u_{scope}")
        probe = Probe(client, scope, customers, pen, csrf)
        for case in dict.fromkeys(CASES.values()):  # each case once, reads before writes (the table's order)
            try:
                case(probe)
            except Exception as exc:  # a crash is a finding too; keep probing the other endpoints
                probe.leaks.append(f"{case.__name__}: {type(exc).__name__}: {exc}")
    assert not probe.leaks, "\n".join(probe.leaks)


def test_a_relation_may_only_point_at_readable_records(org) -> None:  # type: ignore[no-untyped-def]
    from engine.errors import RecordInvalid

    ws, users, customers, _ = org
    rep = Actor(user_id=users["own"], roles=frozenset({"by_own"}))
    mine = ws.records.create(rep, "order", {"customer": customers["Alpha Co"]})
    assert mine.values["label"].endswith("Alpha Co")
    with pytest.raises(RecordInvalid) as refused:  # as if the customer did not exist: nothing about it shows
        ws.records.create(rep, "order", {"customer": customers["Bravo Co"]})
    assert refused.value.errors["customer"][0].code == "not_found" and "Bravo" not in str(refused.value)
    with pytest.raises(RecordInvalid):
        ws.records.update(rep, "order", mine.id, {"customer": customers["Echo Co"]}, version=mine.version)
    preview = ws.records.preview(rep, "order", {"customer": customers["Echo Co"]})
    assert preview.values.get("customer") is None and "Echo" not in json.dumps(preview.values, default=str)
    moved = ws.records.update(ADMIN, "order", mine.id, {"customer": customers["Delta Co"]}, version=mine.version)
    kept = ws.records.update(rep, "order", moved.id, {"discount": "5"}, version=moved.version)
    assert kept.values["customer"] == customers["Delta Co"]  # a reference someone else made stays
