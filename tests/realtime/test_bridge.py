"""The video bridge with real aiortc peers in this process: frames forwarded undecoded reach every subscriber
intact, keyframe requests are coalesced, peers that vanish are cleaned up, bad signaling changes nothing."""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc import clock as aiortc_clock
from aiortc.mediastreams import AudioStreamTrack
from aiortc.rtp import RtcpSrPacket

from realtime import rtp
from realtime.bridge import Bridge, BridgeConfig, Role, SignalingError
from tests import rtc_peers
from tests.rtc_peers import CounterTrack, Received

WAIT_SECS = 60.0
until = functools.partial(rtc_peers.until, secs=WAIT_SECS)
in_order_from = functools.partial(rtc_peers.in_order_from, span=10_000)


class Peer:
    """An aiortc peer talking to the bridge directly (the app's websocket signaling is tested in tests/api)."""

    def __init__(
        self,
        bridge: Bridge,
        peer_id: int,
        role: Role,
        base: int,
        numbering: dict[str, str] | None = None,
        codec: str | None = None,
    ) -> None:
        self.bridge, self.peer_id, self.role = bridge, peer_id, role
        # Payload types and extension ids of its own, as a browser has (aiortc's are the bridge's too).
        self.numbering = numbering or {}
        self.offers: list[str] = []
        self.codec = codec
        self.answer_sdp = ""
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video = CounterTrack(base)
        self.pc.addTrack(self.video)
        self.pc.addTrack(AudioStreamTrack())
        self.received = Received()
        self.pc.on("track", lambda track: asyncio.ensure_future(self.received.read(track)))
        self.keyframes_asked = 0

    async def join(self) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = self._renumbered(self.pc.localDescription.sdp)
        answer = await self.bridge.offer("room", self.peer_id, self.role, offer, self.codec)
        self.answer_sdp = answer["sdp"]
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        video_sender = next(s for s in self.pc.getSenders() if s.track is self.video)
        ask = video_sender._send_keyframe

        def counted() -> None:
            self.keyframes_asked += 1
            ask()

        video_sender._send_keyframe = counted  # type: ignore[method-assign]

    def _renumbered(self, text: str) -> str:
        """The offer with this peer's numbering on the lines that carry it (never the fingerprint's hex)."""
        lines = []
        for line in text.split("\r\n"):
            if line.startswith(("m=", "a=rtpmap:", "a=fmtp:", "a=rtcp-fb:", "a=extmap:")):
                for old, new in self.numbering.items():
                    line = re.sub(old, new, line)
            lines.append(line)
        return "\r\n".join(lines)

    async def renegotiate(self, data: dict[str, Any]) -> None:
        self.offers.append(data["sdp"])
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type=data["type"]))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self.bridge.answer("room", self.peer_id, self.pc.localDescription.sdp)


def run(scenario: Callable[[Bridge, dict[int, Peer]], Awaitable[None]], **config: Any) -> None:
    async def main() -> None:
        peers: dict[int, Peer] = {}
        answering: set[asyncio.Task[None]] = set()

        async def notify(_room: str, peer_id: int, kind: str, data: dict[str, Any]) -> None:
            if kind != "rtc.offer":
                return
            task = asyncio.ensure_future(peers[peer_id].renegotiate(data))
            answering.add(task)
            task.add_done_callback(answering.discard)

        bridge = Bridge(BridgeConfig(**config), notify)
        try:
            await scenario(bridge, peers)
        finally:
            await bridge.close()
            for peer in peers.values():
                await peer.pc.close()

    asyncio.run(main())


