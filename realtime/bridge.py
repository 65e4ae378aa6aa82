"""The video bridge of an online briefing: a selective forwarding unit on aiortc that never decodes.

Each participant's browser holds one RTCPeerConnection with the bridge. What a peer sends becomes a
`Publication` (its audio, its video); what it receives goes out through `Slot`s (`forwarding.py`), one per
sending transceiver, each fed from one publication at a time: every RTP packet, as it arrives and undecoded
(`passthrough.py`), goes on with the slot's own header (`rtp.py`). City hall (`hall`) receives the sites'
video and audio (the first `hall_videos` sites to publish); every site receives city hall's.

A slot that starts on a publication waits for the next keyframe, and asks the publisher for one (or starts at
once from one that went by while its connection came up); a subscriber's own keyframe request (PLI/FIR) is
passed upstream the same way. Requests are coalesced per publication, at most one per `keyframe_interval_secs`,
so 130 sites joining at once cost the publisher a keyframe or two, not 130. Losses a subscriber reports are sent
again from the publication's recent packets. A stalled subscriber costs a UDP write, nothing else.

Signaling: a peer's offer is answered at once (`offer`), with the tracks it should receive where its offer
left room; when it must receive more (a new site, city hall arriving) the bridge makes an offer of its own
(keeping the numbering already agreed), sent through `notify`, and the peer's answer comes back through
`answer`. Answers and offers say whose track each line carries (`tracks`, by mid); when that changes without
a new offer (a freed line reused), `notify` sends `rtc.tracks`. The room's video codec (VP8 or
H.264) is the only one offered on every leg, so what a site sends can go to every other peer as it is.

`BridgeLike` is what the application uses; this in-process `Bridge` is one, and a bridge in other processes
can be another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.sdp import candidate_from_sdp

from realtime import passthrough
from realtime.forwarding import Publication, Slot, log_failure

log = logging.getLogger("realtime.bridge")

Role = Literal["hall", "site"]
Notify = Callable[[str, int, str, dict[str, Any]], Awaitable[None]]
CODECS = {"vp8": "video/VP8", "h264": "video/H264"}
CONNECT_WAIT_SECS = 30.0
CLOSE_WAIT_SECS = 5.0


class SignalingError(Exception):
    """A description or candidate the bridge cannot use: answered to the peer as a 422, nothing changes."""


@dataclass(frozen=True)
class BridgeConfig:
    """The bridge's limits and timers."""

    video_codec: str = "vp8"
    # How many sites' video (and audio) city hall receives at once.
    hall_videos: int = 16
    keyframe_interval_secs: float = 0.5

    def __post_init__(self) -> None:
        if self.video_codec not in CODECS:
            raise ValueError(f"video_codec must be one of {sorted(CODECS)}")
        if self.hall_videos < 1 or self.keyframe_interval_secs <= 0:
            raise ValueError("bridge limits must be positive")


@dataclass(eq=False)
class Peer:
    """One participant's connection with the bridge."""

    id: int
    role: Role
    pc: RTCPeerConnection
    joined: float = field(default_factory=time.monotonic)
    publications: dict[str, Publication] = field(default_factory=dict)
    slots: list[Slot] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    negotiated: bool = False
    awaiting_answer: bool = False
    again: bool = False
    closed: bool = False
    # Set once the connection is up: the bridge's own offers wait for it (an offer made while the first DTLS
    # handshake is still under way can leave both ends with the same DTLS role, and the connection fails).
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    # Lines the bridge has offered to send on: offered once; if the peer does not take them, not again.
    offered: set[str] = field(default_factory=set)
    # What each of its sending lines carried when the peer was last told ({mid: {"peer_id", "kind"}}).
    told: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Whether the bridge takes what the peer sends (a site not shown to city hall is asked not to send), and
    # what the last description the bridge gave it said.
    receiving: bool = True
    receiving_told: bool | None = None

    def tracks(self) -> dict[str, dict[str, Any]]:
        """Whose track each sending line carries now, by mid, for the peer to label what it shows."""
        out = {}
        for transceiver in self.pc.getTransceivers():
            slot = transceiver.sender.track
            if isinstance(slot, Slot) and slot.source is not None and transceiver.mid is not None:
                out[transceiver.mid] = {"peer_id": slot.source.peer_id, "kind": slot.kind}
        return out


