"""Every route of the app (enumerated from create_app), attacked two ways; neither ever gets a 5xx, and a refused
request (4xx) leaves the database as it was (audit entries aside):

- a sweep: each parameter name a view reads (found in its source) gets each of the corpus's sharpest values, and
  each route reading JSON gets each raw body of the corpus: the known kinds of attack, always tried;
- hypothesis: as the sales rep, an anonymous visitor, or (reads only) an administrator, hostile path parameters,
  query strings and bodies (forms with a valid CSRF token, JSON, raw bytes) mixed with the CRM's real ids.

Deterministic (derandomize) and short: `make test` runs it on every change. A failure prints the Request; add its
hostile value to tests/fuzz/corpus.py and a test to test_hostile_inputs.py.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import corpus
from tests.fuzz.routes import Body, Request, Target, parameter_names, real_path, requests, send, sweep_plan, targets
from tests.fuzz.site import ADMIN, MANAGER, REP, FuzzSite
from engine.settings import SETTINGS
from web.app import create_app

EXAMPLES = 6
# What a parameter needs beside it to reach the code that reads it: a cursor means something only for its sort.
BESIDE: dict[str, tuple[tuple[str, str], ...]] = {"after": (("sort", "name"),)}


def _all_targets() -> list[Target]:
    """The routes of the app, known at collection time: create_app reads only the settings to build them."""
    class _Settings:
        values: dict[str, str] = {s.name: s.default for s in SETTINGS}
        secret = "x"

    class _Workspace:
        settings = _Settings()

    return targets(create_app(_Workspace()))  # type: ignore[arg-type]


# Routes another helper's files answer with a 5xx, each with the finding it waits for (the lead removes the skip).
KNOWN: dict[str, str] = {}

TARGETS = _all_targets()
NAMES = parameter_names()
PLAN = sweep_plan(TARGETS)


def check(site: FuzzSite, request: Request) -> None:
    """No 5xx; and a refusal (4xx) writes nothing."""
    before = site.fingerprint()
    response = send(site, request)
    assert response.status_code < 500, (request, response.status_code, response.text[:300])
    if 400 <= response.status_code < 500:
        assert site.fingerprint() == before, (request, response.status_code)


@pytest.mark.parametrize(("name", "target"), PLAN, ids=[f"{n} {t}" for n, t in PLAN])
def test_every_parameter_takes_every_sharp_value(site: FuzzSite, name: str, target: Target) -> None:
    """The sweep: each name a view reads gets each of the corpus's sharpest values, on one route reading it (as
    the rep for a write, management for a read, an administrator for a read of an admin page), so a known kind
    of attack is always tried."""
    if str(target) in KNOWN:
        pytest.skip(KNOWN[str(target)])
    who = REP if target.method != "GET" else ADMIN if target.path.startswith("/admin") else MANAGER
    path = real_path(site, target)
    for value in corpus.SHARP:
        pairs = ((name, value), *BESIDE.get(name, ()))
        unsafe = target.method != "GET"
        check(site, Request(who, target.method, path, () if unsafe else pairs, Body(form=pairs) if unsafe else None,
                            False))


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_no_route_answers_5xx_or_writes_when_it_refuses(site: FuzzSite, target: Target) -> None:
    if str(target) in KNOWN:
        pytest.skip(KNOWN[str(target)])

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        check(site, data.draw(requests(site, target, NAMES), label="request"))

    fuzz()


JSON_TARGETS = [t for t in TARGETS if t.method in ("POST", "PUT", "PATCH", "DELETE")
                and t.path.startswith(("/api/", "/hooks/", "/f/"))]


@pytest.mark.parametrize("target", JSON_TARGETS, ids=str)
def test_every_json_route_takes_every_raw_body(site: FuzzSite, target: Target) -> None:
    """The sweep for bodies: each route reading JSON gets each raw body of the corpus (deep nesting, NaN, …)."""
    if str(target) in KNOWN:
        pytest.skip(KNOWN[str(target)])
    path = real_path(site, target)
    for raw in corpus.RAW_JSON:
        check(site, Request(REP, target.method, path, (), Body(raw=raw), False))
