"""scripts/screenshots.py (`make screenshots`) photographs pages that exist: each path of its PAGES answers 200, as a
page of the app (not the sign-in form), to the user the script signs in as and to an administrator, on a CRM
workspace with the sample data. Chromium is not run here; the script itself is run by hand."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from engine.gallery.catalog import find
from engine.gallery.install import install
from tests.conftest import add_user, open_workspace
from tests.crm_sample import crm_sample
from web.app import create_app

ROOT = Path(__file__).parents[1]
SAMPLE_PASSWORD = crm_sample()["password"]


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["screenshots"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _sign_in(client: TestClient, username: str, password: str) -> None:
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    answer = client.post("/login", data={"username": username, "password": password, "next": "/",
                                         "csrf_token": token.group(1)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def test_every_page_the_script_photographs_answers_to_its_user_and_to_the_admin(tmp_path: Path) -> None:
    script = _script()
    names = [page.name for page in script.PAGES]
    assert len(names) == len(set(names)), "two pages would write the same file"
    assert {"home", "client-list", "client-record", "opportunity-new", "opportunity-kanban"} <= set(names)
    assert any(page.charts for page in script.PAGES), "no dashboard"
    assert {w for w, _ in script.WIDTHS} == {1280, 375}

    ws = open_workspace(f"sqlite:///{tmp_path / 'crm.db'}", tmp_path / "ws")
    try:
        install(ws, find("crm"), sample_data=True)  # type: ignore[arg-type]
        add_user(ws, script.ADMIN, roles=("admin",))  # as `formwork init` makes it
        passwords = {script.ADMIN: "correct horse 1", script.REP: SAMPLE_PASSWORD}
        with TestClient(create_app(ws), base_url="http://testserver") as client:
            for user in sorted({script.ADMIN} | {page.user for page in script.PAGES}):
                _sign_in(client, user, passwords[user])
                for page in script.PAGES:
                    if user not in (page.user, script.ADMIN):
                        continue
                    for lang in page.langs:
                        client.get(f"/lang/{lang}?next=/")
                        answer = client.get(page.path, follow_redirects=False)
                        assert answer.status_code == 200, (user, lang, page.path, answer.status_code)
                        assert 'name="password"' not in answer.text, (user, page.path, "shows the sign-in form")
    finally:
        ws.close()
