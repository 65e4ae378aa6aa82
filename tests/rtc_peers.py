"""aiortc peers of the online briefing, as the browsers are: real camera-like video with a frame counter drawn in,
Opus audio, and signaling over the app's websocket. Run as a module, one peer in a process of its own:

    python -m tests.rtc_peers URL COOKIE MEETING_ID COUNTER_BASE SECONDS  → prints {"counters": {…}, "audio": n}
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack
from websockets.asyncio.client import ClientConnection, connect

BITS = 14
# Small frames keep a test process able to encode and decode several peers' video at once on two cores.
WIDTH, HEIGHT = 320, 180
BLOCK = 22


class CounterTrack(VideoStreamTrack):
    """Video whose n-th frame shows `base + n` as a row of white (1) and black (0) blocks, read back after
    encoding, forwarding and decoding by `read_counter`."""

    def __init__(self, base: int) -> None:
        super().__init__()
        self.base = base
        self.count = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
        image[:, :, 2] = (self.count * 3) % 256  # some motion, so frames differ beyond the counter
        value = self.base + self.count
        for bit in range(BITS):
            if value >> bit & 1:
                image[60:120, 8 + BLOCK * bit : 8 + BLOCK * bit + BLOCK - 4] = 255
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts, frame.time_base = pts, time_base
        self.count += 1
        return frame


def read_counter(frame: av.VideoFrame) -> int:
    gray = frame.to_ndarray(format="gray")
    scale = frame.width / WIDTH
    middle = 8 + BLOCK // 2 - 2
    return sum(1 << bit for bit in range(BITS) if gray[int(90 * scale), int((middle + BLOCK * bit) * scale)] > 128)


async def until(condition: Callable[[], bool], what: str, secs: float) -> None:
    """Wait until `condition()` holds, failing with `what` after `secs`."""
    deadline = time.monotonic() + secs
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.1)


def in_order_from(counters: list[int], base: int, span: int) -> bool:
    """Counters of one source, as decoded: within [base, base + span) and never going back (frames may be
    skipped)."""
    return all(base <= c < base + span for c in counters) and counters == sorted(counters)


class Received:
    """What a peer decoded: each video track's counters in order, and how many audio frames."""

    def __init__(self) -> None:
        self.counters: dict[str, list[int]] = {}
        self.first_frame_at: float | None = None
        self.audio = 0

    async def read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                self.counters.setdefault(track.id, []).append(read_counter(frame))
                self.first_frame_at = self.first_frame_at or time.monotonic()
            else:
                self.audio += 1


class SignalingPeer:
    """A browser's part in the briefing: its peer connection, and signaling as actions on the app's websocket."""

    def __init__(self, url: str, cookie: str, meeting_id: int, base: int) -> None:
        self.url, self.cookie, self.meeting_id = url, cookie, meeting_id
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pc.addTrack(CounterTrack(base))
        self.pc.addTrack(AudioStreamTrack())
        self.received = Received()
        self.pc.on("track", lambda track: asyncio.ensure_future(self.received.read(track)))
        self.ws: ClientConnection | None = None
        self.answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.offers = 0
        self._next = 0
        self._reader: asyncio.Task[None] | None = None
        self._answering: asyncio.Task[None] | None = None

    async def connect(self, user_id: int) -> None:
        self.ws = await connect(
            self.url.replace("http://", "ws://") + "/ws",
            additional_headers={"Cookie": f"ecabinet_session={self.cookie}"},
        )
        self._reader = asyncio.ensure_future(self._read())
        await self.ws.send(json.dumps({"op": "subscribe", "channel": f"user:{user_id}"}))

    async def act(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send an action; its answer (the ack, or an error op)."""
        assert self.ws is not None
        self._next += 1
        action_id = f"a{self._next}"
        answered = self.answers[action_id] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({"op": "action", "id": action_id, "type": type_, "data": data}))
        try:
            return await asyncio.wait_for(answered, 30)
        finally:
            self.answers.pop(action_id, None)

    async def join(self) -> dict[str, Any]:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        local = self.pc.localDescription
        answer = await self.act("rtc.offer", {"meeting_id": self.meeting_id, "sdp": local.sdp, "type": "offer"})
        if answer["op"] == "ack":
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["data"]["sdp"], type="answer"))
        return answer

    async def _read(self) -> None:
        assert self.ws is not None
        async for raw in self.ws:
            message = json.loads(raw)
            if message.get("id") in self.answers:
                self.answers[message["id"]].set_result(message)
            elif message.get("op") == "volatile" and message.get("type") == "rtc.offer":
                self._answering = asyncio.ensure_future(self._answer(message["data"]))

    async def _answer(self, data: dict[str, Any]) -> None:
        self.offers += 1
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        local = self.pc.localDescription
        await self.act("rtc.answer", {"meeting_id": self.meeting_id, "sdp": local.sdp, "type": "answer"})

    async def close(self) -> None:
        await self.pc.close()
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()


async def _run_alone(url: str, cookie: str, meeting_id: int, user_id: int, base: int, seconds: float) -> dict[str, Any]:
    peer = SignalingPeer(url, cookie, meeting_id, base)
    await peer.connect(user_id)
    joined = await peer.join()
    await asyncio.sleep(seconds)
    await peer.close()
    return {"joined": joined["op"], "counters": peer.received.counters, "audio": peer.received.audio}


if __name__ == "__main__":
    url, cookie, meeting, user, base, seconds = sys.argv[1:7]
    result = asyncio.run(_run_alone(url, cookie, int(meeting), int(user), int(base), float(seconds)))
    print(json.dumps(result))