@dataclass(eq=False)
class Room:
    id: str
    # The one video codec of every leg, fixed by the room's first offer.
    codec: str
    peers: dict[int, Peer] = field(default_factory=dict)

    def sources_for(self, peer: Peer, hall_videos: int) -> list[Publication]:
        """What a peer receives: a site, city hall's tracks; city hall, those of the sites shown."""
        if peer.role == "site":
            senders = [p for p in self.peers.values() if p.role == "hall" and p is not peer]
        else:
            senders = self.shown(hall_videos)
        return [pub for p in senders for pub in p.publications.values()]

    def shown(self, hall_videos: int) -> list[Peer]:
        """The sites city hall sees and hears: the first `hall_videos` to publish."""
        sites = sorted((p for p in self.peers.values() if p.role == "site" and p.publications), key=_joined)
        return sites[:hall_videos]


def _joined(peer: Peer) -> float:
    return peer.joined


class BridgeLike(Protocol):
    """What the application asks of a bridge, in this process or another."""

    async def offer(
        self, room_id: str, peer_id: int, role: Role, sdp: str, codec: str | None = None
    ) -> dict[str, Any]: ...

    async def answer(self, room_id: str, peer_id: int, sdp: str) -> None: ...

    async def candidate(self, room_id: str, peer_id: int, candidate: dict[str, Any]) -> None: ...

    async def leave(self, room_id: str, peer_id: int) -> None: ...

    async def close_room(self, room_id: str) -> None: ...

    def peers(self, room_id: str) -> list[dict[str, Any]]: ...

    async def close(self) -> None: ...


