"""Forwarding inside the video bridge: a `Publication` is a track a peer sends into a room; each RTP packet it
receives goes at once, undecoded and unchanged but for its header, to the `Slot`s fed from it, each one
subscriber's sending line (see `bridge.py`).

A packet is forwarded in the receiving task, to every slot in turn, before the next packet is read: nothing is
queued between receiving and sending, so no subscriber waits for a whole frame, and one that is slow or gone costs
the bridge a UDP write, nothing more. A slot starting on a publication (or switching to another) waits for the
first packet of a keyframe and asks the publisher for one; its sequence numbers and timestamps go on from where
its line was, so the subscriber's decoder sees one stream. Losses a subscriber reports (NACK) are sent again
from the publication's recent packets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

from aiortc import MediaStreamTrack, RTCRtpReceiver
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpSendParameters
from aiortc.rtp import RtpPacket

from realtime import passthrough, rtp

log = logging.getLogger("realtime.forwarding")

# Recent packets of a video publication kept for retransmission: ~5 s of 800 kbit/s video.
HISTORY_PACKETS = 512
# A keyframe this recent is sent, with what followed it, to a line that came up after it went by.
REPLAY_SECS = 1.0
# A packet this far behind the line's newest (in sequence numbers) is from before the slot started: not sent.
_BEHIND = 0x8000


class Slot(MediaStreamTrack):
    """One subscriber's sending line: the packets of one publication at a time, with this line's header.

    A `MediaStreamTrack` only so that aiortc negotiates the line and starts its sender; `recv` yields nothing
    until the line ends, and packets go out through `forward`."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.writer: passthrough.RtpWriter | None = None  # set once its sender is made
        self.header: rtp.Header | None = None
        self.clock_rate = 90_000
        self.source: Publication | None = None
        self.waiting = True
        # Incoming → outgoing numbering for the current run of packets from `source`.
        self.sequence_offset = 0
        self.timestamp_offset = 0
        self.first = 0  # the run's first outgoing sequence number
        self.newest = random.getrandbits(16)  # the line's newest outgoing sequence number and its timestamp
        self.newest_timestamp = random.getrandbits(32)
        self.newest_at = 0.0
        self.sent = 0
        self.dropped = 0
        self.resent = 0
        self._ended = asyncio.Event()

    def configure(self, parameters: RTCRtpSendParameters, ssrc: int) -> None:
        """The line's negotiated parameters, when its sender starts."""
        codec = parameters.codecs[0]
        assert codec.payloadType is not None  # a negotiated line's codec has its number
        extension_ids = {e.uri: e.id for e in parameters.headerExtensions}
        self.header = rtp.Header(codec.payloadType, ssrc, parameters.muxId, extension_ids)
        self.clock_rate = codec.clockRate
        self.resume()

    def resume(self) -> None:
        """Once the line is up: start at once from a keyframe that went by while it came up, rather than at the
        publication's next packet (up to a frame later)."""
        source = self.source
        if not self.waiting or source is None or source.latest is None or self.kind != "video":
            return
        if self.header is None or self.writer is None or not self.writer.ready():
            return
        now = time.time()
        run = source.since_keyframe(source.latest, now)
        if run is not None:
            self._start(run[0], now)
            for packet in run:
                self.forward(packet, False, now)

    def follow(self, source: Publication | None) -> None:
        """Carry `source` from its next keyframe on (any packet, for audio), or nothing."""
        if self.source is not None:
            self.source.slots.discard(self)
        self.source, self.waiting = source, True
        if source is not None:
            source.slots.add(self)
            source.want_keyframe()

    def forward(self, packet: RtpPacket, keyframe: bool, unix_time: float) -> None:
        if self.waiting:
            if self.source is None or self.header is None or self.writer is None or not self.writer.ready():
                self.dropped += 1  # the line is not up yet: it starts from a keyframe once it is
                return
            if not keyframe:
                run = self.source.since_keyframe(packet, unix_time)
                if run is None:
                    # Ask again (coalesced): an earlier request may have been lost or made before the publisher
                    # sent anything.
                    self.dropped += 1
                    self.source.want_keyframe()
                    return
                # The keyframe came while the line was coming up: send it and what followed, then this packet.
                self._start(run[0], unix_time)
                for earlier in run[:-1]:
                    self.forward(earlier, False, unix_time)
            else:
                self._start(packet, unix_time)
        sequence_number = (packet.sequence_number + self.sequence_offset) & 0xFFFF
        ahead = (sequence_number - self.newest) & 0xFFFF
        if ahead >= _BEHIND and (sequence_number - self.first) & 0xFFFF >= _BEHIND:
            return  # arrived late, from before this run began: the subscriber never knew it
        if self._send(packet, sequence_number, unix_time) and ahead < _BEHIND:
            self.newest, self.newest_timestamp, self.newest_at = sequence_number, self._timestamp(packet), unix_time

    def retransmit(self, sequence_number: int) -> None:
        """Send again a packet the subscriber reports lost, if it is of this run and still recent."""
        if self.waiting or self.source is None or (sequence_number - self.first) & 0xFFFF >= _BEHIND:
            return
        packet = self.source.recent((sequence_number - self.sequence_offset) & 0xFFFF)
        if packet is not None and self._send(packet, sequence_number, time.time()):
            self.resent += 1

    def _start(self, packet: RtpPacket, unix_time: float) -> None:
        """Number this run on from the line's last packet, its timestamps from the time since."""
        self.waiting = False
        self.first = (self.newest + 1) & 0xFFFF
        self.sequence_offset = (self.first - packet.sequence_number) & 0xFFFF
        elapsed = max(unix_time - self.newest_at, 0.0) if self.newest_at else 0.0
        start = (self.newest_timestamp + max(int(elapsed * self.clock_rate), 1)) & 0xFFFFFFFF
        self.timestamp_offset = (start - packet.timestamp) & 0xFFFFFFFF

    def _timestamp(self, packet: RtpPacket) -> int:
        return (packet.timestamp + self.timestamp_offset) & 0xFFFFFFFF

    def _send(self, packet: RtpPacket, sequence_number: int, unix_time: float) -> bool:
        assert self.header is not None and self.writer is not None and self.source is not None
        timestamp = self._timestamp(packet)
        data = self.header.packet(
            sequence_number, timestamp, packet.marker, packet.payload, rtp.abs_send_time(unix_time)
        )
        ntp = self.source.ntp_at(packet.timestamp, unix_time)
        if not self.writer.write(data, timestamp, ntp, len(packet.payload)):
            return False
        self.sent += 1
        return True

    async def recv(self) -> Any:
        await self._ended.wait()
        self.stop()
        raise MediaStreamError

    def end(self) -> None:
        self.follow(None)
        self._ended.set()


