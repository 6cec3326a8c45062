"""A throw-away redis-server on a free loopback port, run in the foreground so a test can stop it and start it
again on the same port (to take Redis away from a worker and bring it back). Never the machine's Redis."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.pg import free_port


def stable_port() -> int:
    """A free loopback port outside the kernel's ephemeral range: while the server is down, no outgoing connection
    (not even a client retrying to reach it, which can connect to itself) can take the port as its own."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return free_port()
    for _ in range(50):
        port = random.randint(10_000, low - 1) if low > 11_000 else free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return free_port()


class RedisUnavailable(RuntimeError):
    """redis-server is not installed (`make test` installs Debian's redis-server)."""


class ThrowawayRedis:
    """`redis-server --port P --bind 127.0.0.1 --save '' --appendonly no` as a child process; nothing on disk."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable("redis-server is not installed (make test installs Debian's redis-server)")
        self.binary = binary
        self.port = port or stable_port()
        self.root = Path(tempfile.mkdtemp(prefix="formwork-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 120) -> str:
        """Start the server (on the same port as before) and wait until it answers PING; returns its URL."""
        if self.running:
            return self.url
        deadline = time.monotonic() + timeout
        self._launch()
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                if "Address already in use" not in self.log_tail(500):
                    raise RuntimeError(f"redis-server exited ({self.process.returncode}): {self.log_tail()}")
                time.sleep(0.2)  # the port is still held by a socket on its way out: try again
                self._launch()
            elif self.ping():
                return self.url
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port}: {self.log_tail()}")

    def _launch(self) -> None:
        with open(self.root / "redis.log", "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.root), "--daemonize", "no", "--protected-mode", "yes"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop(self) -> None:
        """Take the server down at once (SIGKILL: no final save, clients see the connection drop)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(60)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def ping(self) -> bool:
        """True if the server answers PING (a raw RESP exchange, no client library needed)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def flush(self) -> None:
        """Empty every database (between tests: no queued key of one test reaches the next test's worker)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(b"FLUSHALL\r\n")
            if not s.recv(64).startswith(b"+OK"):
                raise RuntimeError("FLUSHALL failed")

    def log_tail(self, size: int = 2000) -> str:
        path = self.root / "redis.log"
        return path.read_text(errors="replace")[-size:] if path.is_file() else ""
