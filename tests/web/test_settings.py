"""The settings page: changing the password ends every other session; language preference follows the user."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.web.test_web import PASSWORD, csrf_of, sign_in
from web.app import create_app

NEW = "battery staple 2"


@pytest.fixture
def app(shop):  # type: ignore[no-untyped-def]
    return create_app(shop)


def change(client: TestClient, csrf: str, current: str, new: str, repeat: str | None = None, lang: str = "en"):  # type: ignore[no-untyped-def]
    return client.post("/settings/password", data={"current_password": current, "new_password": new,
                                                   "repeat_password": new if repeat is None else repeat,
                                                   "csrf_token": csrf},
                       headers={"accept-language": lang}, follow_redirects=False)


def test_settings_is_linked_from_the_header_and_needs_sign_in(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    assert client.get("/settings", follow_redirects=False).headers["location"] == "/login?next=/settings"
    sign_in(client)
    assert 'href="/settings"' in client.get("/").text
    assert client.get("/settings").status_code == 200


def test_changing_the_password_renews_this_session_and_ends_the_others(app) -> None:  # type: ignore[no-untyped-def]
    here, elsewhere = TestClient(app), TestClient(app)
    csrf = sign_in(here)
    sign_in(elsewhere)
    old_cookie = here.cookies.get("formwork_session")
    response = change(here, csrf, PASSWORD, NEW)
    assert response.status_code == 303 and response.headers["location"] == "/settings?done=password"
    assert here.cookies.get("formwork_session") != old_cookie
    page = here.get(response.headers["location"], headers={"accept-language": "en"})
    assert page.status_code == 200 and "signed out everywhere else" in page.text
    assert csrf_of(page.text) != csrf  # the CSRF token was renewed with the session
    assert elsewhere.get("/", follow_redirects=False).status_code == 303  # the other session is over
    assert elsewhere.get("/api/v1/customer").status_code == 401
    stale = TestClient(app)
    stale.cookies.set("formwork_session", old_cookie)  # a copy of the old cookie no longer works either
    assert stale.get("/", follow_redirects=False).status_code == 303
    fresh = TestClient(app)
    login = fresh.get("/login")
    assert fresh.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_of(login.text)},
                      follow_redirects=False).status_code == 401
    assert fresh.post("/login", data={"username": "alice", "password": NEW, "csrf_token": csrf_of(login.text)},
                      follow_redirects=False).status_code == 303


@pytest.mark.parametrize("current, new, repeat, message", [
    ("wrong one 9", NEW, NEW, "the current password is wrong"),
    ("", NEW, NEW, "Current password is required"),
    (PASSWORD, "short1", "short1", "the password needs 8–256 characters"),
    (PASSWORD, "onlyletters", "onlyletters", "with letters and digits or symbols"),
    (PASSWORD, "alice", "alice", "the password needs"),
    (PASSWORD, NEW, "something else 3", "the two new passwords do not match"),
    (PASSWORD, PASSWORD, PASSWORD, "must differ from the current one"),
])
def test_a_refused_change_says_why_and_changes_nothing(app, current: str, new: str, repeat: str,  # type: ignore[no-untyped-def]
                                                       message: str) -> None:
    client = TestClient(app)
    csrf = sign_in(client)
    response = change(client, csrf, current, new, repeat)
    assert response.status_code == 422 and message in response.text
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    assert sign_in(TestClient(app))  # the old password still works


def test_the_policy_message_is_in_chinese_too(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    csrf = sign_in(client)
    assert "两次输入的新密码不一致" in change(client, csrf, PASSWORD, NEW, "other pass 4", lang="zh-CN").text
    assert change(client, "wrong-csrf", PASSWORD, NEW).status_code == 403


def test_language_preference_is_saved_and_applies_at_the_next_sign_in(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    csrf = sign_in(client)
    response = client.post("/settings/language", data={"language": "en", "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert "Language preference saved" in client.get("/settings?done=language", headers={"accept-language": "zh-CN"}).text
    other = TestClient(app)
    sign_in(other)
    assert "Settings" in other.get("/settings", headers={"accept-language": "zh-CN"}).text
    assert client.post("/settings/language", data={"language": "fr", "csrf_token": csrf}).status_code == 422
    client.post("/settings/language", data={"language": "", "csrf_token": csrf})
    assert "个人设置" in client.get("/settings", headers={"accept-language": "zh-CN"}).text


def test_the_api_reference_page_sends_strangers_to_sign_in(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    assert client.get("/api/docs", follow_redirects=False).headers["location"] == "/login?next=/api/docs"
    assert client.get("/api/openapi.json").status_code == 401
