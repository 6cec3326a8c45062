"""Server-side sessions, on SQLite and PostgreSQL: the cookie is a bare random id, sign-out and password changes end
sessions at once, idle timeout and lifetime follow the workspace's clock, and signed-out visitors cost no row."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.audit import AuditFilter, list_audit
from engine.org import sessions
from engine.settings import Settings
from engine.storage.system import sessions as sessions_table
from tests.conftest import add_user
from tests.web.test_web import PASSWORD, csrf_of, sign_in
from web.app import create_app

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
                  "Safari/537.36")
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.0 Mobile/15E148 Safari/604.1")


@pytest.fixture
def app(shop):  # type: ignore[no-untyped-def]
    add_user(shop, "bob", admin=False)
    return create_app(shop)


def rows(ws: Any) -> list[Any]:
    with ws.reading() as conn:
        return list(conn.execute(sa.select(sessions_table).order_by(sessions_table.c.created_at)))


def browser(app: Any, agent: str = CHROME_WINDOWS) -> TestClient:
    return TestClient(app, base_url="http://testserver", headers={"user-agent": agent})


def signed_out(client: TestClient) -> bool:
    page = client.get("/", follow_redirects=False)
    return page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_cookie_copied_before_sign_out_stops_working(app: Any) -> None:
    client = browser(app)
    csrf = sign_in(client)
    copy = browser(app)
    copy.cookies.set("formwork_session", client.cookies["formwork_session"])
    assert not signed_out(copy)
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert signed_out(copy) and signed_out(client)
    assert copy.get("/api/v1/customer").status_code == 401
    assert rows(app.state.ws) == []
    with app.state.ws.reading() as conn:
        assert [e["action"] for e in list_audit(conn, AuditFilter(actions=("sign_out",)))] == ["sign_out"]


def test_the_cookie_is_a_bare_random_id_and_only_its_hash_is_stored(app: Any) -> None:
    client = browser(app)
    csrf = sign_in(client)
    cookie = client.cookies["formwork_session"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie)  # secrets.token_urlsafe(32): nothing else
    assert csrf not in cookie
    decoded = base64.urlsafe_b64decode(cookie + "=")
    assert b"user" not in decoded and csrf.encode() not in decoded
    [row] = rows(app.state.ws)
    assert row.id == hashlib.sha256(cookie.encode()).hexdigest()
    assert cookie not in str(tuple(row)) and row.user_id == 1 and row.data["csrf"] == csrf
    assert row.user_agent == CHROME_WINDOWS and row.address == "testclient"
    assert "formwork_visitor" not in client.cookies  # the sign-in page's cookie is dropped at sign-in


def test_the_session_cookie_is_http_only_and_same_site(app: Any) -> None:
    client = browser(app)
    login = client.get("/login")
    response = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_of(login.text)},
                           follow_redirects=False)
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith("formwork_session="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and f"Max-Age={30 * 24 * 3600}" in header
    https = TestClient(app, base_url="https://testserver")
    login = https.get("/login")
    assert all("secure" in h.lower() for h in login.headers.get_list("set-cookie"))


def test_signing_in_again_replaces_the_session(app: Any) -> None:
    client = browser(app)
    sign_in(client)
    first = client.cookies["formwork_session"]
    sign_in(client, "bob")  # the same browser: the old id is never reused, its row is gone
    assert client.cookies["formwork_session"] != first
    assert [r.user_id for r in rows(app.state.ws)] == [2]
    stale = browser(app)
    stale.cookies.set("formwork_session", first)
    assert signed_out(stale)


def test_signed_out_visitors_create_no_rows(app: Any) -> None:
    for n in range(4):
        visitor = browser(app)
        page = visitor.get("/login")
        assert page.status_code == 200 and "formwork_visitor" in visitor.cookies
        visitor.get("/lang/en", follow_redirects=False)
        refused = visitor.post("/login", data={"username": f"nobody{n}", "password": "wrong one 1",
                                               "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 401 and "Wrong username or password" in refused.text  # the chosen language
    assert browser(app).get("/", follow_redirects=False).status_code == 303
    assert rows(app.state.ws) == []


def test_the_chosen_language_survives_sign_in_and_sign_out(app: Any) -> None:
    client = browser(app)
    client.get("/lang/en", follow_redirects=False)
    csrf = sign_in(client)
    assert "Sign out" in client.get("/").text
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert "Sign in" in client.get("/login").text


def test_session_data_is_kept_server_side_and_merged(app: Any) -> None:
    client = browser(app)
    csrf = sign_in(client)
    client.post("/apps/sales/customer/views", data={"csrf_token": csrf, "name": ""}, follow_redirects=False)
    [row] = rows(app.state.ws)
    assert "list_notice" in row.data  # a notice for the next list page, kept in the row
    client.get("/apps/sales/customer")
    [row] = rows(app.state.ws)
    assert "list_notice" not in row.data and row.data["csrf"] == csrf


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app: Any) -> None:
    here, laptop, phone = browser(app), browser(app), browser(app, SAFARI_IPHONE)
    csrf = sign_in(here)
    sign_in(laptop)
    sign_in(phone)
    sign_in(browser(app), "bob")
    changed = here.post("/settings/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                                    "new_password": "battery staple 2",
                                                    "repeat_password": "battery staple 2"}, follow_redirects=False)
    assert changed.status_code == 303
    assert not signed_out(here) and signed_out(laptop) and signed_out(phone)
    assert sorted(r.user_id for r in rows(app.state.ws)) == [1, 2]  # bob's session is untouched
    with app.state.ws.reading() as conn:
        assert list_audit(conn, AuditFilter(actions=("password_changed",)))


@pytest.mark.parametrize("how", ["disable", "reset_password"])
def test_an_admin_disabling_or_resetting_a_user_ends_their_sessions(app: Any, how: str) -> None:
    admin, bob = browser(app), browser(app)
    csrf = sign_in(admin)
    sign_in(bob, "bob")
    if how == "disable":
        done = admin.post("/admin/users/2/active", data={"csrf_token": csrf, "active": "0"}, follow_redirects=False)
        assert done.status_code == 303
        admin.post("/admin/users/2/active", data={"csrf_token": csrf, "active": "1"}, follow_redirects=False)
    else:
        assert admin.post("/admin/users/2/password", data={"csrf_token": csrf}).status_code == 200
    assert signed_out(bob)  # even once enabled again: the session itself is gone
    assert [r.user_id for r in rows(app.state.ws)] == [1] and not signed_out(admin)


def test_an_admin_resetting_their_own_password_stays_signed_in_here_only(app: Any) -> None:
    here, elsewhere = browser(app), browser(app)
    csrf = sign_in(here)
    sign_in(elsewhere)
    assert here.post("/admin/users/1/password", data={"csrf_token": csrf}).status_code == 200
    assert not signed_out(here) and signed_out(elsewhere)


def test_an_idle_session_ends_and_use_keeps_it_alive_until_its_lifetime(app: Any, clock: Any) -> None:
    ws, client = app.state.ws, browser(app)
    sign_in(client)
    signed_at = rows(ws)[0].last_seen_at
    clock.now += timedelta(seconds=59)
    client.get("/")
    assert rows(ws)[0].last_seen_at == signed_at  # no write for every request: at most one a minute
    for _ in range(29):  # used every day: the 7-day idle timeout never strikes
        clock.now += timedelta(days=1)
        assert not signed_out(client)
    assert rows(ws)[0].last_seen_at > signed_at
    clock.now += timedelta(days=1) - timedelta(seconds=59)  # 30 days after signing in
    assert signed_out(client)
    assert "formwork_session" not in client.cookies  # the response cleared the dead cookie
    idle = browser(app)
    sign_in(idle)
    clock.now += timedelta(days=7) - timedelta(minutes=1)
    assert not signed_out(idle)
    clock.now += timedelta(days=7)
    assert signed_out(idle)


def test_idle_and_lifetime_follow_the_settings(shop: Any, clock: Any) -> None:
    shop.settings = Settings({**shop.settings.values, "session_idle_minutes": "30", "session_lifetime_days": "1"})
    client = browser(create_app(shop))
    sign_in(client)
    clock.now += timedelta(minutes=29)
    assert not signed_out(client)
    clock.now += timedelta(minutes=30)
    assert signed_out(client)
    shop.settings = Settings({**shop.settings.values, "session_idle_minutes": "soon"})
    with pytest.raises(ValueError, match="session_idle_minutes must be a whole number"):
        create_app(shop)


def test_settings_lists_the_sessions_and_signs_out_everywhere_else(app: Any) -> None:
    here, phone = browser(app), browser(app, SAFARI_IPHONE)
    csrf = sign_in(here)
    sign_in(phone)
    page = here.get("/settings", headers={"accept-language": "en"})
    section = page.text[page.text.index('id="sessions"'):page.text.index('id="language"')]
    assert "Chrome · Windows" in section and "Safari · iPhone" in section
    assert section.count("This device") == 1 and section.index("This device") < section.index("Safari · iPhone")
    assert "Sign out everywhere else" in section and section.count("/end\"") == 2  # the other one, and all others
    zh = here.get("/settings", headers={"accept-language": "zh-CN"}).text
    assert "登录设备" in zh and "当前设备" in zh and "退出其他所有设备" in zh
    ended = here.post("/settings/sessions/others/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"] == "/settings?done=sessions_ended#sessions"
    assert signed_out(phone) and not signed_out(here)
    page = here.get("/settings?done=sessions_ended", headers={"accept-language": "en"}).text
    assert "You are signed out everywhere else." in page and "You are signed in on this device only." in page
    with app.state.ws.reading() as conn:
        [entry] = list_audit(conn, AuditFilter(actions=("sign_out",)))
    assert entry["detail"] == {"other_sessions": 1} and entry["actor_id"] == 1
    audit = here.get("/admin/audit", headers={"accept-language": "en"}).text
    assert "Signed out everywhere else (1 sessions)" in audit


def test_one_other_session_is_signed_out_from_settings(app: Any) -> None:
    here, phone, laptop = browser(app), browser(app, SAFARI_IPHONE), browser(app)
    csrf = sign_in(here)
    sign_in(phone)
    sign_in(laptop)
    bobs = browser(app)
    sign_in(bobs, "bob")
    phone_key = hashlib.sha256(phone.cookies["formwork_session"].encode()).hexdigest()
    bobs_key = hashlib.sha256(bobs.cookies["formwork_session"].encode()).hexdigest()
    ended = here.post(f"/settings/sessions/{phone_key}/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert ended.headers["location"] == "/settings?done=session_ended#sessions"
    assert signed_out(phone) and not signed_out(laptop) and not signed_out(here)
    again = here.post(f"/settings/sessions/{phone_key}/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.headers["location"] == "/settings?done=session_gone#sessions"
    someone_elses = here.post(f"/settings/sessions/{bobs_key}/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert someone_elses.headers["location"].endswith("session_gone#sessions") and not signed_out(bobs)
    here_key = hashlib.sha256(here.cookies["formwork_session"].encode()).hexdigest()
    assert here.post(f"/settings/sessions/{here_key}/end", data={"csrf_token": csrf}).status_code == 404
    assert here.post("/settings/sessions/nonsense/end", data={"csrf_token": csrf}).status_code == 404
    audit = here.get("/admin/audit", headers={"accept-language": "zh-CN"}).text
    assert "退出了另一台设备:Safari · iPhone" in audit


def test_expired_sessions_are_purged_by_the_hourly_tick(app: Any, clock: Any) -> None:
    ws = app.state.ws
    sign_in(browser(app))
    ws.jobs.tick()
    clock.now += timedelta(days=8)
    live = browser(app)
    sign_in(live)
    assert len(rows(ws)) == 2  # the idle one is still stored, though it no longer works
    ws.jobs.tick()
    assert [r.id for r in rows(ws)] == [hashlib.sha256(live.cookies["formwork_session"].encode()).hexdigest()]
    with ws.writing() as conn:
        assert sessions.purge(conn, ws.now(), sessions.Policy.from_settings(ws.settings.values)) == 0
