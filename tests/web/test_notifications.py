"""The bell and /notifications: the unread count on every page, the list (all / unread), opening a notice marks
it read and goes to its record, marking all read, the JSON count the bell polls — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from engine.notifications import list_notifications, mark_read, notify, unread_count
from engine.records.model import Actor
from engine.storage.database import read_transaction, write_transaction
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

ALICE = 1


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        yield c


def send(ws, user_id: int, title: str, *, body: str | None = None, form: str | None = None,  # type: ignore[no-untyped-def]
         record_id: int | None = None) -> int:
    with write_transaction(ws.engine) as conn:
        notify(conn, [user_id], title=title, body=body, form=form, record_id=record_id, source="test", now=ws.now())
    with read_transaction(ws.engine) as conn:
        return int(list_notifications(conn, user_id)[0]["id"])


def badge(html: str) -> tuple[str, bool]:
    """The bell's number and whether it is hidden."""
    match = re.search(r'<span class="bell-count[^"]*"[^>]*?( hidden)?>([^<]*)</span>', html)
    assert match, html[:2000]
    return match.group(2), bool(match.group(1))


def unread(ws, user_id: int = ALICE) -> int:  # type: ignore[no-untyped-def]
    with read_transaction(ws.engine) as conn:
        return unread_count(conn, user_id)


def test_the_bell_shows_the_unread_count_on_every_page(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    home = client.get("/").text
    assert badge(home) == ("0", True)  # nothing unread: the badge is hidden
    assert 'href="/notifications"' in home and 'src="/static/js/notify.js"' in home
    send(shop, ALICE, "one")
    send(shop, ALICE, "two")
    for path in ("/", "/apps/sales/customer", "/settings"):
        assert badge(client.get(path).text) == ("2", False), path
    assert client.get("/notifications/count").json() == {"unread": 2}
    assert client.get("/notifications/count").headers["cache-control"] == "no-store"
    for _ in range(100):
        send(shop, ALICE, "many")
    assert badge(client.get("/").text) == ("99+", False)
    assert client.get("/notifications/count").json() == {"unread": 102}


def test_signed_out_visitors_get_no_bell_and_no_count(client: TestClient) -> None:
    login = client.get("/login").text
    assert "bell-count" not in login and "notify.js" not in login
    response = client.get("/notifications/count", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/notifications", follow_redirects=False).status_code == 303


def test_the_list_shows_newest_first_with_unread_filter_and_empty_states(shop, client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    assert "还没有通知" in client.get("/notifications").text
    assert "没有未读通知" in client.get("/notifications?show=unread").text
    customer = shop.records.create(Actor(user_id=ALICE, is_admin=True), "customer", {"name": "华联电子"})
    first = send(shop, ALICE, "新客户:华联电子", body="请在 24 小时内联系", form="customer", record_id=customer.id)
    clock.now += timedelta(minutes=5)
    send(shop, ALICE, "系统通知")
    html = client.get("/notifications").text
    assert html.index("系统通知") < html.index("新客户:华联电子")  # newest first
    assert "请在 24 小时内联系" in html and "客户" in html
    assert "全部标为已读" in html
    with write_transaction(shop.engine) as conn:
        mark_read(conn, ALICE, first, shop.now())
    unread_page = client.get("/notifications?show=unread").text
    assert "系统通知" in unread_page and "新客户:华联电子" not in unread_page
    everything = client.get("/notifications").text
    assert f'href="/apps/sales/customer/{customer.id}"' in everything  # a read notice links straight to its record


def test_the_list_pages_to_older_notices(shop, client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    sign_in(client)
    for n in range(25):
        send(shop, ALICE, f"notice-{n:02d}")
        clock.now += timedelta(seconds=1)
    first = client.get("/notifications").text
    assert "notice-24" in first and "notice-05" in first and "notice-04" not in first
    older = re.search(r'href="(/notifications\?before=\d+)"', first)
    assert older, first
    second = client.get(older.group(1).replace("&amp;", "&")).text
    assert "notice-04" in second and "notice-00" in second and "notice-05" not in second
    assert 'href="/notifications"' in second  # back to the newest


def test_opening_a_notice_marks_it_read_and_goes_to_its_record(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    customer = shop.records.create(Actor(user_id=ALICE, is_admin=True), "customer", {"name": "华联电子"})
    notice = send(shop, ALICE, "新客户", form="customer", record_id=customer.id)
    html = client.get("/notifications").text
    assert f'action="/notifications/{notice}/read"' in html
    response = client.post(f"/notifications/{notice}/read", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/apps/sales/customer/{customer.id}"
    assert unread(shop) == 0
    assert client.get(response.headers["location"]).status_code == 200


def test_a_notice_without_a_record_is_marked_read_in_place(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    notice = send(shop, ALICE, "周报已生成", form="no_such_form", record_id=3)  # its form is gone: no link
    assert "标为已读" in client.get("/notifications").text
    response = client.post(f"/notifications/{notice}/read",
                           data={"csrf_token": token, "next": "/notifications?show=unread"}, follow_redirects=False)
    assert response.headers["location"] == "/notifications?show=unread"
    assert unread(shop) == 0
    response = client.post(f"/notifications/{notice}/read",
                           data={"csrf_token": token, "next": "https://evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/notifications"  # never to another site


def test_another_users_notice_is_404_and_stays_unread(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob", admin=False, roles=("clerk",))
    theirs = send(shop, bob, "bob's")
    token = sign_in(client)  # alice, an administrator: still not hers
    assert "bob&#39;s" not in client.get("/notifications").text
    response = client.post(f"/notifications/{theirs}/read", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 404
    assert client.post("/notifications/999999/read", data={"csrf_token": token}).status_code == 404
    assert unread(shop, bob) == 1


def test_mark_all_read_and_csrf(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    token = sign_in(client)
    for n in range(3):
        send(shop, ALICE, f"n{n}")
    bob = add_user(shop, "bob")
    send(shop, bob, "bob's")
    assert client.post("/notifications/read-all", data={}).status_code == 403  # no CSRF token: refused
    assert unread(shop) == 3
    response = client.post("/notifications/read-all", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/notifications?done=all"
    assert unread(shop) == 0 and unread(shop, bob) == 1
    page = client.get("/notifications?done=all").text
    assert "已全部标为已读" in page and "全部标为已读</button>" not in page
    assert client.get("/notifications/count").json() == {"unread": 0}


def test_non_administrators_have_a_bell_too_and_english_texts(shop, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    carl = add_user(shop, "carl", admin=False, roles=("clerk",))
    send(shop, carl, "for carl")
    sign_in(client, "carl")
    assert badge(client.get("/").text) == ("1", False)
    client.get("/lang/en", follow_redirects=False)
    html = client.get("/notifications").text
    assert "Notifications" in html and "Mark all read" in html and "for carl" in html
    assert "Unread" in html


def test_the_bell_script_is_served(client: TestClient) -> None:
    response = client.get("/static/js/notify.js")
    assert response.status_code == 200 and "/notifications/count" not in response.text  # the URL comes from the page
    assert "data-count-url" in response.text or "countUrl" in response.text