class Bridge:
    """The in-process bridge: rooms of peers, each peer's tracks forwarded to those who should receive them."""

    def __init__(self, config: BridgeConfig, notify: Notify, on_change: Callable[[str], None] | None = None) -> None:
        passthrough.check()
        self.config = config
        self.notify = notify
        self.on_change = on_change or (lambda _room: None)
        self.rooms: dict[str, Room] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    # ---- signaling ------------------------------------------------------------------------------------

    async def offer(self, room_id: str, peer_id: int, role: Role, sdp: str, codec: str | None = None) -> dict[str, Any]:
        """A peer's offer (its first, or a new start after a reload): answered with what it should receive. The
        room's video codec is `codec` (else the configured one) when this offer opens the room."""
        await self.leave(room_id, peer_id)
        if codec is not None and codec not in CODECS:
            raise SignalingError(f"No video codec {codec!r}; the bridge forwards {sorted(CODECS)}.")
        room = self.rooms.setdefault(room_id, Room(room_id, codec or self.config.video_codec))
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        peer = Peer(peer_id, role, pc)
        room.peers[peer_id] = peer
        pc.on("track", lambda track: self._published(room, peer, track))
        pc.on("connectionstatechange", lambda: self._state_changed(room, peer))
        try:
            async with peer.lock:
                await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
                if not pc.getTransceivers():
                    raise SignalingError("The offer carries no audio or video.")
                for transceiver in pc.getTransceivers():
                    self._prefer_codec(room, transceiver)
                    if transceiver.kind == "video" and not passthrough.answer_with_codec(
                        transceiver, CODECS[room.codec]
                    ):
                        raise SignalingError(f"The briefing's video is {room.codec}; the offer does not carry it.")
                self._sync(room, peer)
                await pc.setLocalDescription(await pc.createAnswer())
                peer.negotiated = True
                peer.receiving_told = peer.receiving
        except Exception as exc:
            await self.leave(room_id, peer_id)
            raise SignalingError(f"The offer cannot be answered: {exc}") from exc
        for other in list(room.peers.values()):
            if other is not peer:
                self._sync(room, other)
        if self._needs_offer(peer):
            self._spawn(self._renegotiate(room, peer))
        self.on_change(room_id)
        peer.told = peer.tracks()
        return {"sdp": pc.localDescription.sdp, "type": "answer", "tracks": peer.told}

    async def answer(self, room_id: str, peer_id: int, sdp: str) -> None:
        """A peer's answer to the bridge's own offer."""
        peer = self._peer(room_id, peer_id)
        async with peer.lock:
            if not peer.awaiting_answer:
                raise SignalingError("No offer from the bridge is waiting for an answer.")
            try:
                await peer.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
            except Exception as exc:
                raise SignalingError(f"The answer cannot be used: {exc}") from exc
            peer.awaiting_answer = False
            again, peer.again = peer.again, False
        if again or self._needs_offer(peer):
            await self._renegotiate(self.rooms[room_id], peer)

    async def candidate(self, room_id: str, peer_id: int, candidate: dict[str, Any]) -> None:
        """A remote ICE candidate ({candidate, sdpMid, sdpMLineIndex}, as the browser gives it)."""
        peer = self._peer(room_id, peer_id)
        text = str(candidate.get("candidate", ""))
        if not text:
            return  # the end of the peer's candidates
        try:
            found = candidate_from_sdp(text.removeprefix("candidate:"))
        except (ValueError, IndexError) as exc:
            raise SignalingError("The ICE candidate cannot be read.") from exc
        found.sdpMid = candidate.get("sdpMid")
        found.sdpMLineIndex = candidate.get("sdpMLineIndex")
        try:
            await peer.pc.addIceCandidate(found)
        except Exception as exc:
            raise SignalingError(f"The ICE candidate cannot be used: {exc}") from exc

    async def leave(self, room_id: str, peer_id: int) -> None:
        """The peer is gone: its connection closed, its tracks no longer forwarded, others' slots freed."""
        room = self.rooms.get(room_id)
        peer = room.peers.pop(peer_id, None) if room else None
        if room is None or peer is None:
            return
        peer.closed = True
        for publication in peer.publications.values():
            publication.close()
        for slot in peer.slots:
            slot.end()
        await peer.pc.close()
        for other in list(room.peers.values()):
            self._sync(room, other)
        if not room.peers:
            self.rooms.pop(room_id, None)
        self.on_change(room_id)

    async def close_room(self, room_id: str) -> None:
        room = self.rooms.get(room_id)
        for peer_id in list(room.peers) if room else []:
            await self.leave(room_id, peer_id)

    async def close(self) -> None:
        for room_id in list(self.rooms):
            await self.close_room(room_id)
        # Let what is under way finish (a peer leaving is closing its connection: cancelled midway, aiortc's close
        # fails); only what is still waiting after that is cancelled.
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=CLOSE_WAIT_SECS)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def peers(self, room_id: str) -> list[dict[str, Any]]:
        """Who is connected to a room and what flows: for the roll call and the room's console."""
        room = self.rooms.get(room_id)
        if room is None:
            return []
        return [
            {
                "peer_id": p.id,
                "role": p.role,
                "state": p.pc.connectionState,
                "publishing": sorted(p.publications),
                # Whether the bridge takes its media: city hall, and the sites city hall is shown.
                "sending": p.receiving,
                "receiving": sum(1 for s in p.slots if s.source is not None),
            }
            for p in room.peers.values()
        ]

    def stats(self) -> dict[str, Any]:
        """Packets in and out, retransmissions, drops and keyframe requests, per room (benchmark, /metrics)."""
        out: dict[str, Any] = {}
        for room in self.rooms.values():
            pubs = [pub for p in room.peers.values() for pub in p.publications.values()]
            slots = [s for p in room.peers.values() for s in p.slots]
            out[room.id] = {
                "peers": len(room.peers),
                "packets_in": sum(p.packets for p in pubs),
                "keyframes_in": sum(p.keyframes for p in pubs),
                "keyframe_requests": sum(p.requests for p in pubs),
                "packets_out": sum(s.sent for s in slots),
                "resent": sum(s.resent for s in slots),
                "dropped": sum(s.dropped for s in slots),
            }
        return out

    # ---- forwarding -----------------------------------------------------------------------------------

    def _published(self, room: Room, peer: Peer, track: MediaStreamTrack) -> None:
        receiver = next(t.receiver for t in peer.pc.getTransceivers() if t.receiver.track is track)
        codec = room.codec if track.kind == "video" else "opus"
        publication = Publication(peer.id, track.kind, codec, receiver, self.config.keyframe_interval_secs)
        peer.publications[track.kind] = publication
        passthrough.tap(receiver, publication.deliver)
        passthrough.on_sender_report(receiver, publication.sender_report)

    def _sync(self, room: Room, peer: Peer) -> None:
        """Feed the peer's slots from what it should receive now; new slots where it has none free."""
        if peer.closed:
            return
        self._take_media(room, peer)
        wanted = room.sources_for(peer, self.config.hall_videos)
        fed = {slot.source: slot for slot in peer.slots if slot.source is not None}
        for source, slot in fed.items():
            if source not in wanted:
                slot.follow(None)
        for source in wanted:
            if source in fed:
                continue
            free = next((s for s in peer.slots if s.kind == source.kind and s.source is None), None)
            (free or self._new_slot(room, peer, source.kind)).follow(source)
        if not peer.negotiated:
            return
        if self._needs_offer(peer):
            self._spawn(self._renegotiate(room, peer))
        elif peer.tracks() != peer.told:
            peer.told = peer.tracks()
            self._spawn(self.notify(room.id, peer.id, "rtc.tracks", {"tracks": peer.told}))

    def _new_slot(self, room: Room, peer: Peer, kind: str) -> Slot:
        slot = Slot(kind)
        sender = peer.pc.addTrack(slot)
        slot.writer = passthrough.RtpWriter(sender)
        self._prefer_codec(room, next(t for t in peer.pc.getTransceivers() if t.sender is sender))
        passthrough.on_send(sender, slot.configure)
        passthrough.on_keyframe_request(sender, _asks_keyframe(slot))
        passthrough.on_retransmit_request(sender, slot.retransmit)
        peer.slots.append(slot)
        return slot

    def _take_media(self, room: Room, peer: Peer) -> None:
        """The bridge takes what city hall sends, and what a site sends while city hall is shown it. A site not
        shown is answered (or offered) lines the bridge does not receive on, so its browser sends nothing: 114
        cameras nobody sees would cost the bridge more than all it forwards. When it is shown, the next offer
        asks for its media again."""
        if peer.role != "site":
            return
        peer.receiving = peer in room.shown(self.config.hall_videos)
        for t in peer.pc.getTransceivers():
            t.direction = _receiving(t.direction, peer.receiving)

    def _needs_offer(self, peer: Peer) -> bool:
        """A line not yet negotiated, one the bridge now sends on that the peer has not been offered, or the
        peer's sending to be turned on or off."""
        if peer.closed:
            return False
        if peer.receiving_told is not None and peer.receiving_told != peer.receiving:
            return True
        for t in peer.pc.getTransceivers():
            if t.mid is None:
                return True
            wants = t.direction in ("sendrecv", "sendonly")
            if wants and t.currentDirection not in ("sendrecv", "sendonly") and t.mid not in peer.offered:
                return True
        return False

    async def _renegotiate(self, room: Room, peer: Peer) -> None:
        if not peer.connected.is_set():
            with contextlib.suppress(TimeoutError):  # never connected: it is removed when its connection fails
                await asyncio.wait_for(peer.connected.wait(), CONNECT_WAIT_SECS)
        async with peer.lock:
            if peer.closed:
                return
            if peer.awaiting_answer:
                peer.again = True
                return
            await peer.pc.setLocalDescription(await passthrough.offer_keeping_numbering(peer.pc))
            peer.awaiting_answer = True
            peer.offered |= {t.mid for t in peer.pc.getTransceivers() if t.mid and t.direction != "recvonly"}
            peer.receiving_told = peer.receiving
            peer.told = peer.tracks()
            description = {"sdp": peer.pc.localDescription.sdp, "type": "offer", "tracks": peer.told}
        await self.notify(room.id, peer.id, "rtc.offer", description)

    def _prefer_codec(self, room: Room, transceiver: RTCRtpTransceiver) -> None:
        """Video lines offer and accept the room's codec only, so every frame can go to every peer as it came."""
        if transceiver.kind != "video":
            return
        wanted = CODECS[room.codec]
        codecs = [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType in (wanted, "video/rtx")]
        transceiver.setCodecPreferences(codecs)

    def _state_changed(self, room: Room, peer: Peer) -> None:
        if peer.pc.connectionState == "connected":
            peer.connected.set()
            for slot in peer.slots:
                slot.resume()
        if peer.pc.connectionState in ("failed", "closed") and room.peers.get(peer.id) is peer:
            self._spawn(self.leave(room.id, peer.id))
        else:
            self.on_change(room.id)

    def _peer(self, room_id: str, peer_id: int) -> Peer:
        room = self.rooms.get(room_id)
        peer = room.peers.get(peer_id) if room else None
        if peer is None:
            raise SignalingError("Not connected to the briefing: send an offer first.")
        return peer

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(log_failure)


def _receiving(direction: str, receiving: bool) -> str:
    """A line's direction with its receiving half on or off, its sending half as it was."""
    sending = direction in ("sendrecv", "sendonly")
    if receiving:
        return "sendrecv" if sending else "recvonly"
    return "sendonly" if sending else "inactive"


def _asks_keyframe(slot: Slot) -> Callable[[], None]:
    def ask() -> None:
        if slot.source is not None:
            slot.source.want_keyframe()

    return ask
