"""One client's websocket: its bounded send queue, its rate limit, and what it is subscribed to.

The hub never awaits a client: it puts the serialized message on the client's queue and moves on. A
writer task per connection drains the queue into the socket; when the client stops reading, the
socket's write buffer fills, the writer waits, the queue fills, and the connection is closed with
4008 (the client resumes with `since`). So one stalled tablet costs its own queue and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Send

# Close codes (docs/protocol.md lists them).
CLOSE_UNSUPPORTED = 1003
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_RESTART = 1012
CLOSE_IDLE = 4000
CLOSE_UNAUTHORIZED = 4401
CLOSE_QUEUE_OVERFLOW = 4008


@dataclass(frozen=True)
class Identity:
    """Who is on the other end, as the application's authenticator saw them."""

    user_id: int
    session_key: str
    name: str = ""
    context: Any = None  # whatever the application needs back in its authorizer and handlers


@dataclass
class RateLimit:
    """A token bucket: `rate` messages a second on average, bursts of `burst`; below zero is a flood."""

    rate: float
    burst: float
    tokens: float = 0.0
    at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> float:
        """Spend one token and return what is left (negative: over the limit)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate) - 1
        self.at = now
        return self.tokens


class Connection:
    """A subscribed websocket; `push` never blocks."""

    def __init__(
        self,
        send: Send,
        identity: Identity,
        queue_max: int,
        rate: RateLimit,
        on_close: Callable[[int], None] = lambda _code: None,
    ) -> None:
        self._send = send
        self._on_close = on_close
        self.identity = identity
        self.queue_max = queue_max
        self.rate = rate
        self.channels: set[str] = set()
        self.last_seen = time.monotonic()
        self.closed = False
        self.close_code: int | None = None
        self._queue: deque[str] = deque()
        self._in_send = False
        self._close_reason = ""
        self._closer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._writer = asyncio.create_task(self._write_forever(), name=f"ws-writer-{identity.user_id}")

    def push(self, text: str) -> None:
        """Queue `text` for this client, or close the connection if its queue is full."""
        if self.closed:
            return
        if len(self._queue) >= self.queue_max:
            self.close(CLOSE_QUEUE_OVERFLOW, "send queue overflow")
            return
        self._queue.append(text)
        self._wake.set()

    def close(self, code: int, reason: str = "") -> None:
        """Stop sending and close the socket with `code`, without waiting for it."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._on_close(code)
        if code == CLOSE_QUEUE_OVERFLOW:
            self._queue.clear()  # the client is not reading: what is queued would only pile up
        self._close_reason = reason
        if self._in_send:
            # The writer waits on a client that does not read: give up on it and close from the side.
            self._writer.cancel()
            self._closer = asyncio.create_task(self._send_close())
        else:
            self._queue.append(_CLOSE)
            self._wake.set()

    async def _send_close(self) -> None:
        with contextlib.suppress(Exception):
            await self._send({"type": "websocket.close", "code": self.close_code, "reason": self._close_reason})

    async def _write_forever(self) -> None:
        queue = self._queue
        send = self._send
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while queue:
                    text = queue.popleft()
                    if text is _CLOSE:
                        await self._send_close()
                        return
                    self._in_send = True
                    await send({"type": "websocket.send", "text": text})
                    self._in_send = False
        except asyncio.CancelledError:
            raise
        except Exception:
            # The socket went away under us: the receive loop sees the disconnect and cleans up.
            self.closed = True

    async def finish(self) -> None:
        """Stop the writer (after the client disconnected)."""
        self.closed = True
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._writer

    @property
    def queued(self) -> int:
        return len(self._queue)


_CLOSE = "\x00close"
