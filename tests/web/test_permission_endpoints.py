"""The permission matrix over every endpoint that reads or writes records: for a user in each data scope (own,
department, department tree, all, condition, none) every HTML page, fragment and API call shows and changes
exactly the customers the scope reaches, and the hidden field `email` never leaves the server — on SQLite and
PostgreSQL.

The endpoints are enumerated from the application's routes: a new `/apps/{app}/{form}…` or `/api/v1/…` route
without a case here fails `test_every_record_endpoint_has_a_case`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.web.permission_files import export, export_status, import_steps, printing, upload
from tests.web.permission_probe import ADMIN, SCOPES, Probe, org  # noqa: F401  (org: a fixture)
from tests.web.permission_reads import (api_aggregates, api_reads, batch_value, calendar, delete_view, filter_input,
    gallery, kanban, list_page, new_form, picker, preview, record_page, saved_view, stage_report, workflow_reads)
from tests.web.permission_writes import (api_bulk_patch, api_bulk_post, api_collection_post, api_delete, api_patch,
    api_restore, batch, comments, delete_post, edit_post, kanban_move, new_post, restore_post, stage_move,
    workflow_writes)
from tests.web.test_web import sign_in
from web.app import create_app


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
