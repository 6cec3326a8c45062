"""XSS in real Chromium: payloads in labels, values, rich text, tags, file names, comments, view and token names
are shown as text on every page that shows them — no script runs, no element is injected, and the page raises no
Content-Security-Policy violation (one would mean markup got through and was only stopped by the policy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from engine.errors import RecordInvalid
from engine.files.sniff import PNG
from engine.org.tokens import create_token
from engine.records.comments import add_comment
from engine.records.model import Actor
from engine.records.saved_views import save_view
from engine.storage.database import write_transaction
from tests.conftest import FIXTURES, add_user, open_workspace, publish_directory
from tests.web.browser import chromium, live_server, new_page, sign_in  # noqa: F401  (fixture)
from tests.web.test_attacks import PNG as PNG_BYTES
from web.views.file_access import file_store

ADMIN = Actor(user_id=1, is_admin=True)
PAYLOADS = (
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=2\">",
    "\"><svg onload=alert(3)>",
    "'><iframe src=\"javascript:alert(4)\"></iframe>",
    "javascript:alert(5)",
    "{{7*7}}<a href=\"javascript:window.__xss=6\">clickme</a>",
)
EVIL = " ".join(PAYLOADS)
CUSTOMER_EXTRA = f"""
  - {{id: remark, type: text, label: {{zh: {json.dumps(EVIL)}, en: {json.dumps(EVIL)}}},
     help: {{zh: {json.dumps(EVIL)}, en: {json.dumps(EVIL)}}}}}
  - {{id: stage, type: select, label: {{zh: 阶段, en: Stage}}, options:
      [{{value: a, label: {{zh: {json.dumps(EVIL)}, en: {json.dumps(EVIL)}}}}}, {{value: b, label: {{zh: 乙, en: B}}}}]}}
  - {{id: site, type: url, label: {{zh: 网站, en: Site}}}}
"""
INJECTED = ("script:not([src])", "img[src=x]", "img[onerror]", "svg[onload]", "iframe", "a[href^='javascript']",
            "[onload]", "[onerror]")


@pytest.fixture
def poisoned(tmp_path: Path, clock):  # type: ignore[no-untyped-def]
    ws = open_workspace(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "ws", clock)
    publish_directory(ws, FIXTURES / "shop", "shop/")
    customer_yaml = (FIXTURES / "shop/sales/forms/customer.yaml").read_text(encoding="utf-8")
    customer_yaml = customer_yaml.replace("label: {zh: 客户, en: Customer}",
                                          f"label: {{zh: {json.dumps('客户' + EVIL)}, en: {json.dumps(EVIL)}}}", 1)
    ws.publish({"shop/sales/forms/customer.yaml": customer_yaml.rstrip("\n") + CUSTOMER_EXTRA})
    add_user(ws, "alice")
    stored = file_store(ws).save(PNG_BYTES, EVIL + ".png", PNG, 1)
    second = file_store(ws).save(PNG_BYTES, "second.png", PNG, 1)
    record = ws.records.create(ADMIN, "customer", {
        "name": EVIL[:250], "remark": EVIL[:250], "notes": EVIL, "profile": EVIL + "<p onclick=alert(7)>rich</p>",
        "tags": list(PAYLOADS[:4]), "stage": "a", "site": "https://example.com/\"><svg/onload=alert(8)>",
        "photo": [stored.ref(), {**second.ref(), "name": EVIL}], "grade": "A",  # the API keeps a name as sent
    })
    with pytest.raises(RecordInvalid):  # a javascript: address is not a web address
        ws.records.create(ADMIN, "customer", {"name": "x", "site": "javascript:alert(9)"})
    add_comment(ws.engine, ws.records.runtimes, "customer", record.id, 1, EVIL, ws.now())
    with write_transaction(ws.engine) as conn:
        view = save_view(conn, 1, "customer", EVIL[:100], {"f": [], "q": "", "sort": "", "dir": "", "cols": ""},
                         ws.now())
        create_token(conn, 1, EVIL[:80], ws.now())
    with live_server(ws) as url:
        yield url, record.id, view.id
    ws.close()


def _assert_inert(page: Any, errors: list[str], dialogs: list[str], where: str) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__xss") is None, where
    assert dialogs == [], where
    for selector in INJECTED:
        assert page.locator(f"body {selector}").count() == 0, (where, selector)
    assert errors == [], (where, errors)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_payloads_stay_text_on_every_page(chromium: Any, poisoned: Any, lang: str) -> None:  # noqa: F811
    url, record_id, view_id = poisoned
    errors: list[str] = []
    dialogs: list[str] = []
    page = new_page(chromium, url, locale=lang, errors=errors)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page)
    for path in ("/", "/apps/sales/customer", f"/apps/sales/customer?view={view_id}",
                 f"/apps/sales/customer/{record_id}", f"/apps/sales/customer/{record_id}/edit",
                 "/apps/sales/customer/new", "/apps/sales/customer/kanban?by=stage",
                 "/apps/sales/customer/kanban?by=grade", "/settings", "/api/docs"):
        page.goto(path)
        _assert_inert(page, errors, dialogs, path)
    page.goto(f"/apps/sales/customer/{record_id}")
    text = page.locator("main").inner_text()
    assert "<script>window.__xss=1</script>" in text  # shown as the text it is
    page.goto("/apps/sales/customer")
    page.fill("input[name=q]", "<svg onload=alert(1)>")
    page.keyboard.press("Enter")
    _assert_inert(page, errors, dialogs, "search")


def test_typing_payloads_into_the_form_keeps_them_inert(chromium: Any, poisoned: Any) -> None:  # noqa: F811
    url, record_id, _ = poisoned
    errors: list[str] = []
    dialogs: list[str] = []
    page = new_page(chromium, url, errors=errors)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page)
    page.goto("/apps/sales/customer/new")
    page.fill("input[name=name]", PAYLOADS[1])
    page.fill("textarea[name=notes]", PAYLOADS[2])
    with page.expect_response(lambda r: "/preview" in r.url  # live formulas and rules answer while typing
                              and parse_qs(r.request.post_data or "").get("remark") == [PAYLOADS[0]]):
        page.fill("input[name=remark]", PAYLOADS[0])
    page.wait_for_function("() => !document.querySelector('.live-preview.htmx-request')")  # and the answer is in the page
    _assert_inert(page, errors, dialogs, "typing")
    page.click("form.record-form .save-bar button[type=submit]")
    page.wait_for_url(lambda u: "/new" not in u)
    _assert_inert(page, errors, dialogs, "saved")
    assert PAYLOADS[1] in page.locator("main").inner_text()
    page.fill("textarea[name=body]", EVIL)
    page.click("form.comment-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    _assert_inert(page, errors, dialogs, "comment")
    assert "<script>window.__xss=1</script>" in page.locator(".comment-body").first.inner_text()
