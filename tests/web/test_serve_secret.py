"""`formwork serve --workers N`: more than one web process needs the workspace secret, the same in every process."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.serving import secret_refusal
from engine.settings import Settings
from web.cli import main

NO_SECRET = {"FORMWORK_SECRET": None, "FORMWORK_HOME": None, "DATABASE_URL": None}


def workspace_without_secret(tmp_path: Path) -> Path:
    home = tmp_path / "ws"
    Settings.load({"home": str(home)}, environ={}).save()  # config.json as an operator might leave it: no secret
    return home


def serve(home: Path, *args: str, env: dict[str, str | None] = NO_SECRET) -> tuple[int, str]:
    result = CliRunner(env=env).invoke(main, ["serve", "--home", str(home), *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_several_workers_without_a_secret_are_refused_naming_the_setting(tmp_path: Path) -> None:
    home = workspace_without_secret(tmp_path)
    code, out = serve(home, "--workers", "2", "--port", "1")
    assert code == 1
    assert "--workers 2 needs the workspace secret" in out
    assert "FORMWORK_SECRET" in out and "`secret`" in out and str(home.resolve() / "config.json") in out
    assert "Formwork on http" not in out  # refused before uvicorn was started


def test_a_secret_in_the_environment_or_the_config_lets_several_workers_start(tmp_path: Path) -> None:
    home = workspace_without_secret(tmp_path)
    assert secret_refusal(Settings.load({"home": str(home)}, environ={}), 4) is not None
    assert secret_refusal(Settings.load({"home": str(home)}, environ={"FORMWORK_SECRET": "s3cret"}), 4) is None
    assert secret_refusal(Settings.load({"home": str(home)}, environ={"FORMWORK_SECRET": "  "}), 4) is not None
    Settings.load({"home": str(home), "secret": "kept-in-config"}, environ={}).save()
    assert secret_refusal(Settings.load({"home": str(home)}, environ={}), 4) is None


def test_one_worker_needs_no_configured_secret(tmp_path: Path) -> None:
    home = workspace_without_secret(tmp_path)
    assert secret_refusal(Settings.load({"home": str(home)}, environ={}), 1) is None


def test_zero_workers_is_a_usage_error(tmp_path: Path) -> None:
    code, out = serve(workspace_without_secret(tmp_path), "--workers", "0")
    assert code == 2 and "--workers" in out and "0 is not in the range x>=1" in out
