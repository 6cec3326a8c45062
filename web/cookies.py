"""The session cookie gets the Secure flag when the site is served over HTTPS."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecureCookies:
    """Adds `Secure` to every Set-Cookie of the response when `always` (FORMWORK_HTTPS=1) or when the request came
    over HTTPS (uvicorn sets the scheme from X-Forwarded-Proto for the proxies it trusts)."""

    def __init__(self, app: ASGIApp, always: bool = False):
        self.app, self.always = app, always

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.always or scope.get("scheme") == "https"):
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [(k, _secure(v) if k.lower() == b"set-cookie" else v)
                                      for k, v in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, send_secure)


def _secure(cookie: bytes) -> bytes:
    attributes = [a.strip().lower() for a in cookie.split(b";")[1:]]
    return cookie if b"secure" in attributes else cookie + b"; secure"