def test_city_hall_and_five_sites_receive_each_others_frames_intact() -> None:
    """Each site decodes city hall's video and hears its audio; city hall decodes the five sites' videos; every
    decoded counter is one its source drew, in order; the bridge decoded nothing (its frames in match out)."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        for i in range(5):
            site = peers[10 + i] = Peer(bridge, 10 + i, "site", 2000 + 500 * i)
            await site.join()
        sites = [peers[10 + i] for i in range(5)]

        def enough() -> bool:
            hall_tracks = [c for c in hall.received.counters.values() if len(c) >= 10]
            return len(hall_tracks) == 5 and all(
                len(next(iter(s.received.counters.values()), [])) >= 20 and s.received.audio > 0 for s in sites
            )

        await until(enough, "every site and city hall receiving")
        for site in sites:
            (counters,) = site.received.counters.values()
            assert in_order_from(counters, 1000), counters[:10]
        seen_bases = sorted(min(c) // 500 * 500 for c in hall.received.counters.values())
        assert seen_bases == [2000, 2500, 3000, 3500, 4000]
        for counters in hall.received.counters.values():
            base = min(counters) // 500 * 500
            assert in_order_from(counters, base) and max(counters) < base + 500
        stats = bridge.stats()["room"]
        assert stats["peers"] == 6 and stats["packets_out"] > 0
        peers_now = {p["peer_id"]: p for p in bridge.peers("room")}
        assert peers_now[1]["receiving"] == 10 and all(peers_now[10 + i]["receiving"] == 2 for i in range(5))

    run(scenario)


def test_twenty_sites_joining_at_once_cost_city_hall_a_keyframe_or_two() -> None:
    """Twenty subscribers starting together each need a keyframe; the publisher is asked at most twice a second,
    and every one of them decodes frames."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        await until(lambda: bridge.stats()["room"]["packets_in"] > 30, "city hall publishing")
        started = time.monotonic()
        sites = [Peer(bridge, 100 + i, "site", 5000) for i in range(20)]
        for site in sites:
            peers[site.peer_id] = site
        await asyncio.gather(*(site.join() for site in sites))
        await until(lambda: all(site.received.first_frame_at for site in sites), "every site's first frame")
        elapsed = time.monotonic() - started
        publication = bridge.rooms["room"].peers[1].publications["video"]
        assert publication.requests <= 2 + elapsed / 0.5, (publication.requests, elapsed)
        assert hall.keyframes_asked <= publication.requests

    run(scenario)


def test_a_freed_line_carries_the_next_site_as_one_stream() -> None:
    """City hall shows one site. When it leaves, the next site takes its line without a new negotiation: city
    hall's decoder, on the same track, goes from the first site's frames to the second's, which decode in order
    (numbering and timestamps go on from where the line was)."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        for peer_id, base in ((10, 2000), (11, 3000)):
            peers[peer_id] = Peer(bridge, peer_id, "site", base)
            await peers[peer_id].join()
        await until(lambda: len(next(iter(hall.received.counters.values()), [])) >= 20, "the first site")
        (counters,) = hall.received.counters.values()
        assert all(2000 <= c < 2500 for c in counters)
        offers = len(hall.offers)
        await bridge.leave("room", 10)
        await until(lambda: len([c for c in counters if c >= 3000]) >= 20, "the second site on the same line")
        assert len(hall.received.counters) == 1 and len(hall.offers) == offers
        switch = next(i for i, c in enumerate(counters) if c >= 3000)
        assert in_order_from(counters[:switch], 2000) and in_order_from(counters[switch:], 3000)

    run(scenario, hall_videos=1)


def test_a_site_city_hall_does_not_see_sends_nothing_until_it_is_shown() -> None:
    """City hall shows two sites; the third is answered lines the bridge does not receive on, so it sends the
    bridge nothing (and still receives city hall). When a shown site leaves, the bridge offers the third its
    lines again, it starts sending, and city hall decodes it."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        for peer_id, base in ((10, 2000), (11, 3000), (12, 4000)):
            peers[peer_id] = Peer(bridge, peer_id, "site", base)
            await peers[peer_id].join()
        third = peers[12]
        await until(lambda: len([c for c in hall.received.counters.values() if len(c) >= 20]) == 2, "two sites")
        await until(lambda: len(next(iter(third.received.counters.values()), [])) >= 20, "city hall at the third")
        room = bridge.rooms["room"]
        assert {p.id for p in room.shown(2)} == {10, 11}
        assert [p.packets for p in room.peers[12].publications.values()] == [0, 0]
        assert all(p.packets > 0 for site in (10, 11) for p in room.peers[site].publications.values())
        video = next(m for m in third.answer_sdp.split("m=")[1:] if m.startswith("video"))
        assert "a=sendonly" in video
        offers = len(third.offers)
        await bridge.leave("room", 10)
        await until(lambda: len(third.offers) > offers, "the bridge's offer to the third site")
        assert "a=sendrecv" in next(m for m in third.offers[-1].split("m=")[1:] if m.startswith("video"))
        await until(
            lambda: any(len([c for c in cs if c >= 4000]) >= 20 for cs in hall.received.counters.values()),
            "the third site at city hall",
        )
        assert all(p.packets > 0 for p in room.peers[12].publications.values())
        for counters in hall.received.counters.values():
            shown = [c for c in counters if c >= 4000]
            assert not shown or in_order_from(shown, 4000)

    run(scenario, hall_videos=2)


