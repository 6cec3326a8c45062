"""/api/docs as a reader sees it: the descriptions' Markdown rendered (and sanitised), a contents list, the page's
own words in Chinese and English, and (in Chromium, at phone width) a search box that filters the operations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from engine.gallery.catalog import find
from engine.gallery.install import install
from engine.i18n import text
from tests.conftest import FIXTURES, add_user, open_workspace, prepared_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.test_web import sign_in as sign_in_client
from web.api.openapi import document
from web.api.reference import Words, markdown_html
from web.app import create_app
from web.texts.api_reference_zh import zh_sentence


@pytest.fixture
def client(shop):  # type: ignore[no-untyped-def]
    with TestClient(create_app(shop), base_url="http://testserver") as c:
        sign_in_client(c)
        yield c


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))


def test_the_descriptions_markdown_is_rendered_not_shown_as_backticks(client: TestClient) -> None:
    page = client.get("/api/docs").text
    assert "`" not in _visible(page)
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in page


@pytest.mark.parametrize("lang, words, foreign", [
    ("zh", ("API 文档", "目录", "搜索接口", "参数", "响应", "数据结构", "译自 OpenAPI 文档", "查询客户记录",
            "新建一条订单记录", "在表单的文本字段中快速搜索", "表单或记录不存在"),
     ("Contents", "Search operations", "List Customer records", "quick search", "no such form")),
    ("en", ("API reference", "Contents", "Search operations", "Parameter", "Responses", "Schemas",
            "generate clients from", "List Customer records", "quick search over the form's text fields"),
     ("目录", "搜索接口", "查询客户记录")),
])
def test_the_pages_own_words_follow_the_readers_language(client: TestClient, lang: str, words: tuple[str, ...],
                                                          foreign: tuple[str, ...]) -> None:
    client.get(f"/lang/{lang}")
    page = client.get("/api/docs").text
    for word in words:
        assert word in page, word
    for word in foreign:
        assert word not in _visible(page), word


def _sentences(node: Any) -> Iterator[tuple[str, str]]:
    """(key, text) of every summary and description in an OpenAPI document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description") and isinstance(value, str):
                yield key, value
            else:
                yield from _sentences(value)
    elif isinstance(node, list):
        for value in node:
            yield from _sentences(value)


def _crm(ws: Any) -> None:
    install(ws, find("crm"), sample_data=False)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_every_sentence_of_the_document_reads_in_chinese(request: pytest.FixtureRequest, shop: Any) -> None:
    """A new summary or description in the OpenAPI generators without its Chinese reading fails here, by name."""
    crm = prepared_workspace(request, _crm)
    for ws in (shop, crm):
        words = Words(ws.definitions, "zh")
        missing = set()
        for path_item in document(ws.definitions)["paths"].values():
            for op in path_item.values():
                if isinstance(op, dict) and "operationId" in op:
                    if not re.search(r"[\u4e00-\u9fff]", words.summary(op["tags"][0], op["operationId"], op["summary"])):
                        missing.add(op["summary"])
        for key, sentence in _sentences(document(ws.definitions)):
            if key == "description" and zh_sentence(sentence) is None:
                missing.add(sentence)
        assert not missing, "sentences without a Chinese reading in web/texts/api_reference_zh.py:\n" + \
            "\n".join(sorted(missing))


def test_a_chinese_reader_sees_forms_and_fields_by_their_chinese_names(client: TestClient, shop: Any) -> None:
    client.get("/lang/zh")
    page = _visible(client.get("/api/docs").text)
    customer = shop.definitions.forms["customer"]
    assert text(customer.label, "zh") in page and text(customer.label, "en") + " records" not in page
    assert all(text(f.label, "zh") in page for f in customer.fields if f.type in ("text", "email"))
    client.get("/lang/en")
    assert text(customer.label, "en") in _visible(client.get("/api/docs").text)


def test_the_contents_list_links_every_operation_and_the_search_needs_no_inline_script(client: TestClient) -> None:
    page = client.get("/api/docs").text
    contents = page[page.index('class="card api-contents"'):page.index('id="api-operations"')]
    for op in ("listCustomer", "createOrder", "getProduct"):
        assert f'href="#{op}"' in contents and f'id="{op}"' in page
    assert '<script src="/static/js/api-docs.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # CSP: no inline script
    assert client.get("/static/js/api-docs.js").status_code == 200


def test_markdown_is_sanitised() -> None:
    shown = str(markdown_html("<script>alert(1)</script> [click](javascript:alert(1)) `a<b>`"))
    assert "<script" not in shown and 'href="javascript' not in shown  # raw HTML shown as text, the link refused
    assert "<code>a&lt;b&gt;</code>" in shown


@pytest.fixture
def site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    with live_server(ws) as url:
        yield url
    ws.close()


def test_the_search_box_filters_operations_on_a_phone(chromium: Any, site: str) -> None:  # noqa: F811
    errors: list[str] = []
    page = new_page(chromium, site, width=375, height=800, errors=errors)
    sign_in(page)
    page.goto("/api/docs")
    search = page.locator("#api-search")
    search.fill("customer post")
    page.wait_for_function("() => document.getElementById('listOrder').hidden")
    assert page.locator("#createCustomer").is_visible()
    assert not page.locator("#listCustomer").is_visible()  # a GET: "post" is not among its words
    assert not page.locator("li[data-api-op=listOrder]").is_visible()  # the contents follow the search
    assert page.locator("#api-search-count").inner_text() in ("1 个接口", "2 个接口", "3 个接口")
    search.fill("nothing-like-this")
    page.wait_for_selector(".api-no-match", state="visible")
    search.fill("")
    page.wait_for_function("() => !document.getElementById('listOrder').hidden")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    page.screenshot(path="/tmp/words/api_docs_375.png", full_page=False)
    assert errors == []
    page.context.close()
