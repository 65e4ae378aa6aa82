"""One client's websocket: its bounded send buffer, its rate limit, and what it is subscribed to.

The hub never awaits a client. A message is serialized once and, for every client, written straight
into the socket's transport as a ready-made websocket frame (server frames are unmasked, so one frame
serves every client): the transport's write buffer is the send queue, and its size is checked before
each write. A client that stops reading fills its buffer past `buffer_max` and is closed with 4008
(it resumes with `since`); so one stalled tablet costs its own buffer and nothing else.

Writing frames beside the ASGI server is a seam (`socket_transport`): it is used only when the server
is one whose transport we know and no extension (compression) was negotiated; otherwise messages go
through ASGI `send` from a writer task, bounded the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
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

# How long a closing socket may take to say goodbye before its connection is cut.
GOODBYE_GRACE_SECS = 2.0


def text_frame(payload: bytes) -> bytes:
    """A complete, unmasked websocket text frame (RFC 6455 §5.2) carrying `payload` (UTF-8)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 65_536:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


def socket_transport(send: Send) -> asyncio.Transport | None:
    """The socket's transport behind uvicorn's ASGI `send`, if frames may be written to it directly.

    uvicorn's websocket protocols (websockets-sansio, the default; legacy websockets) hand the app
    their bound `send` method; the protocol object holds the transport and the negotiated extensions.
    Any other server, or a negotiated extension, answers None and the ASGI path is used.
    """
    protocol = getattr(send, "__self__", None)
    transport = getattr(protocol, "transport", None)
    # Duck-typed: uvloop's transports (uvicorn's default loop) do not derive from asyncio.Transport.
    if not all(hasattr(transport, name) for name in ("write", "get_write_buffer_size", "abort", "is_closing")):
        return None
    conn = getattr(protocol, "conn", None)  # uvicorn's websockets-sansio protocol
    extensions = getattr(conn, "extensions", None) if conn is not None else getattr(protocol, "extensions", None)
    if extensions != []:
        return None
    return transport  # type: ignore[no-any-return]


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
        buffer_max: int,
        rate: RateLimit,
        on_close: Callable[[int], None] = lambda _code: None,
    ) -> None:
        self._send = send
        self._on_close = on_close
        self.identity = identity
        self.buffer_max = buffer_max
        self.rate = rate
        self.channels: set[str] = set()
        self.last_seen = time.monotonic()
        self.closed = False
        self.close_code: int | None = None
        self._close_reason = ""
        self._closer: asyncio.Task[None] | None = None
        self.transport = socket_transport(send)
        # The ASGI path, when frames cannot be written directly: a queue drained by a writer task.
        self._queue: deque[str] = deque()
        self._queued_bytes = 0
        self._in_send = False
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        if self.transport is None:
            self._writer = asyncio.create_task(self._write_forever(), name=f"ws-writer-{identity.user_id}")

    @property
    def raw(self) -> bool:
        """Whether frames go straight to the socket's transport."""
        return self.transport is not None

    @property
    def buffered(self) -> int:
        """Bytes waiting to reach this client."""
        if self.transport is not None:
            return self.transport.get_write_buffer_size()
        return self._queued_bytes

    def push(self, text: str, frame: bytes | None = None) -> None:
        """Send `text` (with its frame when the caller already built it), or close the connection if the
        client is too far behind."""
        if self.closed:
            return
        transport = self.transport
        if transport is not None:
            if transport.get_write_buffer_size() > self.buffer_max:
                self.close(CLOSE_QUEUE_OVERFLOW, "send queue overflow")
                return
            transport.write(frame if frame is not None else text_frame(text.encode()))
            return
        if self._queued_bytes > self.buffer_max:
            self.close(CLOSE_QUEUE_OVERFLOW, "send queue overflow")
            return
        self._queue.append(text)
        self._queued_bytes += len(text)
        self._wake.set()

    def close(self, code: int, reason: str = "") -> None:
        """Stop sending and close the socket with `code`, without waiting for it."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._close_reason = reason
        self._on_close(code)
        if code == CLOSE_QUEUE_OVERFLOW:
            self._queue.clear()  # the client is not reading: what is queued would only pile up
        if self._writer is not None and self._queue and not self._in_send:
            # What is already queued (an error explaining the close, say) goes first.
            self._queue.append(_CLOSE)
            self._wake.set()
        else:
            if self._writer is not None:
                self._writer.cancel()
            self._closer = asyncio.create_task(self._send_close())

    async def _send_close(self) -> None:
        message = {"type": "websocket.close", "code": self.close_code, "reason": self._close_reason}
        try:
            await asyncio.wait_for(self._send(message), GOODBYE_GRACE_SECS)
        except Exception:
            # A client that does not read cannot take the close frame either: cut the connection.
            if self.transport is not None:
                self.transport.abort()

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
                    self._queued_bytes -= len(text)
                    self._in_send = True
                    await send({"type": "websocket.send", "text": text})
                    self._in_send = False
        except asyncio.CancelledError:
            raise
        except Exception:
            # The socket went away under us: the receive loop sees the disconnect and cleans up.
            self.closed = True

    async def finish(self) -> None:
        """Stop writing (after the client disconnected)."""
        self.closed = True
        for task in (self._writer, self._closer):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


_CLOSE = "\x00close"
