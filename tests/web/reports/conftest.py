"""The report tests' sales workspace (tests/engine/reports/conftest.py) behind the web app, with people who sign
in: an admin, a sales manager over the whole department tree and a rep of East."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.conftest import add_user
from tests.engine.reports.conftest import Sales, sales  # noqa: F401  (the fixture)
from web.app import create_app


@pytest.fixture
def web(sales: Sales) -> Iterator[TestClient]:  # noqa: F811
    ws = sales.ws
    add_user(ws, "alice")  # an admin
    add_user(ws, "mona", admin=False, roles=("manager",), department_id=sales.departments["sales"])
    add_user(ws, "reza", admin=False, roles=("rep",), department_id=sales.departments["east"])
    add_user(ws, "nobody", admin=False)
    with TestClient(create_app(ws), base_url="http://testserver") as client:
        client.sales = sales  # type: ignore[attr-defined]
        yield client