def test_packets_a_site_loses_are_sent_again_by_the_bridge() -> None:
    """One video packet in ten is lost on the way to a site; the site reports them (NACK) and the bridge sends
    them again from city hall's recent packets, so the site decodes nearly every frame, in order."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        site = peers[10] = Peer(bridge, 10, "site", 2000)
        await site.join()
        video_type = int(re.findall(r"a=rtpmap:(\d+) VP8/90000", site.answer_sdp)[0])
        # Lost on the network: before SRTP, whose header (payload type, sequence number) is in the clear.
        ice = site.pc.getTransceivers()[0].receiver.transport.transport
        receive = ice._recv
        lost: set[int] = set()
        seen = 0

        async def lossy() -> bytes:
            nonlocal seen
            while True:
                data = await receive()
                if 128 <= data[0] < 192 and data[1] & 0x7F == video_type:
                    sequence_number = int.from_bytes(data[2:4], "big")
                    seen += 1
                    if seen % 10 == 0 and sequence_number not in lost:
                        lost.add(sequence_number)
                        continue
                return bytes(data)

        ice._recv = lossy  # type: ignore[method-assign]
        await until(lambda: len(next(iter(site.received.counters.values()), [])) >= 90, "the site decoding")
        (counters,) = site.received.counters.values()
        assert len(lost) >= 8 and bridge.stats()["room"]["resent"] >= len(lost) // 2
        assert in_order_from(counters, 1000)
        assert len(set(counters)) >= 0.9 * (max(counters) - min(counters) + 1), counters

    run(scenario)


def test_a_sites_sender_reports_carry_city_halls_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """City hall's clock runs 100 s ahead of the bridge's. The sender reports a site gets from the bridge put city
    hall's RTP timestamps at the moments city hall's own reports gave them (so a site lines sound and picture up
    as they were captured), not at the bridge's time of arrival."""
    real = aiortc_clock.current_ntp_time
    monkeypatch.setattr(aiortc_clock, "current_ntp_time", lambda: real() + (100 << 32))

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        site = peers[10] = Peer(bridge, 10, "site", 2000)
        await site.join()
        reports: dict[str, list[float]] = {"audio": [], "video": []}
        for transceiver in site.pc.getTransceivers():
            receiver, kind = transceiver.receiver, transceiver.kind
            handle = receiver._handle_rtcp_packet

            async def heard(packet: Any, handle: Any = handle, kind: str = kind) -> None:
                if isinstance(packet, RtcpSrPacket) and packet.sender_info.packet_count:
                    reports[kind].append(packet.sender_info.ntp_timestamp / 2**32 - time.time())
                await handle(packet)

            receiver._handle_rtcp_packet = heard  # type: ignore[method-assign]
        await until(lambda: len(reports["audio"]) >= 2 and len(reports["video"]) >= 2, "the bridge's reports")
        for kind, ahead in reports.items():
            # After city hall's first report reached the bridge, every report is on city hall's clock.
            assert 99 < ahead[-1] - rtp.NTP_EPOCH_OFFSET < 101, (kind, ahead)

    run(scenario)


def test_a_vanished_peer_is_cleaned_up_and_others_go_on() -> None:
    """A site whose connection closes without a word is removed: its publication and slots go, city hall stops
    receiving it, no task of the bridge is left; a site that leaves properly goes at once."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        for peer_id in (10, 11):
            peers[peer_id] = Peer(bridge, peer_id, "site", 2000)
            await peers[peer_id].join()
        await until(lambda: len(bridge.peers("room")) == 3, "three peers")
        await until(lambda: all(p["state"] == "connected" for p in bridge.peers("room")), "connected")
        await peers[10].pc.close()
        await until(lambda: 10 not in bridge.rooms["room"].peers, "the vanished site removed")
        room = bridge.rooms["room"]
        assert all(slot.source is None or slot.source.peer_id != 10 for slot in room.peers[1].slots)
        await bridge.leave("room", 11)
        assert set(room.peers) == {1}
        assert [p["receiving"] for p in bridge.peers("room")] == [0]
        await bridge.leave("room", 1)
        assert bridge.rooms == {}
        await until(lambda: not bridge._tasks, "no bridge task left")

    run(scenario)


def test_an_h264_room_offers_and_forwards_h264_alone() -> None:
    """A room opened with H.264 answers and offers no other video codec, and its frames arrive intact."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000, codec="h264")
        await hall.join()
        site = peers[10] = Peer(bridge, 10, "site", 2000, codec="h264")
        await site.join()
        await until(lambda: len(next(iter(site.received.counters.values()), [])) >= 20, "city hall at the site")
        await until(lambda: len(next(iter(hall.received.counters.values()), [])) >= 20, "the site at city hall")
        assert in_order_from(next(iter(site.received.counters.values())), 1000)
        for answer in (hall.answer_sdp, site.answer_sdp, *hall.offers):
            video = next(m for m in answer.split("m=")[1:] if m.startswith("video"))
            assert "H264/90000" in video and "VP8" not in video

    run(scenario)


