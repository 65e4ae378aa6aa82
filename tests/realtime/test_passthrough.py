"""The bridge's seam in aiortc: it is where the bridge expects it, and a tapped receiver's packets go on as they
arrive, none kept for a decoder."""

from __future__ import annotations

import asyncio

from aiortc import RTCPeerConnection
from aiortc.rtp import RtpPacket

from realtime import passthrough
from realtime.passthrough import PacketTap


def test_the_aiortc_seam_is_where_the_bridge_expects_it() -> None:
    """The bridge reaches into aiortc at private names; this fails loudly when aiortc moves them."""
    passthrough.check()


def test_a_tapped_receiver_hands_every_packet_on_and_keeps_none() -> None:
    """Packets go to the tap in the order they arrive (a late one too), and no frame is ever handed to the
    decoder; tapping again only changes where they go."""

    async def scenario() -> None:
        pc = RTCPeerConnection()
        receiver = pc.addTransceiver("video").receiver
        seen: list[int] = []
        passthrough.tap(receiver, lambda packet: seen.append(packet.sequence_number))
        buffer = receiver._RTCRtpReceiver__jitter_buffer  # type: ignore[attr-defined]
        assert isinstance(buffer, PacketTap)
        for sequence_number, marker in ((10, 0), (12, 1), (11, 0)):
            packet = RtpPacket(sequence_number=sequence_number, timestamp=900, marker=marker)
            assert buffer.add(packet) == (False, None)
        assert seen == [10, 12, 11]
        later: list[int] = []
        passthrough.tap(receiver, lambda packet: later.append(packet.sequence_number))
        assert receiver._RTCRtpReceiver__jitter_buffer is buffer  # type: ignore[attr-defined]
        buffer.add(RtpPacket(sequence_number=13))
        assert (seen, later) == ([10, 12, 11], [13])
        await pc.close()

    asyncio.run(scenario())
