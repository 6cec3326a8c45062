"""The record list: typed filters in the URL, sort and pages, saved views, batch actions and the kanban board.

On SQLite and PostgreSQL (the `shop` fixture); the clock stands at 2024-03-15 10:30 in Asia/Shanghai (a Friday).
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from engine.records.model import Actor
from tests.conftest import add_user
from tests.web.test_web import sign_in
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)
CUSTOMERS = [  # name, grade, since, rating, email
    ("华联电子", "A", "2024-03-15", 5, "hl@example.com"),
    ("东方物流", "A", "2024-03-11", 3, None),
    ("北辰软件", "B", "2024-02-20", 4, "bc@example.com"),
    ("南山茶业", "C", "2024-01-05", 1, None),
    ("西湖旅游", None, "2023-12-30", None, None),
]


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    bob = add_user(shop, "bob")
    for name, grade, since, rating, email in CUSTOMERS:
        shop.records.create(ALICE, "customer", {"name": name, "grade": grade, "since": since, "rating": rating,
                                                "email": email, "owner": bob if name == "北辰软件" else 1})
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        yield c


def names(html: str) -> list[str]:
    """Customer names in the table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<a href="/apps/sales/customer/\d+">([^<]+)</a>', body)


def listing(client: TestClient, query: str, lang: str = "zh-CN"):  # type: ignore[no-untyped-def]
    return client.get(f"/apps/sales/customer?{query}", headers={"accept-language": lang})


@pytest.mark.parametrize(("query", "expected"), [
    ("f=grade:eq:A", {"华联电子", "东方物流"}),
    ("f=grade:in:A,B", {"华联电子", "东方物流", "北辰软件"}),
    ("f=grade:empty", {"西湖旅游"}),
    ("f=grade:not_empty&f=rating:ge:4", {"华联电子", "北辰软件"}),
    ("f=since:today", {"华联电子"}),
    ("f=since:this_week", {"华联电子", "东方物流"}),
    ("f=since:last_month", {"北辰软件"}),
    ("f=since:last_n_days:30", {"华联电子", "东方物流", "北辰软件"}),
    ("f=since:last_year", {"西湖旅游"}),
    ("f=since:between:2024-01-01..2024-02-29", {"北辰软件", "南山茶业"}),
    ("f=rating:lt:4", {"东方物流", "南山茶业"}),
    ("f=owner:eq:$me", {"华联电子", "东方物流", "南山茶业", "西湖旅游"}),
    ("f=owner:ne:$me", {"北辰软件"}),
    ("f=email:empty&f=grade:eq:A", {"东方物流"}),
    ("f=name:contains:软件", {"北辰软件"}),
    ("f=grade:eq:A&q=华联", {"华联电子"}),
])
def test_typed_filters_of_several_kinds(client: TestClient, query: str, expected: set[str]) -> None:
    sign_in(client)
    page = listing(client, query)
    assert page.status_code == 200, page.text
    assert set(names(page.text)) == expected
    assert f"{len(expected)} 条记录" in page.text


def test_conditions_show_as_readable_chips_that_can_be_removed(client: TestClient) -> None:
    sign_in(client)
    page = listing(client, "f=grade:in:A,B&f=owner:eq:$me&f=since:last_n_days:7", "en-US")
    assert "Grade is any of A, B" in page.text and "Owner is me" in page.text
    assert "Since is in the last 7 days" in page.text
    removal = re.search(r'href="(/apps/sales/customer\?f=grade:in:A,B&amp;f=owner:eq:\$me)"', page.text)
    assert removal, "each chip links to the list without it"


@pytest.mark.parametrize(("query", "zh", "en"), [
    ("f=nope:eq:1", "没有可筛选的字段“nope”", "there is no field 'nope' to filter on"),
    ("f=order_count:eq:1", "没有可筛选的字段“order_count”", "there is no field 'order_count'"),
    ("f=grade:gt:A", "字段“等级”不支持“大于”", "'Grade' cannot be filtered with 'is more than'"),
    ("f=since:eq:yesterday-ish", "不是“首次合作”的有效值", "is not a valid value of 'Since'"),
    ("f=rating:between:1", "需要填写值", "needs a value"),
    ("f=since:last_n_days:0", "不是“首次合作”的有效值", "1 to 36500"),
    ("f=grade", "字段“等级”不支持", "cannot be filtered with"),
])
def test_a_bad_filter_is_a_clear_400_in_the_users_language(client: TestClient, query: str, zh: str, en: str) -> None:
    sign_in(client)
    page = listing(client, query)
    assert page.status_code == 400 and zh in page.text and 'role="alert"' in page.text
    assert "清除全部筛选" in page.text and "<tbody>" not in page.text
    assert en in unescape(listing(client, query, "en-US").text)


