"""Real Chromium against a real uvicorn server: the fixtures browser tests share.

Playwright's own browser download cannot run here; Debian's chromium (installed by `make test`) is launched instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from web.serve_thread import free_port, serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse 1"
# How long any wait for the page (an element, a URL, an `expect`) may take before the test fails: a safety net, never
# a pace. Pages answer in milliseconds; on a loaded machine a wait may take seconds, and it must not fail for that.
PATIENCE_MS = 120_000


@contextmanager
def live_server(ws: Any) -> Iterator[str]:
    """Serve the workspace's web app with uvicorn on a free loopback port; yields the base URL."""
    from web.app import create_app

    with serve_in_thread(create_app(ws), PATIENCE_MS / 1000) as url:
        yield url


_shared: dict[str, Any] = {"users": 0}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium for the session (skipped only where no chromium is installed at all).

    Each test module imports this fixture, so pytest keeps one instance per module: they share one browser
    (a second Playwright in the same process would fail), closed when the last instance ends.
    """
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PATIENCE_MS)  # `expect` keeps its own default (5 s), apart from the page's
    if not _shared["users"]:
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(executable_path=str(CHROMIUM))
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if not _shared["users"]:
            _shared["browser"].close()
            _shared["playwright"].stop()


# Console lines that are no fault of the page: a refused resource is caught by its status below; htmx logs a request
# it aborted itself as an error (hx-sync="this:replace": a user typing while an earlier search is still on its way,
# which a busy machine makes likely) — its failed requests still show by status, and network errors as sendError.
NOT_ERRORS = ("Failed to load resource", "htmx:afterRequest", "htmx:sendAbort")


def new_page(chromium: Any, base_url: str, *, locale: str = "zh-CN", width: int = 1280, height: int = 900,
             errors: list[str] | None = None, javascript: bool = True) -> Any:
    """A page in a fresh browser context (own cookies) that records console errors and CSP violations; with
    `javascript=False`, as a browser that runs no script sees the site."""
    context = chromium.new_context(base_url=base_url, locale=locale, viewport={"width": width, "height": height},
                                   java_script_enabled=javascript)
    page = context.new_page()
    if errors is not None:
        # Script errors, CSP refusals and broken assets; a 4xx answer to a page itself is the app speaking.
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and not m.text.startswith(NOT_ERRORS) else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)
    page.set_default_timeout(PATIENCE_MS)
    return page


def sign_in(page: Any, username: str = "alice", password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def user_menu(page: Any) -> Any:
    """Open the header's user menu (settings, the other language, sign out) and return it."""
    menu = page.locator("details.user-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu


def list_menu(page: Any, which: str = "more") -> Any:
    """Open a record list's toolbar menu ("more": export, import, recycle bin, save view; "view": table, kanban…)
    and return it."""
    menu = page.locator(f"details.{which}-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu


def settled(page: Any) -> None:
    """Wait until htmx has no request on its way and has settled what it swapped in: it attaches its listeners to new
    elements only then, so a change made to a just-swapped form before that is lost."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-added, .htmx-settling')")


def _settled(page: Any) -> bool:
    """True once the page has drawn two more frames: the input events sent before are handled by then."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")
    return True


def drag(page: Any, source: Any, target: Any, landed: str, across: float = 0.85, down: float = 0.5,
         up: float = 0) -> None:
    """Press on the source, move in small steps onto the target (`across` its width: after it, or before it when
    small; `down` its height, less `up` pixels) until SortableJS shows the dragged item where `landed` (a CSS
    selector) finds it, then release."""
    source.scroll_into_view_if_needed()
    start = source.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 6, y + 6, steps=5)
    page.wait_for_selector(".sortable-fallback", state="attached")  # the drag has started

    def aim() -> tuple[float, float]:
        """Where the pointer goes on the target as it is now: a drag may scroll the canvas (SortableJS scrolls near
        an edge) and the items move when the dragged one shows, so the target is measured again before each move."""
        target.scroll_into_view_if_needed()
        end = target.bounding_box()
        return end["x"] + end["width"] * across, end["y"] + end["height"] * down - up

    tx, ty = aim()
    page.mouse.move(tx, ty, steps=20)
    # The pointer is over the target; SortableJS moves the item on the next mouse moves, which a busy browser may
    # take a while to handle: nudge until the item shows where it lands (a generous bound, not a pace).
    # Once it shows there, the page is let handle the moves still queued (two animation frames) and looked at again:
    # a late move may have carried the item on, and releasing then would drop it elsewhere.
    deadline, nudge = time.monotonic() + 60, 0
    while not (page.locator(landed).count() and _settled(page) and page.locator(landed).count()):
        assert time.monotonic() < deadline, f"the dragged item never showed at {landed}"
        tx, ty = aim()
        page.mouse.move(tx + nudge % 3 - 1, ty + nudge % 2, steps=2)
        nudge += 1
    page.mouse.up()
