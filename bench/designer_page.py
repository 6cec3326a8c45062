"""Designer page benchmark: server time of the form designer for the CRM client form (40 fields, sections, rules,
rollups, formulas), and of one designer operation, against the generated new-record form of the same form.

Formwork runs as in production (uvicorn, one worker, a subprocess on loopback, SQLite with the CRM and its sample
data) and one keep-alive client sends the requests one at a time. The figures are each request's time seen by the
client on loopback — server time plus a few tens of microseconds. The ratio compares the designer page with the
page a user fills in for the same form, measured in the same run, so that the machine's load falls on both.
Run: `python -m bench.designer_page` (BENCH_DESIGNER_REQUESTS sets the requests per page, default 200).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.web import Client, Server

REQUESTS = int(os.environ.get("BENCH_DESIGNER_REQUESTS", "200"))
WARMUP = 20
PASSWORD = "bench password 1"
CLIENT_FORM = "crm/client/forms/client.yaml"


def _settings(home: Path) -> Any:
    from engine.settings import Settings

    return Settings.load({"home": str(home), "database_url": f"sqlite:///{home / 'designer.db'}", "secret": "bench"},
                         environ={})


def prepare(home: Path) -> None:
    """A workspace with the CRM template, its sample data and a `bench` admin."""
    from engine.gallery.catalog import find
    from engine.gallery.install import install
    from engine.org.users import NewUser, create_user
    from engine.storage.database import write_transaction
    from engine.workspace import Workspace

    ws = Workspace.open(_settings(home))
    template = find("crm")
    assert template is not None
    install(ws, template, sample_data=True)
    with write_transaction(ws.engine) as conn:
        create_user(conn, NewUser("bench", "Bench", password=PASSWORD, is_admin=True), ws.now())
    ws.close()


def formwork_app() -> Any:
    """uvicorn factory: the Formwork application over BENCH_WEB_HOME."""
    from engine.workspace import Workspace
    from web.app import create_app

    return create_app(Workspace.open(_settings(Path(os.environ["BENCH_WEB_HOME"]))))


def latencies(send: Any, count: int) -> list[float]:
    """Milliseconds of each of `count` requests."""
    out = []
    for _ in range(count):
        start = time.perf_counter()
        send()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1), "max_ms": round(ordered[-1], 1)}


def measure(home: Path) -> dict[str, Any]:
    server = Server("bench.designer_page:formwork_app", home)
    try:
        client = Client(server.port)
        _sign_in(client)
        page = client.request("GET", "/design/forms/client")
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page)
        assert csrf is not None, "no CSRF token on the designer page"
        headers = {"content-type": "application/x-www-form-urlencoded", "x-csrf-token": csrf.group(1)}
        chain = {"current": "short_name", "copy": ""}

        def operation() -> None:
            """Duplicate the field, then remove the original, in turn: the copy carries the field on under a new id
            and a longer label, so every operation leaves a text never seen before and nothing the server keeps
            from an earlier text can answer for it."""
            current = chain["current"]
            if not chain["copy"]:
                base, number = current[:36], 2
                while f"{base}_{number}" == current:
                    number += 1
                chain["copy"] = f"{base}_{number}"
                op = {"op": "duplicate_field", "id": current}
            else:
                op = {"op": "remove_field", "id": current}
                chain["current"], chain["copy"] = chain["copy"], ""
            body = urlencode({"op": json.dumps(op), "csrf_token": csrf.group(1)}).encode()
            client.request("POST", "/design/forms/client/ops", body, headers)

        for send in (lambda: client.request("GET", "/design/forms/client"),
                     lambda: client.request("GET", "/apps/client/client/new"), operation):
            latencies(send, WARMUP)
        designer, generated, ops = [], [], []
        for _ in range(10):  # alternating batches: load from elsewhere falls on every kind alike
            designer += latencies(lambda: client.request("GET", "/design/forms/client"), REQUESTS // 10)
            generated += latencies(lambda: client.request("GET", "/apps/client/client/new"), REQUESTS // 10)
            ops += latencies(operation, REQUESTS // 10)
        result = {"designer_page": summary(designer), "new_record_page": summary(generated),
                  "designer_operation": summary(ops)}
        result["ratio_designer_to_new_record_p50"] = round(
            result["designer_page"]["p50_ms"] / result["new_record_page"]["p50_ms"], 2)
        result["target"] = "designer page p95 < 100 ms"
        return result
    finally:
        server.stop()


def _sign_in(client: Client) -> None:
    page = client.request("GET", "/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    form = f"username=bench&password={PASSWORD.replace(' ', '+')}&next=/&csrf_token={csrf.group(1)}".encode()
    client.request("POST", "/login", form, {"content-type": "application/x-www-form-urlencoded"}, expect=303)


def run(folder: Path) -> dict[str, Any]:
    """Prepare a CRM workspace under `folder` and measure it (what `make bench` calls)."""
    home = folder / "designer"
    home.mkdir()
    prepare(home)
    return measure(home)


def print_table(result: dict[str, Any]) -> None:
    print(f"{'designer page':<22} {'p50 ms':>10} {'p95 ms':>10}   ({result['target']})")
    for key in ("designer_page", "new_record_page", "designer_operation"):
        r = result[key]
        print(f"  {key:<20} {r['p50_ms']:>10.1f} {r['p95_ms']:>10.1f}")
    print(f"  designer / new-record page (p50): {result['ratio_designer_to_new_record_p50']:.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        result = run(Path(folder))
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