def test_bad_sort_and_cursor_are_messages_not_errors(client: TestClient) -> None:
    sign_in(client)
    for query in ("sort=order_count", "after=not-a-cursor", "sort=nope"):
        page = listing(client, query)
        assert page.status_code == 400 and 'role="alert"' in page.text, query


def test_builder_input_fits_the_field_and_operator(client: TestClient) -> None:
    sign_in(client)
    base = "/apps/sales/customer/filter-input"
    grade = client.get(base, params={"nf": "grade"}).text
    assert 'name="no"' in grade and '<option value="A">A</option>' in grade and 'name="nv"' in grade
    assert "multiple" in client.get(base, params={"nf": "grade", "no": "in"}).text
    assert 'type="date"' in client.get(base, params={"nf": "since", "no": "eq"}).text
    assert 'name="nv"' not in client.get(base, params={"nf": "since", "no": "this_week"}).text
    days = client.get(base, params={"nf": "since", "no": "last_n_days"}).text
    assert 'type="number" name="nv" min="1"' in days
    assert client.get(base, params={"nf": "since", "no": "between"}).text.count('name="nv"') == 2
    owner = client.get(base, params={"nf": "owner", "no": "eq"}).text
    assert 'value="$me"' in owner and ">Bob<" in owner
    assert 'type="number"' in client.get(base, params={"nf": "rating", "no": "ge"}).text
    assert client.get(base, params={"nf": "order_count"}).text.strip() == ""


