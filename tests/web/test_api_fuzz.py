"""schemathesis against /api/openapi.json: generated requests never get a 5xx and every response matches the document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from starlette.testclient import TestClient

from engine.definitions.loader import load_sources, read_directory
from engine.org.tokens import create_token
from engine.records.model import Actor
from engine.storage.database import write_transaction
from tests.conftest import FIXTURES, _fresh_pg_database, add_user, open_workspace, publish_directory
from web.api.openapi import document
from web.app import create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # hypothesis-jsonschema internals


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """The app over a 'shop' workspace with a few records of every form, and a bearer token for alice."""
    root: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{root / 'fuzz.db'}" if request.param == "sqlite" else \
        _fresh_pg_database(request.getfixturevalue("postgres_server"))
    ws = open_workspace(url, root / "ws")
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    actor = Actor(user_id=1, is_admin=True)
    for i in range(3):
        customer = ws.records.create(actor, "customer", {"name": f"Customer {i}"})
        product = ws.records.create(actor, "product", {"name": f"Product {i}", "price": "9.50"})
        order = ws.records.create(actor, "order", {"customer": customer.id,
                                                   "items": [{"product": product.id, "quantity": 2, "price": "9.50"}]})
        ws.records.create(actor, "payment", {"order": order.id, "amount": str(Decimal("5.00"))})
    with write_transaction(ws.engine) as conn:
        token = create_token(conn, 1, "fuzz", ws.now()).token
    yield create_app(ws), token
    ws.close()


def _document() -> dict[str, Any]:
    """The document the app serves for the 'shop' definitions (the test checks the app serves exactly this)."""
    defs = load_sources({f"shop/{k}": v for k, v in read_directory(FIXTURES / "shop").items()}).raise_for_problems()
    return document(defs)


# Built at import time: schemathesis' lazy fixture loader does not work with pytest 9 (Function._nodeid).
schema = schemathesis.openapi.from_dict(_document())


def test_the_app_serves_the_fuzzed_document(fuzz_app: tuple[Any, str]) -> None:
    app, token = fuzz_app
    with TestClient(app) as client:
        served = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {token}"}).json()
    assert served == json.loads(json.dumps(_document()))


@schema.parametrize()
@seed(20261126)
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_api_matches_its_document(case: Any, fuzz_app: tuple[Any, str]) -> None:
    app, token = fuzz_app
    case.operation.app = case.operation.schema.app = app  # the schema was loaded before the app existed (above)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=[positive_data_acceptance])
