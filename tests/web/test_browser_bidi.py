"""Real Chromium: a title holding a right-to-left override reads in the order it was typed, on the list, the record
page and the kanban, at desktop and phone widths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from engine.records.model import Actor
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)

ALICE = Actor(user_id=1, is_admin=True)
# The letters of an element in the order they appear on screen, left to right (one Range per character).
VISIBLE_ORDER = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const seen = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width > 0 && /[\\p{L}\\p{N}.]/u.test(node.data[i])) seen.push([box.left, node.data[i]]);
    }
  }
  return seen.sort((a, b) => a[0] - b[0]).map(s => s[1]).join("");
}"""


@pytest.fixture
def bidi_site(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    add_user(ws, "alice")
    record = ws.records.create(ALICE, "customer", {"name": "invoice\u202egnp.exe", "grade": "A"})
    with live_server(ws) as url:
        yield url, record.id
    ws.close()


def test_the_method_sees_an_override(chromium: Any, bidi_site: Any) -> None:  # noqa: F811
    """Without isolation the same text reads "invoiceexe.png": the check below would catch a regression."""
    page = new_page(chromium, bidi_site[0])
    page.set_content("<p id=raw>invoice\u202egnp.exe</p>")
    assert page.eval_on_selector("#raw", VISIBLE_ORDER) == "invoiceexe.png"
    page.context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_title_reads_as_typed(chromium: Any, bidi_site: Any, width: int) -> None:  # noqa: F811
    url, record_id = bidi_site
    page = new_page(chromium, url, width=width, errors=(errors := []))
    sign_in(page)
    shots = os.environ.get("BIDI_SCREENSHOTS")  # a folder to keep screenshots in, for a person to look at
    for path, selector in (("/apps/sales/customer", f"td a[href$='/{record_id}']"),
                           (f"/apps/sales/customer/{record_id}", "main h1"),
                           ("/apps/sales/customer/kanban?by=grade", ".kanban-card > a")):
        page.goto(path)
        assert page.eval_on_selector(selector, VISIBLE_ORDER) == "invoicegnp.exe", path
        if shots:
            page.screenshot(path=f"{shots}/{path.strip('/').replace('/', '_').replace('?', '_')}-{width}.png",
                            full_page=True)
    assert errors == []
    page.context.close()