# A browser's numbering: VP8 as 120 and its retransmissions as 121, Opus as 109, header extensions from 5.
BROWSER_NUMBERING = {
    r"\b97\b": "120",
    r"\b98\b": "121",
    r"(?<=[ :])96\b": "109",
    r"a=extmap:(\d)": "a=extmap:1\\1",
}


def test_a_renegotiation_keeps_the_numbering_the_peer_chose_and_media_keeps_flowing() -> None:
    """A site that numbers its codecs and header extensions its own way joins before city hall; the bridge's own
    offer (adding city hall's tracks) keeps the site's numbers on the lines agreed, and after it the site still
    reaches city hall and city hall reaches the site."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        site = peers[10] = Peer(bridge, 10, "site", 2000, numbering=BROWSER_NUMBERING)
        await site.join()
        hall = peers[1] = Peer(bridge, 1, "hall", 1000)
        await hall.join()
        await until(lambda: bool(site.offers), "the bridge's offer to the site")
        video = next(m for m in site.offers[0].split("m=")[1:] if m.startswith("video"))
        assert video.split("\r\n")[0].split()[3:5] == ["120", "121"], video[:80]
        assert "a=extmap:1" in video and "a=rtpmap:120 VP8/90000" in video
        audio = next(m for m in site.offers[0].split("m=")[1:] if m.startswith("audio"))
        assert "a=rtpmap:109 opus/48000/2" in audio
        await until(lambda: len(next(iter(site.received.counters.values()), [])) >= 20, "city hall at the site")
        await until(lambda: len(next(iter(hall.received.counters.values()), [])) >= 20, "the site at city hall")
        assert in_order_from(next(iter(hall.received.counters.values())), 2000)
        assert len(site.offers) == 1  # one offer, answered once: no offer follows another

    run(scenario)


def test_new_lines_in_the_bridges_offer_take_the_numbers_the_bundle_agreed() -> None:
    """City hall numbers its codecs its own way and joins first; two sites follow, so the bridge offers city hall
    new lines: every line, old and new, uses city hall's payload types, each header extension keeps one id across
    the bundle, and city hall decodes both sites."""

    async def scenario(bridge: Bridge, peers: dict[int, Peer]) -> None:
        hall = peers[1] = Peer(bridge, 1, "hall", 1000, numbering=BROWSER_NUMBERING)
        await hall.join()
        for peer_id, base in ((10, 2000), (11, 3000)):
            peers[peer_id] = Peer(bridge, peer_id, "site", base)
            await peers[peer_id].join()
        await until(lambda: len([c for c in hall.received.counters.values() if len(c) >= 10]) == 2, "both sites")
        last = hall.offers[-1]
        sections = last.split("m=")[1:]
        assert len([m for m in sections if m.startswith("video")]) >= 2
        for section in sections:
            if section.startswith("video"):
                assert section.split("\r\n")[0].split()[3:] == ["120", "121"], section[:60]
            elif section.startswith("audio"):
                assert "a=rtpmap:109 opus/48000/2" in section
        ids: dict[str, set[str]] = {}
        for line in last.split("\r\n"):
            if line.startswith("a=extmap:"):
                number, uri = line.removeprefix("a=extmap:").split(" ", 1)
                ids.setdefault(uri, set()).add(number.split("/")[0])
        assert ids and all(len(numbers) == 1 for numbers in ids.values()), ids
        assert len({next(iter(n)) for n in ids.values()}) == len(ids)
        for counters in hall.received.counters.values():
            assert in_order_from(counters, min(counters) // 1000 * 1000)

    run(scenario)


@pytest.mark.parametrize(
    "sdp",
    ["", "not an sdp at all", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"],
)
def test_a_malformed_offer_is_refused_and_changes_nothing(sdp: str) -> None:
    """An offer the bridge cannot answer is a SignalingError; no room or peer is left behind, and an answer or
    a candidate from a peer that is not connected is refused the same way."""

    async def scenario(bridge: Bridge, _peers: dict[int, Peer]) -> None:
        with pytest.raises(SignalingError):
            await bridge.offer("room", 7, "site", sdp)
        assert bridge.rooms == {}
        with pytest.raises(SignalingError):
            await bridge.answer("room", 7, "v=0")
        with pytest.raises(SignalingError):
            await bridge.candidate("room", 7, {"candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host"})

    run(scenario)
