"""Permission cases that write: forms and API calls that create, change, move, delete and restore records
(tests/web/test_permission_endpoints.py)."""

from __future__ import annotations

from engine.records.model import Query
from tests.web.permission_probe import ADMIN, C, NAMES, SECRET, Probe


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