@dataclass(eq=False)
class Publication:
    """A track a peer sends into the room, each packet forwarded to the slots fed from it."""

    peer_id: int
    kind: str
    codec: str  # "vp8", "h264" or "opus"
    receiver: RTCRtpReceiver
    interval: float
    slots: set[Slot] = field(default_factory=set)
    packets: int = 0
    keyframes: int = 0
    requests: int = 0
    last_request: float = float("-inf")
    pending: asyncio.TimerHandle | None = None
    history: list[RtpPacket | None] = field(default_factory=list)
    # The incoming sequence number that began the last keyframe, and when (Unix time).
    keyframe_start: int | None = None
    keyframe_at: float = 0.0
    latest: RtpPacket | None = None
    # The publisher's last sender report: an RTP timestamp of this track and its moment on the publisher's clock.
    reported: tuple[int, int] | None = None
    clock_rate: int = 90_000

    def __post_init__(self) -> None:
        if self.kind == "video":  # audio is not retransmitted (aiortc negotiates NACK for video only)
            self.history = [None] * HISTORY_PACKETS
        self.clock_rate = 90_000 if self.kind == "video" else 48_000  # the video codecs' and Opus's RTP clocks

    def deliver(self, packet: RtpPacket) -> None:
        self.packets += 1
        keyframe = rtp.starts_keyframe(self.codec, packet.payload)
        now = time.time()
        if keyframe and self.kind == "video":
            self.keyframes += 1
            self.keyframe_start, self.keyframe_at = packet.sequence_number, now
            if self.pending is not None:  # it came: the request waiting its turn is no longer needed
                self.pending.cancel()
                self.pending = None
        if self.history:
            self.history[packet.sequence_number % HISTORY_PACKETS] = packet
        self.latest = packet
        for slot in tuple(self.slots):
            try:
                slot.forward(packet, keyframe, now)
            except Exception:
                # A fault on one subscriber's line must not end the publisher's connection (this runs in its
                # receiving task): that line stops carrying this publication, the others go on.
                log.exception("forwarding to a subscriber failed; its line is stopped")
                slot.end()

    def sender_report(self, ntp_timestamp: int, rtp_timestamp: int) -> None:
        self.reported = (ntp_timestamp, rtp_timestamp)

    def ntp_at(self, timestamp: int, unix_time: float) -> int:
        """The moment an RTP timestamp of this track stands for, on the publisher's clock (by its last sender
        report), which the bridge's own reports carry on: a subscriber then lines city hall's sound and picture up
        as they were captured, not as they reached the bridge. Before any report, the time it arrived."""
        if self.reported is None:
            return rtp.ntp_time(unix_time)
        ntp, reported = self.reported
        ticks = ((timestamp - reported + 0x80000000) & 0xFFFFFFFF) - 0x80000000  # signed, across the wrap
        return (ntp + (ticks << 32) // self.clock_rate) & 0xFFFFFFFFFFFFFFFF

    def recent(self, sequence_number: int) -> RtpPacket | None:
        """The packet with this (incoming) sequence number, if it is among the recent ones."""
        if not self.history:
            return None
        packet = self.history[sequence_number % HISTORY_PACKETS]
        return packet if packet is not None and packet.sequence_number == sequence_number else None

    def since_keyframe(self, packet: RtpPacket, unix_time: float) -> list[RtpPacket] | None:
        """The packets from the last keyframe's first to `packet` (the one being delivered), if that keyframe is
        recent: a line that came up just after it starts there, without asking for another. Else None."""
        if self.keyframe_start is None or unix_time - self.keyframe_at > REPLAY_SECS:
            return None
        count = ((packet.sequence_number - self.keyframe_start) & 0xFFFF) + 1
        if count > HISTORY_PACKETS:
            return None
        run = [p for i in range(count) if (p := self.recent((self.keyframe_start + i) & 0xFFFF)) is not None]
        return run if run and run[0].sequence_number == self.keyframe_start else None

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
            slot.follow(None)


def log_failure(task: asyncio.Future[Any]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        if task.exception() is not None:
            log.warning("bridge task failed", exc_info=task.exception())
