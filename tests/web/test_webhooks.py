"""Webhooks: inbound (a secret URL that turns JSON into records) and outgoing (signed POSTs to a receiver on
loopback that checks the signature; retries on 5xx, gives up on 4xx)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.testclient import TestClient

from engine.automation.webhooks import inbound_token
from engine.records.model import Actor
from engine.settings import Settings
from tests.engine.test_automations import publish_automation
from web.app import create_app

ME = Actor(user_id=1, is_admin=True)
SECRET = "hook-signing-key-1"


class Receiver:
    """An HTTP server on loopback that verifies X-Formwork-Signature and answers with the status it is told."""

    def __init__(self) -> None:
        self.deliveries: list[dict] = []  # type: ignore[type-arg]
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers["X-Formwork-Timestamp"]
                expected = "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(expected, self.headers["X-Formwork-Signature"])
                receiver.deliveries.append({"id": self.headers["X-Formwork-Delivery"], "valid": valid,
                                            "body": json.loads(body)})
                status = receiver.statuses.pop(0) if receiver.statuses else (200 if valid else 401)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooked(shop):  # type: ignore[no-untyped-def]
    shop.settings = Settings({**shop.settings.values, "secret": "workspace-secret-xyz"})
    return shop


def test_outgoing_webhook_is_signed_and_retried_until_it_lands(hooked, receiver: Receiver, clock) -> None:  # type: ignore[no-untyped-def]
    publish_automation(hooked, f"""
        automation: push
        label: Push
        form: customer
        trigger: {{type: created}}
        actions:
          - {{id: tag, type: update, values: {{notes: "'pushed'"}}}}
          - {{type: webhook, url: "{receiver.url}", secret: {SECRET}}}
    """)
    receiver.statuses = [503]
    c = hooked.records.create(ME, "customer", {"name": "华联电子"})
    hooked.jobs.drain()
    assert len(receiver.deliveries) == 1
    clock.now += timedelta(seconds=11)
    hooked.jobs.drain()
    assert len(receiver.deliveries) == 2
    first, second = receiver.deliveries
    assert first["valid"] and second["valid"] and first["id"] == second["id"]
    assert second["body"]["record"]["name"] == "华联电子" and second["body"]["record"]["id"] == c.id
    assert second["body"]["steps"]["tag"]["notes"] == "pushed"
    hooked.jobs.drain()
    assert len(receiver.deliveries) == 2


def test_outgoing_webhook_refused_with_4xx_fails_at_once(hooked, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    publish_automation(hooked, f"""
        automation: push
        label: Push
        form: customer
        trigger: {{type: created}}
        actions:
          - {{type: webhook, url: "{receiver.url}", secret: wrong-secret-123}}
    """)
    hooked.records.create(ME, "customer", {"name": "Acme"})
    hooked.jobs.drain()
    assert [d["valid"] for d in receiver.deliveries] == [False]
    job = next(j for j in (hooked.jobs.get(k) for k in _job_keys(hooked)) if j["kind"] == "webhook.call")
    assert job["status"] == "failed" and "HTTP 401" in job["last_error"]


def _job_keys(ws) -> list[str]:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from engine.jobs.tables import jobs
    from engine.storage.database import read_transaction

    with read_transaction(ws.engine) as conn:
        return [str(k) for k in conn.execute(sa.select(jobs.c.key)).scalars()]


def test_inbound_webhook_creates_records_from_json(hooked) -> None:  # type: ignore[no-untyped-def]
    publish_automation(hooked, """
        automation: intake
        label: {zh: 网站表单, en: Web form}
        form: customer
        trigger: {type: webhook}
        condition: "NOT(ISEMPTY($body.company))"
        actions:
          - {id: made, type: create, form: customer, values: {name: "$body.company", email: "$body.email", grade: "'A'"}}
    """)
    token = inbound_token("workspace-secret-xyz", "intake")
    with TestClient(create_app(hooked)) as client:
        url = f"/hooks/intake/{token}"
        ok = client.post(url, json={"company": "远景科技", "email": "hi@yj.cn"}, headers={"Idempotency-Key": "a1"})
        assert ok.status_code == 202 and ok.json()["accepted"] is True
        again = client.post(url, json={"company": "远景科技", "email": "hi@yj.cn"}, headers={"Idempotency-Key": "a1"})
        assert again.json()["job"] == ok.json()["job"]
        assert client.post(f"/hooks/intake/{'0' * 32}", json={}).status_code == 404
        assert client.post("/hooks/nothing/abc", json={}).status_code == 404
        bad = client.post(url, content=b"{not json", headers={"content-type": "application/json"})
        assert bad.status_code == 400 and "JSON" in bad.json()["error"]["message"]["en"]
        assert client.post(url, json="text").status_code == 400
        assert client.post(url, json={"email": "x@y.cn"}).status_code == 202  # the condition skips it
    hooked.jobs.drain()
    names = [(c["name"], c["email"], c["grade"]) for c in hooked.records.list(ME, "customer").records]
    assert names == [("远景科技", "hi@yj.cn", "A")]


def test_inbound_webhook_of_a_switched_off_automation_is_refused(hooked) -> None:  # type: ignore[no-untyped-def]
    from engine.automation.switches import set_enabled
    from engine.storage.database import write_transaction

    publish_automation(hooked, """
        automation: intake
        label: Intake
        trigger: {type: webhook}
        actions:
          - {type: create, form: product, values: {name: "$body.name"}}
    """)
    with write_transaction(hooked.engine) as conn:
        set_enabled(conn, "intake", False, 1, hooked.now())
    with TestClient(create_app(hooked)) as client:
        response = client.post(f"/hooks/intake/{inbound_token('workspace-secret-xyz', 'intake')}", json={"name": "x"})
    assert response.status_code == 409


def test_the_web_process_runs_jobs_itself_without_redis(hooked) -> None:  # type: ignore[no-untyped-def]
    import time

    publish_automation(hooked, """
        automation: note
        label: Note
        form: customer
        trigger: {type: created}
        actions:
          - {type: update, values: {notes: "'seen'"}}
    """)
    c = hooked.records.create(ME, "customer", {"name": "Acme"})
    with TestClient(create_app(hooked, run_jobs=True)):
        deadline = time.monotonic() + 120  # a safety net: the runner answers within a second
        while time.monotonic() < deadline and hooked.records.get(ME, "customer", c.id).get("notes") != "seen":
            time.sleep(0.05)
    assert hooked.records.get(ME, "customer", c.id)["notes"] == "seen"


def test_the_automation_page_shows_the_webhook_address_to_admins(hooked) -> None:  # type: ignore[no-untyped-def]
    from tests.web.test_web import sign_in

    publish_automation(hooked, """
        automation: intake
        label: Intake
        trigger: {type: webhook}
        actions:
          - {type: create, form: product, values: {name: "$body.name"}}
    """)
    with TestClient(create_app(hooked), base_url="http://crm.example.cn") as client:
        sign_in(client)
        page = client.get("/admin/automations/intake")
    token = inbound_token("workspace-secret-xyz", "intake")
    assert f"http://crm.example.cn/hooks/intake/{token}" in page.text