def test_builder_condition_becomes_a_readable_url(client: TestClient) -> None:
    sign_in(client)
    plain = client.get("/apps/sales/customer", params=[("f", "grade:not_empty"), ("nf", "grade"), ("no", "in"),
                                                       ("nv", "A"), ("nv", "B")], follow_redirects=False)
    assert plain.status_code == 303
    assert unquote(plain.headers["location"]) == "/apps/sales/customer?f=grade:not_empty&f=grade:in:A,B"
    htmx = client.get("/apps/sales/customer", params={"nf": "since", "no": "last_month"},
                      headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and htmx.headers["HX-Push-Url"] == "/apps/sales/customer?f=since:last_month"
    assert htmx.text.lstrip().startswith('<div id="listing"') and "<html" not in htmx.text
    assert names(htmx.text) == ["北辰软件"]
    bad = client.get("/apps/sales/customer", params={"nf": "rating", "no": "gt"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "需要填写值" in bad.text  # htmx swaps only 2xx answers


def test_filter_sort_and_keyset_pages_together(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    ws.records.create_many(ALICE, "customer", [{"name": f"客户{i:02d}", "grade": "B" if i % 3 else "C",
                                                 "rating": i % 5 + 1} for i in range(60)])
    sign_in(client)
    url = "/apps/sales/customer?f=grade:eq:B&sort=rating&dir=asc"
    seen: list[str] = []
    ratings: list[int] = []
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += names(page.text)
        nxt = re.search(r'<a href="([^"]+)" hx-get="[^"]+"[^>]*rel="next"', page.text)
        url = nxt.group(1).replace("&amp;", "&") if nxt else ""
        if url:
            params = parse_qs(urlsplit(url).query)
            assert params["f"] == ["grade:eq:B"] and params["sort"] == ["rating"] and params["dir"] == ["asc"]
    expected = [r for r in ws.records.list(ALICE, "customer", _query_b()).records]
    assert seen == [r["name"] for r in expected] and len(seen) == len(set(seen)) == 41
    ratings = [r["rating"] for r in expected]
    assert ratings == sorted(ratings)


def _query_b():  # type: ignore[no-untyped-def]
    from engine.records.model import Filter, Query

    return Query(filters=(Filter("grade", "eq", "B"),), sort=(("rating", False),), limit=100)


def test_sort_links_keep_filters_and_search(client: TestClient) -> None:
    sign_in(client)
    page = listing(client, "f=grade:not_empty&q=%E5%8D%8E&sort=since&dir=desc")
    assert 'href="/apps/sales/customer?f=grade:not_empty&amp;q=%E5%8D%8E&amp;sort=since&amp;dir=asc"' in page.text
    assert 'href="/apps/sales/customer?f=grade:not_empty&amp;q=%E5%8D%8E&amp;sort=name&amp;dir=desc"' in page.text
    ascending = names(listing(client, "f=grade:not_empty&sort=rating&dir=asc").text)
    assert ascending == ["南山茶业", "东方物流", "北辰软件", "华联电子"]


def headers(html: str) -> list[str]:
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>|[↑↓]", "", h).strip() for h in re.findall(r"<th>(.*?)</th>", head, re.S)]


def test_chosen_columns_travel_in_the_url_and_saved_views(client: TestClient) -> None:
    token = sign_in(client)
    assert headers(listing(client, "").text) == ["名称", "等级", "邮箱", "首次合作", "负责人", "标签", "订单数"]
    page = listing(client, "cols=rating&cols=name,nope&sort=rating&dir=asc")
    assert headers(page.text) == ["名称", "评分"] and names(page.text)[:2] == ["西湖旅游", "南山茶业"]  # empty first
    assert 'href="/apps/sales/customer?sort=name&amp;dir=desc&amp;cols=name,rating"' in page.text
    default = client.get("/apps/sales/customer", params={"nf": "grade", "no": "not_empty", "cols": [
        "name", "grade", "email", "since", "owner", "tags", "order_count"]}, follow_redirects=False)
    assert unquote(default.headers["location"]) == "/apps/sales/customer?f=grade:not_empty"  # the default: left out
    saved = _save_view(client, token, "评分", "cols=name,rating")
    assert "cols=name,rating&view=" in unquote(saved.headers["location"])
    assert headers(client.get(saved.headers["location"]).text) == ["名称", "评分"]


def _save_view(client: TestClient, token: str, name: str, query: str):  # type: ignore[no-untyped-def]
    return client.post("/apps/sales/customer/views", data={"csrf_token": token, "name": name, "query": query},
                       follow_redirects=False)


def test_saved_views_belong_to_their_user(client: TestClient) -> None:
    token = sign_in(client)
    saved = _save_view(client, token, "A 级客户", "f=grade:eq:A&sort=rating&dir=asc&after=zzz")
    assert saved.status_code == 303
    location = unquote(saved.headers["location"])
    assert location.startswith("/apps/sales/customer?f=grade:eq:A&sort=rating&dir=asc&view=")
    page = client.get(saved.headers["location"])
    assert "A 级客户" in page.text and names(page.text) == ["东方物流", "华联电子"]
    assert re.search(r'class="tab active">\s*<a[^>]*>A 级客户', page.text)
    view_id = int(location.rsplit("=", 1)[1])
    assert _save_view(client, token, "  ", "f=grade:eq:A").status_code == 303  # no name: a notice, nothing saved

    bob = TestClient(client.app, base_url="http://testserver")
    bob_token = sign_in(bob, "bob")
    assert "A 级客户" not in bob.get("/apps/sales/customer").text
    refused = bob.post(f"/apps/sales/customer/views/{view_id}/delete", data={"csrf_token": bob_token})
    assert refused.status_code == 404
    assert "A 级客户" in client.get("/apps/sales/customer").text

    assert client.post(f"/apps/sales/customer/views/{view_id}/delete").status_code == 403  # no CSRF token
    gone = client.post(f"/apps/sales/customer/views/{view_id}/delete", data={"csrf_token": token},
                       follow_redirects=False)
    assert gone.status_code == 303 and "A 级客户" not in client.get("/apps/sales/customer").text


def test_an_existing_workspace_gets_the_saved_views_table(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    with ws.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE saved_views"))
    ws.ensure_system_tables()
    assert "saved_views" in sa.inspect(ws.engine).get_table_names()


def _ticked(client: TestClient, *names_: str) -> list[str]:
    """`id:version` of the named customers, as their row checkboxes send them."""
    ws = client.ws  # type: ignore[attr-defined]
    return [f"{r.id}:{r.version}" for r in ws.records.list(ALICE, "customer").records if r["name"] in names_]


def _batch(client: TestClient, token: str | None, ids: list[str], lang: str = "zh-CN", **fields: str):  # type: ignore[no-untyped-def]
    data: dict[str, str | list[str]] = {"_ids": ids, **fields}
    if token:
        data["csrf_token"] = token
    return client.post("/apps/sales/customer/batch", data=data, headers={"accept-language": lang})


def test_batch_edit_changes_each_record_and_reports_the_rest(client: TestClient) -> None:
    token = sign_in(client)
    widget = client.get("/apps/sales/customer/batch-value", params={"_field": "grade"}).text
    assert '<select name="grade"' in widget and '<option value="C"' in widget
    ticked = _ticked(client, "华联电子", "东方物流", "北辰软件")
    done = _batch(client, token, ticked, _action="edit", _field="grade", grade="C", _back="f=grade:eq:C")
    assert done.status_code == 200 and "已修改 3 / 3 条记录" in done.text
    assert str(done.url).endswith("?f=grade:eq:C") and len(names(done.text)) == 4

    stale = ticked[0]  # its version moved on with the edit above
    fresh = _ticked(client, "东方物流", "北辰软件")
    clash = _batch(client, token, [stale, *fresh], "en-US", _action="edit", _field="name", name="同名公司")
    assert "Changed 1 of 3 records." in clash.text
    assert "someone else just changed it" in clash.text  # the stale version
    ws = client.ws  # type: ignore[attr-defined]
    assert sum(r["name"] == "同名公司" for r in ws.records.list(ALICE, "customer").records) == 1
    refused = next(n for n in ("东方物流", "北辰软件") if any(r["name"] == n for r in ws.records.list(ALICE, "customer").records))
    assert re.search(rf"{refused} \(#\d+\): ", unescape(clash.text)), clash.text

    required = _batch(client, token, _ticked(client, "南山茶业"), _action="edit", _field="name", name="")
    assert "已修改 0 / 1 条记录" in required.text and "名称为必填项" in required.text
    nothing = _batch(client, token, [], _action="edit")
    assert "请先勾选记录" in nothing.text


def test_batch_delete_moves_records_to_the_bin_and_needs_csrf(client: TestClient) -> None:
    token = sign_in(client)
    ticked = _ticked(client, "南山茶业", "西湖旅游")
    assert _batch(client, None, ticked, _action="delete").status_code == 403
    page = client.get("/apps/sales/customer")
    assert len(names(page.text)) == 5 and 'data-confirm="删除选中的记录' in page.text
    done = _batch(client, token, ticked, _action="delete")
    assert "已删除 2 / 2 条记录" in done.text and "南山茶业" not in names(done.text)
    assert "南山茶业" in client.get("/apps/sales/customer/bin").text
    again = _batch(client, token, ticked, _action="delete")
    assert "已删除 0 / 2 条记录" in again.text and "记录已不存在" in again.text


def test_kanban_groups_by_a_select_field_and_moves_cards(client: TestClient) -> None:
    token = sign_in(client)
    assert 'href="/apps/sales/customer/kanban?by=grade"' in client.get("/apps/sales/customer").text
    board = client.get("/apps/sales/customer/kanban?by=grade")
    assert board.status_code == 200 and "/static/vendor/sortablejs/Sortable.min.js" in board.text
    counts = dict(re.findall(r'<h2><span>([^<]+)</span> <span class="count" data-count>(\d+)</span>', board.text))
    assert counts == {"A": "2", "B": "1", "C": "1", "(空)": "1"}
    record = next(r for r in client.ws.records.list(ALICE, "customer").records  # type: ignore[attr-defined]
                  if r["name"] == "南山茶业")
    assert f'data-id="{record.id}" data-version="{record.version}"' in board.text
    move = {"id": str(record.id), "version": str(record.version), "value": "A"}
    assert client.post("/apps/sales/customer/kanban/move?by=grade", data=move).status_code == 403  # no CSRF
    moved = client.post("/apps/sales/customer/kanban/move?by=grade", data=move, headers={"X-CSRF-Token": token})
    assert moved.status_code == 200 and moved.json() == {"id": record.id, "version": record.version + 1, "value": "A"}
    assert client.ws.records.get(ALICE, "customer", record.id)["grade"] == "A"  # type: ignore[attr-defined]
    stale = client.post("/apps/sales/customer/kanban/move?by=grade", data={**move, "value": "B"},
                        headers={"X-CSRF-Token": token, "accept-language": "en-US"})
    assert stale.status_code == 409 and "someone else just changed this record" in stale.json()["message"]
    bad = client.post("/apps/sales/customer/kanban/move?by=grade",
                      data={**move, "version": str(record.version + 1), "value": "Z"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 422 and bad.json()["message"].startswith("未保存")
    filtered_list = client.get("/apps/sales/customer?f=since:this_week").text
    assert 'href="/apps/sales/customer/kanban?by=grade&amp;f=since:this_week"' in filtered_list
    filtered = client.get("/apps/sales/customer/kanban?by=grade&f=since:this_week")
    counts = dict(re.findall(r'<h2><span>([^<]+)</span> <span class="count" data-count>(\d+)</span>', filtered.text))
    assert counts == {"A": "2", "B": "0", "C": "0", "(空)": "0"} and "首次合作 在本周" in filtered.text
    assert client.get("/apps/sales/customer/kanban?by=name").status_code == 404
    assert client.get("/apps/sales/customer/kanban?by=grade&f=nope:eq:1").status_code == 400


def test_empty_states_say_what_to_do_next(client: TestClient) -> None:
    sign_in(client)
    no_match = listing(client, "f=grade:eq:C&f=since:today")
    assert no_match.status_code == 200 and "没有符合条件的记录" in no_match.text and "清除全部筛选" in no_match.text
    empty = client.get("/apps/sales/payment")
    assert "暂无数据" in empty.text and 'href="/apps/sales/payment/new"' in empty.text and "新建第一条记录" in empty.text
    assert client.get("/apps/sales/product/kanban").status_code == 404  # a form without a select field


def test_the_count_of_a_list_is_singular_for_one_record_in_english(client: TestClient) -> None:
    sign_in(client)
    total = re.compile(r'<small class="muted" id="total">([^<]*)</small>')
    assert total.search(listing(client, "f=name:contains:软件", "en").text).group(1) == "1 record"  # type: ignore[union-attr]
    assert total.search(listing(client, "f=grade:eq:A", "en").text).group(1) == "2 records"  # type: ignore[union-attr]
    assert total.search(listing(client, "f=name:contains:软件").text).group(1) == "1 条记录"  # type: ignore[union-attr]


def test_column_widths_travel_in_the_url_and_the_saved_view(client: TestClient) -> None:
    token = sign_in(client)
    page = listing(client, "w=name:220,grade:96&sort=name&dir=asc")
    assert page.status_code == 200
    assert '<table class="records sized"' in page.text
    assert '<col data-width="220"><col data-width="96"><col data-width="160">' in page.text
    sort_links = re.findall(r'href="(/apps/sales/customer\?[^"]*)"', page.text)
    assert any("w=name:220,grade:96" in unescape(link) for link in sort_links)  # sort, pages and views keep them
    assert '<input type="hidden" name="w" value="name:220,grade:96">' in page.text  # and the filter form
    saved = _save_view(client, token, "宽名称", "w=name:220,grade:96")
    location = unquote(saved.headers["location"])
    assert saved.status_code == 303 and "w=name:220,grade:96&view=" in location
    reopened = client.get("/apps/sales/customer")
    view_link = re.search(r'<a href="([^"]*view=\d+)"[^>]*>宽名称</a>', reopened.text)
    assert view_link and "w=name:220,grade:96" in unescape(view_link.group(1))
    assert '<col data-width="220">' in client.get(unescape(view_link.group(1))).text


@pytest.mark.parametrize("widths", ["name:5", "name:99999", "name:wide", "nope:120", "name:120,name:130", "name",
                                    "name:-10", "name:1201"])
@pytest.mark.parametrize(("lang", "words"), [("zh-CN", "列宽无效"), ("en", "Bad column widths")])
def test_nonsense_column_widths_are_a_clear_400(client: TestClient, widths: str, lang: str, words: str) -> None:
    token = sign_in(client)
    page = listing(client, f"w={widths}", lang)
    assert page.status_code == 400 and words in page.text and "48" in page.text and "1200" in page.text
    assert '<table class="records' not in page.text
    refused = client.post("/apps/sales/customer/views", data={"csrf_token": token, "name": "坏", "query": f"w={widths}"},
                          headers={"accept-language": lang}, follow_redirects=False)
    assert refused.status_code == 400 and words in refused.text
    assert ">坏</a>" not in client.get("/apps/sales/customer").text  # nothing was saved
