"""formwork export / publish / history / diff / rollback on the CRM template."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from engine.cli import main
from engine.records.model import Actor
from engine.settings import Settings
from engine.workspace import Workspace

CLIENT = "crm/client/forms/client.yaml"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def crm_home(tmp_path: Path, name: str = "home", url: str = "") -> str:
    home = str(tmp_path / name)
    assert run("init", "--home", home, *(["--database-url", url] if url else []))[0] == 0
    assert run("template", "install", "crm", "--home", home)[0] == 0
    return home


def open_home(home: str) -> Any:
    ws = Workspace.open(Settings.load({"home": home}))
    OPENED.append(ws)
    return ws


OPENED: list[Any] = []


@pytest.fixture(autouse=True)
def _close_workspaces() -> Iterator[None]:
    yield
    while OPENED:
        OPENED.pop().close()


def test_export_publish_export_round_trip(tmp_path: Path, db_url: str) -> None:
    home = crm_home(tmp_path, url=db_url)
    first = tmp_path / "first"
    code, out = run("export", str(first), "--home", home)
    count = len(open_home(home).sources())
    assert code == 0 and f"exported {count} document(s)" in out and (first / CLIENT).is_file()

    empty = str(tmp_path / "empty")
    assert run("init", "--home", empty)[0] == 0
    code, out = run("publish", str(first), "--plan", "--home", empty)
    assert code == 0 and f"added    {CLIENT}" in out and "create_table" in out and "nothing was written" in out
    assert open_home(empty).sources() == {}
    code, out = run("publish", str(first), "--note", "from export", "--home", empty)
    assert code == 0 and f"published {count} document(s)" in out, out
    assert "client" in open_home(empty).definitions.forms
    second = tmp_path / "second"
    assert run("export", str(second), "--home", empty)[0] == 0
    assert files(first) == files(second)
    code, out = run("publish", str(first), "--home", empty)
    assert code == 0 and "nothing to publish" in out


def test_export_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    home = crm_home(tmp_path)
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, out = run("export", str(target), "--home", home)
    assert code == 1 and "not empty" in out and "--force" in out and files(target) == {"notes.txt": b"mine"}
    code, out = run("export", str(target), "--force", "--home", home)
    assert code == 0 and (target / CLIENT).is_file() and (target / "notes.txt").read_text() == "mine"


def test_a_template_folder_is_published_under_its_name_and_prune_removes(tmp_path: Path) -> None:
    home = crm_home(tmp_path)
    source = tmp_path / "export"
    assert run("export", str(source), "--home", home)[0] == 0
    folder = tmp_path / "crm"
    (source / "crm").rename(folder)  # a plain folder (no export marker): stored under its own name
    before = open_home(home).sources()
    code, out = run("publish", str(folder), "--home", home)
    assert code == 0 and "nothing to publish" in out and open_home(home).sources() == before
    (folder / "roles.yaml").unlink()
    code, out = run("publish", str(folder), "--plan", "--home", home)
    assert code == 0 and "removed" not in out  # without --prune a missing document is kept
    code, out = run("publish", str(folder), "--prune", "--home", home)  # with it, removed: the roles still in use
    assert code == 1 and "unknown role 'sales_rep'" in out and "nothing was published" in out
    assert open_home(home).sources() == before


def test_a_broken_folder_is_refused_with_file_and_line(tmp_path: Path) -> None:
    home = crm_home(tmp_path)
    folder = tmp_path / "out"
    assert run("export", str(folder), "--home", home)[0] == 0
    before = open_home(home).sources()
    client = folder / CLIENT
    client.write_text(client.read_text(encoding="utf-8").replace("type: select", "type: selekt", 1), encoding="utf-8")
    code, out = run("publish", str(folder), "--home", home)
    assert code == 1 and re.search(r"crm/client/forms/client\.yaml:\d+ /fields/\d+/type: .*selekt", out), out
    assert "nothing was published" in out
    assert open_home(home).sources() == before
    code, out = run("publish", str(folder), "--home", home, "--lang", "zh")
    assert code == 1 and "未知字段类型“selekt”,是否想写“select”?" in out and "unknown field type" not in out, out



def test_history_diff_and_rollback_keep_the_records(tmp_path: Path) -> None:
    home = crm_home(tmp_path)
    folder = tmp_path / "out"
    assert run("export", str(folder), "--home", home)[0] == 0
    original = (folder / CLIENT).read_text(encoding="utf-8")
    changed = original.replace("en: Short name}", "en: Short name (new)}", 1)
    assert changed != original
    (folder / CLIENT).write_text(changed, encoding="utf-8")
    code, out = run("publish", str(folder), "--note", "rename short name", "--home", home)
    assert code == 0 and "published 1 document(s)" in out

    ws = open_home(home)
    created = ws.records.create(Actor(user_id=1, roles=frozenset({"admin"}), is_admin=True), "client",
                                {"name": "新客户有限公司", "industry": "MANU"})

    code, out = run("history", CLIENT, "--home", home)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and lines[0].startswith("v2") and "rename short name" in lines[0]
    assert lines[1].startswith("v1") and "install template crm" in lines[1]

    code, out = run("diff", CLIENT, "--home", home)
    assert code == 0 and "--- crm/client/forms/client.yaml (version 1)" in out
    assert re.search(r"^-.*en: Short name\}", out, re.M) and re.search(r"^\+.*Short name \(new\)", out, re.M)
    assert run("diff", CLIENT, "2", "1", "--home", home)[1].count("(new)") == 1
    code, out = run("diff", CLIENT, "1", "7", "--home", home)
    assert code == 1 and "no version 7" in out

    assert ws.drafts.open(CLIENT, 1).text == changed  # the hand-edited file is what the designer opens
    ws.drafts.discard(CLIENT, 1)
    code, out = run("rollback", CLIENT, "1", "--note", "undo", "--as", "nobody", "--home", home)
    assert code == 1 and "no user 'nobody'" in out
    code, out = run("rollback", CLIENT, "1", "--note", "undo", "--as", "admin", "--home", home)
    assert code == 0 and "version 1 published as the new version" in out
    ws = open_home(home)
    assert ws.sources()[CLIENT] == original
    assert re.match(r"v3 .* admin  undo", run("history", CLIENT, "--home", home)[1].splitlines()[0])
    with ws.reading() as conn:
        audited = conn.execute(sa.text("SELECT target FROM audit_log WHERE action = 'definitions_published'")).all()
    assert [tuple(r) for r in audited] == [(CLIENT,)]
    admin = Actor(user_id=1, roles=frozenset({"admin"}), is_admin=True)
    assert ws.records.get(admin, "client", created.id).values["name"] == "新客户有限公司"
    code, out = run("history", "crm/nothing.yaml", "--home", home)
    assert code == 1 and "no document 'crm/nothing.yaml'" in out


def test_public_link_is_shown_switched_off_and_regenerated(tmp_path: Path) -> None:
    home = crm_home(tmp_path)
    code, out = run("public-link", "lead", "--home", home)
    assert code == 0 and re.fullmatch(r"/f/[A-Za-z0-9_-]{20,} \(on\)\n", out), out
    old = out.split()[0]
    code, out = run("public-link", "lead", "--off", "--home", home)
    assert code == 0 and out == f"{old} (off)\n"
    code, out = run("public-link", "lead", "--on", "--regenerate", "--home", home)
    assert code == 0 and out.endswith("(on)\n") and out.split()[0] != old
    code, out = run("history", "crm/lead/forms/lead.yaml", "--home", home)
    assert "public link of lead" in out
    code, out = run("public-link", "client", "--home", home)
    assert code != 0 and "has no public link" in out
