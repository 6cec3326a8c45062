"""deploy/ (Docker Compose, Dockerfile, systemd units, env example) and docs/deploy.md stay true to the code: every
`formwork` command line in them parses with the real CLI, every Formwork variable they set is a setting, and the
compose file has the parts docs/deploy.md describes. (Images are not built here: no registry access in tests.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from engine.settings import SETTINGS
from web.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KNOWN = {s.env for s in SETTINGS}
# variables of other programs: PostgreSQL's image, uvicorn, the compose file's own knobs
OTHERS = {"POSTGRES_PASSWORD", "FORWARDED_ALLOW_IPS", "SITE_DOMAIN", "WEB_PROCESSES"}


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def interpolate(text: str) -> str:
    """Compose's `${NAME:-default}` and `${NAME:?message}` as they come out with nothing set."""
    text = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)
    return re.sub(r"\$\{\w+:\?[^}]*\}", "set", text)


def command_lines() -> list[list[str]]:
    """Every `formwork …` command of the compose services and the systemd units."""
    found = []
    for service in compose()["services"].values():
        command = service.get("command")
        if isinstance(command, list) and command[0] == "formwork":
            found.append([interpolate(str(part)) for part in command[1:]])
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart="))
                assert words[0].endswith("/formwork"), line
                found.append(words[1:])
    return found


def parse(args: list[str]) -> click.Context:
    """Parse a command line with the real CLI (options checked, nothing run)."""
    parent = click.Context(main, info_name="formwork")
    command = main.get_command(parent, args[0])
    assert command is not None, args
    return command.make_context(args[0], list(args[1:]), parent=parent)


def test_every_formwork_command_in_deploy_parses() -> None:
    lines = command_lines()
    assert {line[0] for line in lines} == {"init", "serve", "worker"}
    for line in lines:
        ctx = parse(line)
        if line[0] == "serve":
            assert ctx.params["workers"] >= 1 and ctx.params["host"] in ("0.0.0.0", "127.0.0.1")


def test_a_bad_command_would_be_caught() -> None:
    with pytest.raises(click.UsageError):
        parse(["serve", "--wrokers", "2"])


def test_the_variables_set_are_settings() -> None:
    example = [line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
               if line and not line.startswith("#")]
    assert set(example) - KNOWN <= OTHERS, set(example) - KNOWN - OTHERS
    assert {"FORMWORK_SECRET", "DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL"} <= set(example)
    named = set(re.findall(r"`((?:FORMWORK|DATABASE|REDIS)_[A-Z_]+)`", (ROOT / "docs" / "deploy.md").read_text()))
    assert named and named <= KNOWN, named - KNOWN
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for name in re.findall(r"^Environment=(\w+)=", unit.read_text(), re.M):
            assert name in KNOWN | OTHERS, (unit.name, name)


def test_the_compose_file_has_the_parts_the_docs_describe() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "init", "web", "worker", "caddy"} <= set(services)
    for name in ("web", "worker"):
        service = services[name]
        assert service["deploy"]["replicas"] >= 2
        assert service["depends_on"]["init"]["condition"] == "service_completed_successfully"
        assert "workspace:/srv/formwork/workspace" in service["volumes"]  # files and config shared by all
        assert service["environment"]["FORMWORK_HOME"] == "/srv/formwork/workspace"
    assert services["postgres"]["image"].startswith("postgres:")
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert re.search(r"dynamic a \{\s*name web\s*port 8000", caddyfile)
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -e ." in dockerfile and "USER formwork" in dockerfile
    readme = (ROOT / "README.md").read_text()
    assert "docs/deploy.md" in readme
