"""The command line: init, validate, migrate, template, users — messages and exit codes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from tests.conftest import FIXTURES


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_version_and_help() -> None:
    code, out = run("--version")
    assert code == 0 and "formwork" in out
    for command in (["init"], ["validate"], ["migrate"], ["template", "install"], ["users", "add"]):
        code, out = run(*command, "--help")
        assert code == 0 and "Usage" in out


def test_validate_clean_and_broken(tmp_path: Path) -> None:
    code, out = run("validate", str(FIXTURES / "shop"))
    assert code == 0 and "4 forms" in out
    broken = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", broken)
    path = broken / "sales" / "forms" / "product.yaml"
    path.write_text(path.read_text().replace("type: money", "type: nubmer").replace("required: true", "requird: 1"))
    code, out = run("validate", str(broken))
    assert code == 1
    assert re.search(r"product\.yaml:5 /fields/1/type: 'nubmer' is not one of: .*did you mean 'number'", out) \
        or re.search(r"product\.yaml:5 /fields/1/type: .*did you mean 'number'", out), out
    assert "product.yaml:4 /fields/0/requird: unknown property 'requird'" in out


def test_init_template_users_and_migrate(tmp_path: Path) -> None:
    home = str(tmp_path / "ws")
    code, out = run("init", "--home", home)
    assert code == 0 and re.search(r"admin login: admin / \S{10,}", out), out
    code, out = run("init", "--home", home)
    assert code == 0 and "already exists" in out
    code, out = run("template", "install", "crn", "--home", home)
    assert code == 1 and "did you mean 'crm'" in out
    code, out = run("users", "add", "li.na", "--name", "李娜", "--home", home, "--role", "sales_rep")
    assert code == 0 and "created user li.na with password" in out
    code, out = run("users", "add", "li.na", "--home", home)
    assert code == 1 and "already exists" in out
    code, out = run("users", "list", "--home", home)
    assert code == 0 and "li.na" in out and "sales_rep" in out and "2 user(s)" in out
    code, out = run("migrate", "--plan", "--home", home)
    assert code == 0 and "up to date" in out


def test_commands_on_a_missing_workspace_say_so(tmp_path: Path) -> None:
    code, out = run("users", "list", "--home", str(tmp_path / "nowhere"))
    assert code == 1 and "formwork init" in out


def test_users_disable_roles_reset_and_transfer(tmp_path: Path) -> None:
    home = str(tmp_path / "ws")
    assert run("init", "--home", home)[0] == 0
    assert run("template", "install", "crm", "--sample-data", "--home", home)[0] == 0
    code, out = run("users", "disable", "lina", "--home", home)
    assert code == 0 and "disabled lina" in out
    assert "disabled" in run("users", "list", "--home", home)[1].split("lina")[1].splitlines()[0]
    code, out = run("users", "disable", "nobody", "--home", home)
    assert code == 1 and "no user 'nobody'" in out
    code, out = run("users", "roles", "lina", "sales_rep", "wizard", "--home", home)
    assert code == 1 and "wizard" in out
    assert run("users", "roles", "lina", "sales_manager", "--home", home)[0] == 0
    code, out = run("users", "reset-password", "lina", "--home", home)
    assert code == 0 and re.search(r"new password for lina: \S{12,}", out)
    code, out = run("users", "transfer", "lina", "zhangwei", "--home", home)
    assert code == 0 and re.search(r"handed [1-9]\d* record\(s\) from lina to zhangwei: .*client \d+", out), out
    code, out = run("users", "transfer", "lina", "zhangwei", "--home", home)
    assert code == 0 and "handed 0 record(s)" in out and "nothing owned" in out
