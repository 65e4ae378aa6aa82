"""Forwarding inside the video bridge: a `Publication` is a track a peer sends into a room, fanned out undecoded to
the `Slot`s fed from it, each the bounded queue of one subscriber's sender (see `bridge.py`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from aiortc import MediaStreamTrack, RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError

from realtime import passthrough
from realtime.passthrough import EncodedFrame

log = logging.getLogger("realtime.forwarding")


class Slot(MediaStreamTrack):
    """What one subscriber's sender sends: the frames of one publication at a time, from a bounded queue."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__()
        self.kind = kind
        self.limit = limit
        self.source: Publication | None = None
        self.waiting = True
        self.queue: asyncio.Queue[tuple[float, Any] | None] = asyncio.Queue()
        self.sent = 0
        self.dropped = 0
        # The time each frame waited in the queue, for the benchmark (seconds, the last few thousand).
        self.waits: list[float] = []

    def feed(self, frame: EncodedFrame) -> None:
        if self.kind == "video" and self.waiting:
            if not frame.keyframe:
                # Still waiting: ask again (coalesced), as an earlier request may have been lost or made before
                # the publisher sent anything.
                self.dropped += 1
                if self.source is not None:
                    self.source.want_keyframe()
                return
            self.waiting = False
        if self.queue.qsize() >= self.limit:
            self.clear()
            self.dropped += self.limit
            if self.kind == "video" and self.source is not None:
                self.waiting = True
                self.source.want_keyframe()
                return
        self.queue.put_nowait((time.perf_counter(), frame.packet))

    def clear(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    async def recv(self) -> Any:
        item = await self.queue.get()
        if item is None:
            self.stop()
            raise MediaStreamError
        queued, packet = item
        if len(self.waits) < 10_000:
            self.waits.append(time.perf_counter() - queued)
        self.sent += 1
        return packet

    def end(self) -> None:
        self.clear()
        self.queue.put_nowait(None)


@dataclass(eq=False)
class Publication:
    """A track a peer sends into the room, fanned out to the slots fed from it."""

    peer_id: int
    kind: str
    receiver: RTCRtpReceiver
    interval: float
    slots: set[Slot] = field(default_factory=set)
    frames: int = 0
    keyframes: int = 0
    requests: int = 0
    last_request: float = float("-inf")
    pending: asyncio.TimerHandle | None = None

    def deliver(self, frame: EncodedFrame) -> None:
        self.frames += 1
        if frame.keyframe and self.kind == "video":
            self.keyframes += 1
            if self.pending is not None:  # it came: the request waiting its turn is no longer needed
                self.pending.cancel()
                self.pending = None
        for slot in list(self.slots):
            slot.feed(frame)

    def want_keyframe(self) -> None:
        """Ask the publisher for a keyframe, at most once per interval (later wishes join the next request)."""
        if self.kind != "video" or self.pending is not None:
            return
        wait = self.last_request + self.interval - time.monotonic()
        if wait <= 0:
            self._request()
        else:
            self.pending = asyncio.get_running_loop().call_later(wait, self._request)

    def _request(self) -> None:
        self.pending = None
        self.last_request = time.monotonic()
        self.requests += 1
        task = asyncio.ensure_future(passthrough.request_keyframe(self.receiver))
        task.add_done_callback(log_failure)

    def close(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
        for slot in list(self.slots):
            slot.source = None
            slot.clear()
        self.slots.clear()


def log_failure(task: asyncio.Future[Any]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        if task.exception() is not None:
            log.warning("bridge task failed", exc_info=task.exception())
