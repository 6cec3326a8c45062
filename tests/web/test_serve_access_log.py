"""`formwork serve` writes no access log by default (the proxy in front logs requests); `--access-log` or
FORMWORK_ACCESS_LOG=1 turns it on. Real `formwork serve` processes on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_cli import run
from web.cli import main  # noqa: F401  (registers `serve` on the command group `run` invokes)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serve") / "ws"
    code, out = run("init", "--home", str(folder))
    assert code == 0, out
    return folder


def serve_and_get(home: Path, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Everything `formwork serve` printed while it answered GET /login once."""
    port, log = _free_port(), tmp_path / f"serve-{_free_port()}.log"
    command = [sys.executable, "-c", "from web.cli import main; main()", "serve", "--home", str(home),
               "--port", str(port), *args]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})})
        try:
            deadline = time.monotonic() + 120  # a busy machine may take a while to import and open the workspace
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30) as response:
                        assert response.status == 200
                    break
                except OSError:
                    assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(60)
    return log.read_text()


def test_no_access_log_by_default(home: Path, tmp_path: Path) -> None:
    output = serve_and_get(home, tmp_path, env={"FORMWORK_ACCESS_LOG": ""})
    assert "Formwork on http://" in output and "GET /login" not in output


@pytest.mark.parametrize(("args", "env"), [(("--access-log",), {}), ((), {"FORMWORK_ACCESS_LOG": "1"})])
def test_access_log_when_asked(home: Path, tmp_path: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    output = serve_and_get(home, tmp_path, *args, env=env)
    assert '"GET /login HTTP/1.1" 200' in output


def test_serve_help_names_the_option() -> None:
    code, out = run("serve", "--help")
    assert code == 0 and "--access-log" in out
