"""Inputs that once answered 500 (issue 12): each is now a 4xx whose message, in Chinese and English, names the
problem and what to do, and the refusal writes nothing. The inputs come from the corpus the fuzzer also uses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.records.terms import MAX_TERM
from tests.fuzz import corpus
from tests.fuzz.site import MANAGER, REP, FuzzSite
from web.api.input import MAX_DEPTH


def send(site: FuzzSite, who: str, method: str, url: str, **kw: Any) -> Any:
    """One request as `who` (signed-in cookies restored, CSRF header sent), checking it wrote nothing."""
    person = site.people[who]
    client: TestClient = person.reset()
    before = site.fingerprint()
    response = client.request(method, url, headers={"x-csrf-token": person.csrf, **kw.pop("headers", {})}, **kw)
    assert 400 <= response.status_code < 500, (method, url[:200], response.status_code, response.text[:500])
    assert site.fingerprint() == before, (method, url[:200])
    return response


def api_error(response: Any) -> dict[str, Any]:
    error = response.json()["error"]
    assert error["message"]["zh"] and error["message"]["en"] and error["message"]["zh"] != error["message"]["en"]
    return dict(error)


def hook_url(site: FuzzSite) -> str:
    return f"/hooks/{site.values['automation'][0]}/{site.values['token'][0]}"


# -- a. deeply nested JSON to an inbound webhook ----------------------------------------------------------------
@pytest.mark.parametrize("body", corpus.RAW_JSON, ids=lambda b: repr(b[:12]))
def test_an_inbound_webhook_refuses_bodies_the_api_refuses(site: FuzzSite, body: bytes) -> None:
    response = send(site, "anonymous", "POST", hook_url(site), content=body,
                    headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert api_error(response)["code"] == "bad_json"


def test_a_deeply_nested_webhook_body_says_how_deep_json_may_go(site: FuzzSite) -> None:
    response = send(site, "anonymous", "POST", hook_url(site), content=corpus.DEEP_LIST.encode(),
                    headers={"content-type": "application/json"})
    message = api_error(response)["message"]
    assert f"{MAX_DEPTH} levels deep" in message["en"] and f"{MAX_DEPTH} 层" in message["zh"]


def test_a_webhook_still_takes_a_plain_object(site: FuzzSite) -> None:
    client = site.people["anonymous"].reset()
    response = client.post(hook_url(site), json={"name": "远景科技", "company": "远景科技", "phone": "13800000000"})
    assert response.status_code == 202


# -- b. long search and "contains" terms -------------------------------------------------------------------------
def _list_urls(site: FuzzSite) -> list[str]:
    return ["/apps/client/client", "/apps/opportunity/opportunity/kanban", "/api/v1/client",
            "/apps/client/client/export", "/api/v1/client/export"]


@pytest.mark.parametrize("term", [corpus.LONG, corpus.LONG_WILDCARDS, "a" * (MAX_TERM + 1)],
                         ids=["50000", "wildcards", "limit+1"])
def test_a_long_search_term_is_refused_on_every_list(site: FuzzSite, term: str) -> None:
    for url in _list_urls(site):
        response = send(site, MANAGER, "GET", url, params={"q": term})
        assert response.status_code == 400, url
        text = response.text if not url.startswith("/api/") else json.dumps(api_error(response), ensure_ascii=False)
        assert f"{MAX_TERM}" in text and "最多" in text or "at most" in text, (url, text[:300])


def test_a_long_contains_filter_is_refused_on_every_list(site: FuzzSite) -> None:
    api_filter = json.dumps([{"field": "name", "op": "contains", "value": corpus.LONG}])
    for url in _list_urls(site):
        params = {"filter": api_filter} if url.startswith("/api/") else {"f": f"name:contains:{corpus.LONG}"}
        response = send(site, MANAGER, "GET", url, params=params)
        assert response.status_code == 400, url
    error = api_error(send(site, MANAGER, "GET", "/api/v1/client", params={"filter": api_filter}))
    assert error["code"] == "term_too_long" and f"at most {MAX_TERM}" in error["message"]["en"]


def test_a_search_term_at_the_limit_is_fine(site: FuzzSite) -> None:
    client = site.people[MANAGER].reset()
    assert client.get("/api/v1/client", params={"q": "a" * MAX_TERM}).status_code == 200
    assert client.get("/apps/client/client", params={"q": "%_" * (MAX_TERM // 2)}).status_code == 200


# -- c. forged page cursors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("after", corpus.CURSORS)
@pytest.mark.parametrize("url", ["/api/v1/opportunity?sort=-amount", "/api/v1/client?sort=name",
                                 "/api/v1/client", "/apps/opportunity/opportunity?sort=amount&dir=asc"])
def test_a_forged_cursor_is_a_stale_page_link(site: FuzzSite, url: str, after: str) -> None:
    response = send(site, REP, "GET", url, params={"after": after})
    if url.startswith("/api/"):
        error = api_error(response)
        assert error["code"] == "bad_cursor", error
        assert "first page" in error["message"]["en"] and "第一页" in error["message"]["zh"]
    else:
        assert response.status_code == 400 and "第一页" in response.text


def test_a_real_cursor_still_pages(site: FuzzSite) -> None:
    client = site.people[MANAGER].reset()
    first = client.get("/api/v1/opportunity", params={"sort": "-amount", "limit": 2}).json()
    assert first["next_cursor"], first
    second = client.get("/api/v1/opportunity", params={"sort": "-amount", "limit": 2, "after": first["next_cursor"]})
    assert second.status_code == 200 and second.json()["records"]


# -- found by the route fuzzer ------------------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["中文", "\u00e9" * 32, corpus.BIDI, "%ZZ", "a" * 5_000])
def test_a_webhook_token_in_any_characters_is_no_webhook(site: FuzzSite, token: str) -> None:
    response = send(site, "anonymous", "POST", f"/hooks/{site.values['automation'][0]}/{token}", json={})
    assert response.status_code == 404 and api_error(response)["code"] == "not_found"


@pytest.mark.parametrize("how", ["header", "form"])
def test_a_csrf_token_in_non_ascii_characters_is_refused(site: FuzzSite, how: str) -> None:
    person = site.people[REP]
    client = person.reset()
    if how == "header":
        response = client.post("/settings/language", data={"language": "en"},
                               headers={"x-csrf-token": "\u00e9".encode("latin-1")}, follow_redirects=False)
    else:
        response = client.post("/settings/language", data={"language": "en", "csrf_token": "中文"},
                               follow_redirects=False)
    assert response.status_code == 403
