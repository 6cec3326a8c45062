"""Webhooks. Outgoing: the `webhook.call` job POSTs a JSON body signed with HMAC-SHA256 (header
`X-Formwork-Signature: sha256=<hex>` over `<timestamp>.<body>`), retrying on timeouts and 5xx.
Inbound: each webhook automation has a secret URL; its token is derived from the workspace secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import urllib.error
import urllib.request
from typing import Any

from engine.jobs.context import JobContext, PermanentError

USER_AGENT = "Formwork-Webhook/1"
RETRY_STATUSES = {408, 425, 429}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of X-Formwork-Signature for a body sent at `timestamp` (seconds since the epoch)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def call_webhook(job: JobContext) -> dict[str, Any]:
    """The job handler: one POST; 2xx is done, 4xx is a permanent failure (but 408/429), the rest retries."""
    payload = job.payload
    secret = str(payload.get("secret") or job.host.settings.secret or "")
    body = json.dumps(payload.get("body"), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(job.now().timestamp()))
    headers = {
        **{str(k): str(v) for k, v in (payload.get("headers") or {}).items()},
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        "X-Formwork-Delivery": job.key, "X-Formwork-Timestamp": timestamp,
        "X-Formwork-Signature": signature(secret, timestamp, body),
    }
    request = urllib.request.Request(str(payload["url"]), data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=float(payload.get("timeout") or 10)) as response:  # noqa: S310
            return {"status": response.status}
    except urllib.error.HTTPError as exc:
        exc.close()
        if 400 <= exc.code < 500 and exc.code not in RETRY_STATUSES:
            raise PermanentError(f"the receiver refused the call: HTTP {exc.code} {exc.reason}") from None
        raise RuntimeError(f"the receiver answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RuntimeError(f"could not reach {payload['url']}: {reason}") from None


def inbound_token(secret: str, automation_id: str) -> str:
    """The secret part of an automation's inbound webhook URL (/hooks/<automation>/<token>)."""
    return hmac.new(secret.encode(), f"hook:{automation_id}".encode(), hashlib.sha256).hexdigest()[:32]


def token_matches(secret: str, automation_id: str, token: str) -> bool:
    """True when `token` is the automation's webhook token (compared in constant time)."""
    # as bytes: compare_digest refuses str with non-ASCII characters, and the token comes from the URL
    return hmac.compare_digest(inbound_token(secret, automation_id).encode(), token.encode("utf-8", "surrogatepass"))
