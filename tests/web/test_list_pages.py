"""The record list's pages and messages: numbered pages and page size in the URL (with filters, sort and saved
views), the offset cap past which pages go on by cursor, the batch bar, and notices styled by their kind.

On SQLite and PostgreSQL (the `shop` fixture).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from starlette.testclient import TestClient

from engine.errors import QueryInvalid
from engine.records.model import Actor, Query
from engine.records.query import MAX_OFFSET
from tests.conftest import add_user, publish_directory
from tests.web.test_web import sign_in
from web.app import create_app

ALICE = Actor(user_id=1, is_admin=True)
LIST = "/apps/sales/customer"


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    """65 customers 客户00…客户64; ratings 1–5 in turn, grade B except every third (C)."""
    add_user(shop, "bob")
    shop.records.create_many(ALICE, "customer", [{"name": f"客户{i:02d}", "grade": "B" if i % 3 else "C",
                                                  "rating": i % 5 + 1} for i in range(65)])
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        c.ws = shop  # type: ignore[attr-defined]
        yield c


def names(html: str) -> list[str]:
    """Customer names in the table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<a href="/apps/sales/customer/\d+">([^<]+)</a>', body)


def pager(html: str) -> str:
    found = re.search(r'<nav class="pager list-pager".*?</nav>', html, re.S)
    return unescape(found.group(0)) if found else ""


def page_links(html: str) -> dict[str, str]:
    """Shown page number → its URL ('' for the current page, which is no link)."""
    nav = pager(html)
    links = {n: unescape(url) for url, n in re.findall(r'<a href="([^"]+)"[^>]*class="page"[^>]*>(\d+)</a>', nav)}
    current = re.search(r'class="page current"[^>]*>(\d+)<', nav)
    return {**links, **({current.group(1): ""} if current else {})}


