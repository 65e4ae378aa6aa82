"""ASGI middleware: request-body limits enforced while streaming, the Origin check, security headers.

Starlette and uvicorn put no limit on a request body (DESIGN §10), so the limit is counted here as the
body arrives, not trusted from Content-Length alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecabinet.errors import Forbidden, PayloadTooLarge
from ecabinet.messages import pick_language

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=()"),
]


async def send_error(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    """Refuse bodies above a per-path limit with 413, by header at once or by counting the stream."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        too_large = PayloadTooLarge(f"The request body is larger than {limit} bytes.", limit=limit)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_error(send, 413, too_large.body(scope_language(scope)))
            return
        received = 0
        overflow = False

        async def limited_receive() -> Message:
            nonlocal received, overflow
            if overflow:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Stop reading here: the app sees the client go away, and the 413 below answers instead.
                    overflow = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not overflow:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not overflow:
                raise
        if overflow:
            await send_error(send, 413, too_large.body(scope_language(scope)))


class OriginCheck:
    """Refuse state-changing requests and websocket handshakes from a foreign browser origin.

    A request without an Origin header (a script, not a browser) passes; CSRF tokens guard those.
    """

    def __init__(self, app: ASGIApp, public_url: str, allowed: tuple[str, ...]) -> None:
        self.app = app
        self.public_origin = _origin(public_url) if public_url else None
        self.allowed = frozenset(_origin(o) for o in allowed)

    def allows(self, scope: Scope, origin: str) -> bool:
        origin = origin.rstrip("/").lower()
        if origin in self.allowed:
            return True
        if self.public_origin is not None:
            return origin == self.public_origin
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1").lower()
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        return origin == f"{scheme}://{host}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        checked = scope["type"] == "websocket" or (scope["type"] == "http" and scope["method"] in UNSAFE_METHODS)
        if checked:
            origin = dict(scope["headers"]).get(b"origin")
            if origin is not None and not self.allows(scope, origin.decode("latin-1")):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})
                    return
                refused = Forbidden("Requests from this origin are not allowed.")
                await send_error(send, 403, refused.body(scope_language(scope)))
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Add the security headers of DESIGN §7 to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


def scope_language(scope: Scope) -> str:
    accept = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
    return pick_language(accept, "en")


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()
