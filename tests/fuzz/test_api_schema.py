"""schemathesis over the workflow API and the inbound webhook, on the CRM with its sample data (the shop fixture
of tests/web/test_api_fuzz.py has no workflow): generated requests as the sales rep, with her API token, never
get a 5xx and every answer matches the document. The webhook is not in /api/openapi.json (it is not the API: its
URL is its credential), so the test describes it in a fragment of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, seed, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from engine.automation.webhooks import inbound_token
from engine.definitions.loader import load_sources, read_directory
from engine.org.tokens import create_token
from engine.storage.database import write_transaction
from tests.fuzz.site import REP, SECRET, FuzzSite
from web.api.openapi import document

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # hypothesis-jsonschema internals

CRM = Path(__file__).parents[2] / "apps_templates" / "crm"
HOOK = "lead_web_intake"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}}


def webhook_path() -> dict[str, Any]:
    """POST /hooks/{automation}/{token}: a JSON object or array in, 202 with the job key out."""
    return {"post": {
        "operationId": "receiveWebhook", "security": [],
        "parameters": [
            {"name": "automation", "in": "path", "required": True, "schema": {"type": "string", "enum": [HOOK]}},
            {"name": "token", "in": "path", "required": True,
             "schema": {"type": "string", "enum": [inbound_token(SECRET, HOOK)]}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": ["object", "array"]}}}},
        "responses": {
            "202": {"description": "accepted", "content": {"application/json": {"schema": {
                "type": "object", "required": ["accepted", "job"],
                "properties": {"accepted": {"const": True}, "job": {"type": "string"}}}}}},
            "400": _error("not a JSON object or array, or beyond the limits"), "404": _error("no such webhook"),
            "409": _error("the automation is switched off"), "413": _error("too large")}}}


def _document() -> dict[str, Any]:
    defs = load_sources({f"crm/{k}": v for k, v in read_directory(CRM).items()}).raise_for_problems()
    doc = document(defs)
    doc["paths"] = {p: item for p, item in doc["paths"].items() if "/workflow" in p or "/inbox/" in p}
    doc["paths"]["/hooks/{automation}/{token}"] = webhook_path()
    return doc


schema = schemathesis.openapi.from_dict(_document())  # at import time: see tests/web/test_api_fuzz.py


@pytest.fixture(scope="module")
def rep_token(site: FuzzSite) -> str:
    with write_transaction(site.ws.engine) as conn:
        user = conn.execute(sa.text("SELECT id FROM users WHERE username = :u"), {"u": REP}).scalar_one()
        return str(create_token(conn, int(user), "fuzz", site.ws.now()).token)


def test_the_fuzzed_document_covers_the_workflow_api_and_the_webhook() -> None:
    paths = set(_document()["paths"])
    assert {"/api/v1/inbox/{box}", "/api/v1/workflow/tasks/{task}/{action}", "/api/v1/contract/{id}/workflow/{op}",
            "/hooks/{automation}/{token}"} <= paths


@schema.parametrize()
@seed(20261205)
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_workflow_api_and_webhook_match_their_document(case: Any, site: FuzzSite, rep_token: str) -> None:
    case.operation.app = case.operation.schema.app = site.app
    case.call_and_validate(headers={"Authorization": f"Bearer {rep_token}"},
                           excluded_checks=[positive_data_acceptance])