def rel(html: str, name: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)"[^>]*rel="{name}"', pager(html))
    return unescape(found.group(1)) if found else None


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def in_order(client: TestClient, sort: str = "name", descending: bool = False, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    records = client.ws.records.list(ALICE, "customer", Query(sort=((sort, descending),), limit=200, **kw)).records  # type: ignore[attr-defined]
    return [r["name"] for r in records]


def test_numbered_pages_of_twenty_with_previous_and_next(client: TestClient) -> None:
    sign_in(client)
    first = client.get(f"{LIST}?sort=name&dir=asc")
    everyone = in_order(client)
    assert first.status_code == 200 and names(first.text) == everyone[:20]
    assert sorted(page_links(first.text), key=int) == ["1", "2", "3", "4"]  # 65 records: four pages
    assert page_links(first.text)["1"] == "" and rel(first.text, "prev") is None
    third = client.get(page_links(first.text)["3"])
    assert names(third.text) == everyone[40:60]
    assert params(rel(third.text, "prev") or "")["page"] == ["2"] and params(rel(third.text, "next") or "")["page"] == ["4"]
    last = client.get(rel(third.text, "next") or "")
    assert names(last.text) == everyone[60:] and rel(last.text, "next") is None
    assert params(str(last.url))["sort"] == ["name"]  # the sort travels with every page link


def test_page_size_is_kept_in_the_url_by_sort_filter_and_search(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"{LIST}?size=50")
    assert len(names(page.text)) == 50 and sorted(page_links(page.text)) == ["1", "2"]
    assert re.search(r'class="size current"[^>]*>50<', page.text)
    assert '<input type="hidden" name="size" value="50">' in page.text  # the filter form and search keep it
    sorted_ = re.search(r"<th><a href=\"([^\"]+)\"[^>]*>名称", page.text)
    assert sorted_ and params(unescape(sorted_.group(1)))["size"] == ["50"]
    hundred = client.get(f"{LIST}?size=100")
    assert len(names(hundred.text)) == 65 and page_links(hundred.text) == {"1": ""}
    # a new size starts again from the first page
    two = client.get(page_links(client.get(f"{LIST}?sort=name&dir=asc").text)["2"])
    to_fifty = re.search(r'<a href="([^"]+)"[^>]*class="size"[^>]*>50<', two.text)
    assert to_fifty and "page" not in params(unescape(to_fifty.group(1)))


def test_pages_with_a_filter_and_search(client: TestClient) -> None:
    sign_in(client)
    grade_b = [n for n in in_order(client) if int(n[2:]) % 3]  # 43 of them
    page = client.get(f"{LIST}?f=grade:eq:B&sort=name&dir=asc&page=3")
    assert page.status_code == 200 and names(page.text) == grade_b[40:]
    assert "43 条记录" in page.text and sorted(page_links(page.text)) == ["1", "2", "3"]
    assert params(rel(page.text, "prev") or "") == {"f": ["grade:eq:B"], "sort": ["name"], "dir": ["asc"], "page": ["2"]}
    chip_removed = re.search(r'<a href="([^"]+)"[^>]*aria-label="移除条件', page.text)
    assert chip_removed and "page" not in params(unescape(chip_removed.group(1)))  # a new filter: page 1 again
    searched = client.get(f"{LIST}?q=客户1&page=1")
    assert len(names(searched.text)) == 10 and pager(searched.text) == ""  # one page only: no pager


def test_a_page_past_the_end_shows_the_last_page(client: TestClient) -> None:
    sign_in(client)
    page = client.get(f"{LIST}?sort=name&dir=asc&page=9")
    assert page.status_code == 200 and names(page.text) == in_order(client)[60:]
    assert page_links(page.text)["4"] == ""


@pytest.mark.parametrize(("query", "message"), [
    ("page=0", "页码应为正整数"), ("page=abc", "页码应为正整数"), ("page=-2", "页码应为正整数"),
    (f"page={MAX_OFFSET // 20 + 2}", f"页码最多到第 {MAX_OFFSET // 20 + 1} 页"),
    (f"size=100&page={MAX_OFFSET // 100 + 2}", f"页码最多到第 {MAX_OFFSET // 100 + 1} 页"),
    ("size=30", "每页条数只能是 20, 50, 100"), ("size=100000", "每页条数只能是"),
])
def test_a_page_or_size_the_list_cannot_show_is_refused_clearly(client: TestClient, query: str, message: str) -> None:
    sign_in(client)
    page = client.get(f"{LIST}?{query}")
    assert page.status_code == 400 and message in page.text and names(page.text) == []


def test_the_engine_bounds_the_offset(client: TestClient) -> None:
    ws = client.ws  # type: ignore[attr-defined]
    at_cap = ws.records.list(ALICE, "customer", Query(offset=MAX_OFFSET, limit=20))
    assert at_cap.records == [] and at_cap.next_cursor is None
    skipped = ws.records.list(ALICE, "customer", Query(sort=(("name", False),), offset=60, limit=20))
    assert [r["name"] for r in skipped.records] == in_order(client)[60:]
    for offset in (MAX_OFFSET + 1, -1):
        with pytest.raises(QueryInvalid):
            ws.records.list(ALICE, "customer", Query(offset=offset))


def test_past_the_numbered_pages_the_list_goes_on_by_cursor(client: TestClient,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """With numbers stopping at offset 40 (page 3 of 20), page 3's Next is a cursor and the last rows follow."""
    monkeypatch.setattr("web.views.pagination.MAX_OFFSET", 40)
    sign_in(client)
    page = client.get(f"{LIST}?f=grade:not_empty&sort=name&dir=asc")
    assert sorted(page_links(page.text), key=int) == ["1", "2", "3"]
    assert "页码只到第 3 页" in page.text
    third = client.get(page_links(page.text)["3"])
    following = rel(third.text, "next") or ""
    assert "after" in params(following) and "page" not in params(following)
    assert params(following)["f"] == ["grade:not_empty"] and params(following)["sort"] == ["name"]
    beyond = client.get(following)
    assert beyond.status_code == 200 and names(beyond.text) == in_order(client)[60:]
    assert "已超过第 3 页" in beyond.text and page_links(beyond.text) == {}
    assert "page" not in params(rel(beyond.text, "first") or "?")  # back to numbered pages
    assert client.get(f"{LIST}?page=4").status_code == 400


def test_a_saved_view_keeps_the_page_size(client: TestClient) -> None:
    token = sign_in(client)
    saved = client.post(f"{LIST}/views", data={"csrf_token": token, "name": "五十条", "query": "size=50&page=2&sort=rating&dir=asc"},
                        follow_redirects=False)
    location = unquote(saved.headers["location"])
    assert "size=50" in location and "page=" not in location
    view = client.get(location)
    assert len(names(view.text)) == 50 and re.search(r'class="tab active">\s*<a[^>]*>五十条', view.text)
    assert re.search(r'<a href="[^"]*size=50[^"]*view=\d+"', view.text)  # the tab's own link


def test_the_batch_bar_comes_with_a_count_and_a_rule_that_hides_it_until_a_tick(client: TestClient) -> None:
    sign_in(client)
    page = client.get(LIST).text
    bar = re.search(r'<div class="batch-bar" data-batch-bar>(.*?)</div>', page, re.S)
    assert bar and 'data-picked-count' in bar.group(1) and 'data-template="已选 {n} 条"' in bar.group(1)
    css = client.get("/static/list.css").text
    assert "form.batch:not(:has(input[name=_ids]:checked)) .batch-bar { display: none; }" in css


def _batch(client: TestClient, token: str, ids: list[str], lang: str = "zh-CN", **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"{LIST}/batch", data={"_ids": ids, "csrf_token": token, **fields},
                       headers={"accept-language": lang})


def notice(html: str) -> tuple[str, str]:
    """(kind, text) of the list's notice."""
    found = re.search(r'<div class="notice (\w+)" role="(\w+)">(.*?)</div>', html, re.S)
    assert found, "no notice"
    return found.group(1), re.sub(r"<[^>]+>", " ", unescape(found.group(3)))


def _ids(client: TestClient, *wanted: str) -> list[str]:
    records = client.ws.records.list(ALICE, "customer", Query(limit=200)).records  # type: ignore[attr-defined]
    return [f"{r.id}:{r.version}" for r in records if r["name"] in wanted]


def test_notices_have_their_kind(client: TestClient) -> None:
    token = sign_in(client)
    nothing = _batch(client, token, [], _action="edit")
    assert notice(nothing.text)[0] == "warning" and "请先勾选记录" in notice(nothing.text)[1]
    ticked = _ids(client, "客户01", "客户02")
    done = _batch(client, token, ticked, _action="edit", _field="grade", grade="A")
    assert notice(done.text)[0] == "success" and "已修改 2 / 2 条记录" in notice(done.text)[1]
    stale = _batch(client, token, ticked, _action="edit", _field="grade", grade="C")  # versions moved on
    assert notice(stale.text)[0] == "error" and "已修改 0 / 2 条记录" in notice(stale.text)[1]
    half = _batch(client, token, [ticked[0], *_ids(client, "客户02")], _action="edit", _field="grade", grade="C")
    assert notice(half.text)[0] == "warning" and "已修改 1 / 2 条记录" in notice(half.text)[1]
    no_field = _batch(client, token, _ids(client, "客户03"), _action="edit")
    assert notice(no_field.text)[0] == "warning"
    unnamed = client.post(f"{LIST}/views", data={"csrf_token": token, "name": " ", "query": "sort=name"})
    assert notice(unnamed.text)[0] == "warning"
    no_pdf = client.post(f"{LIST}/print.pdf", data={"csrf_token": token})
    assert notice(no_pdf.text)[0] == "warning" and "请先勾选" in notice(no_pdf.text)[1]
    assert 'role="alert"' in stale.text and 'class="notice warning" role="status"' in no_pdf.text
    assert ".notice.warning {" in client.get("/static/app.css").text


TINTED = {
    "app.yaml": "app: tint\nlabel: {zh: 色彩, en: Tint}\nforms: [lead]\n",
    "forms/lead.yaml": """form: lead
label: {zh: 线索, en: Lead}
title: name
fields:
  - {id: name, type: text, label: {zh: 名称, en: Name}}
  - id: stage
    type: select
    label: {zh: 阶段, en: Stage}
    options:
      - {value: new, label: {zh: 新线索, en: New}, color: blue}
      - {value: won, label: {zh: 赢单, en: Won}, color: green}
      - {value: odd, label: {zh: 其他, en: Other}}
""",
}


def test_option_colours_show_in_the_filter_choices(client: TestClient, tmp_path: Path) -> None:
    for name, body in TINTED.items():
        (tmp_path / "tint" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "tint" / name).write_text(body, encoding="utf-8")
    ws = client.ws  # type: ignore[attr-defined]
    publish_directory(ws, tmp_path / "tint", "tint/")
    ws.records.create(ALICE, "lead", {"name": "甲", "stage": "won"})
    sign_in(client)
    one = client.get("/apps/tint/lead/filter-input", params={"nf": "stage", "no": "eq"}).text
    assert re.search(r'type="radio" name="nv" value="new" checked><span class="option-badge app-color-blue">新线索', one)
    assert '<span class="option-badge plain">其他</span>' in one
    many = client.get("/apps/tint/lead/filter-input", params={"nf": "stage", "no": "in"}).text
    assert 'type="checkbox" name="nv" value="won"><span class="option-badge app-color-green">赢单' in many
    plain = client.get(f"{LIST}/filter-input", params={"nf": "grade", "no": "in"}).text
    assert '<select name="nv"' in plain and "option-badge" not in plain  # no colours: the plain list
    listed = client.get("/apps/tint/lead", params={"nf": "stage", "no": "in", "nv": ["won", "new"]})
    assert unquote(str(listed.url)).endswith("f=stage:in:won,new") and "甲" in listed.text


def test_a_big_list_is_counted_up_to_a_cap_and_exactly_on_request(client: TestClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """With the count capped at 30 (COUNT_CAP is 10,000), 65 records show as "30+" with a link to the exact count; the
    pager goes on past the counted rows; the exact count is kept while paging."""
    monkeypatch.setattr("web.views.liststate.COUNT_CAP", 30)
    sign_in(client)
    first = client.get(f"{LIST}?sort=name&dir=asc")
    total = re.search(r'<small class="muted" id="total">(.*?)</small>', first.text, re.S).group(1)  # type: ignore[union-attr]
    assert "30+ 条记录" in total and "精确计数" in total and "65" not in total
    assert sorted(page_links(first.text), key=int) == ["1", "2"]  # 31 rows are known to be there
    second = client.get(page_links(first.text)["2"])
    third = client.get(rel(second.text, "next") or "")
    assert names(third.text) == in_order(client)[40:60] and rel(third.text, "next")
    exact_url = unescape(re.search(r'<a href="([^"]+)"[^>]*class="exact-count"', first.text).group(1))  # type: ignore[union-attr]
    assert params(exact_url)["count"] == ["exact"]
    exact = client.get(exact_url)
    assert "65 条记录" in exact.text and "精确计数" not in exact.text
    assert sorted(page_links(exact.text), key=int) == ["1", "2", "3", "4"]
    assert params(page_links(exact.text)["2"])["count"] == ["exact"]
    english = client.get(f"{LIST}?sort=name&dir=asc", headers={"Accept-Language": "en"})
    assert "30+ records" in english.text and "Count exactly" in english.text


def test_the_api_counts_up_to_the_cap_on_request(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.api.records.COUNT_CAP", 30)
    sign_in(client)
    capped = client.get("/api/v1/customer?total=capped&limit=5").json()
    assert (capped["total"], capped["total_exact"], len(capped["records"])) == (30, False, 5)
    exact = client.get("/api/v1/customer?total=1&limit=5").json()
    assert (exact["total"], exact["total_exact"]) == (65, True)
    few = client.get("/api/v1/customer?total=capped&limit=5&filter=" + '[{"field":"rating","op":"eq","value":1}]').json()
    assert (few["total"], few["total_exact"]) == (13, True)
    assert client.get("/api/v1/customer?total=maybe").status_code == 400
