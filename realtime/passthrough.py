"""The one place the video bridge reaches inside aiortc: taking RTP packets as they arrive, before any decoding,
and sending forwarded ones through a sender's transport.

aiortc's RTCRtpReceiver keeps its statistics (for receiver reports), asks for what is lost (NACK), estimates the
bandwidth (REMB), then hands every packet to its jitter buffer to reassemble frames for a decoder thread. The
bridge swaps the jitter buffer for a `PacketTap`, which hands each packet on at once and keeps nothing: no frame
is ever reassembled or decoded, and the decoder thread, still started by aiortc, waits until the receiver stops.

On the sending side aiortc's RTCRtpSender would packetize frames itself (an `RtpPacket` per payload, header
extensions, a retransmission history, coroutines down to the socket: ~40-55 µs a packet). A bridge line's track
never yields a frame; the bridge writes finished packets with an `RtpWriter`: SRTP with the sender's transport's
keys, the datagram to the ICE pair in use, and the counters the sender's reports (RTCP SR) are made from. What the
subscriber asks of the sender comes to the bridge: a keyframe (PLI or FIR) and retransmissions (NACK), and the
line's parameters when the sender starts (`on_send`); and the publisher's sender reports, so that the bridge's own
say what the publisher's did (`on_sender_report`).

One more habit of aiortc is corrected here: its `createOffer` numbers every m-line's codecs and header
extensions afresh from its own table, so a renegotiation offer to a browser changes what was agreed (Chrome
refuses a changed extension id; aiortc's own receiver keeps the payload types first agreed and goes silent).
`offer_keeping_numbering` keeps what was agreed on lines already negotiated.

These are private names of aiortc 1.16 (`_RTCRtpReceiver__jitter_buffer`, `RTCRtpSender._send_keyframe`,
`_retransmit`, `_enabled` and its report counters, `RTCDtlsTransport._state`, `_tx_srtp` and its counters,
`RTCIceTransport._connection`, `RTCRtpReceiver._send_rtcp_pli` and `_handle_rtcp_packet`,
`RTCRtpTransceiver._codecs` and `_headerExtensions`) and of aioice (`Connection._nominated`); `check()` fails
loudly when the installed aiortc is another version or they moved, and tests/realtime/test_passthrough.py runs it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from aioice.ice import CandidatePair, Connection
from aiortc import (
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
    sdp,
)
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcicetransport import RTCIceTransport
from aiortc.rtcrtpparameters import RTCRtpSendParameters
from aiortc.rtp import RtcpSrPacket, RtpPacket

PINNED_AIORTC = "1.16."
_JITTER = "_RTCRtpReceiver__jitter_buffer"
# What the sender's reports (RTCP SR) are made from; the bridge's writes keep them.
_REPORT_COUNTERS = (
    "_RTCRtpSender__ntp_timestamp",
    "_RTCRtpSender__rtp_timestamp",
    "_RTCRtpSender__octet_count",
    "_RTCRtpSender__packet_count",
)


class PassthroughUnavailable(RuntimeError):
    """aiortc is not the version whose internals the bridge was built on."""


def check() -> None:
    """Fail loudly unless aiortc is the pinned version and the seam's names are where the bridge expects."""
    installed = version("aiortc")
    if not installed.startswith(PINNED_AIORTC):
        raise PassthroughUnavailable(f"the bridge taps aiortc {PINNED_AIORTC}x; {installed} is installed")
    if _JITTER not in RTCRtpReceiver.__init__.__code__.co_names or not callable(getattr(JitterBuffer, "add", None)):
        raise PassthroughUnavailable(f"RTCRtpReceiver no longer has {_JITTER}")
    sender_names = set(RTCRtpSender.__init__.__code__.co_names)
    if not {*_REPORT_COUNTERS, "_enabled"} <= sender_names:
        raise PassthroughUnavailable("RTCRtpSender keeps its report counters elsewhere")
    for owner, name in (
        (RTCRtpSender, "_send_keyframe"),
        (RTCRtpSender, "_retransmit"),
        (RTCRtpSender, "send"),
        (RTCRtpReceiver, "_send_rtcp_pli"),
        (RTCRtpReceiver, "_handle_rtcp_packet"),
    ):
        if not callable(getattr(owner, name, None)):
            raise PassthroughUnavailable(f"{owner.__name__}.{name} is gone")
    dtls_names = set(RTCDtlsTransport.__init__.__code__.co_names)
    if not {"_state", "_tx_srtp", "_RTCDtlsTransport__tx_bytes", "_RTCDtlsTransport__tx_packets"} <= dtls_names:
        raise PassthroughUnavailable("RTCDtlsTransport keeps its SRTP session or counters elsewhere")
    if "_connection" not in RTCIceTransport.__init__.__code__.co_names:
        raise PassthroughUnavailable("RTCIceTransport no longer holds an aioice connection")
    if "_nominated" not in Connection.__init__.__code__.co_names or not isinstance(
        getattr(CandidatePair, "remote_addr", None), property
    ):
        raise PassthroughUnavailable("aioice keeps the ICE pair in use elsewhere")
    kept = RTCRtpTransceiver.__init__.__code__.co_names
    if "_codecs" not in kept or "_headerExtensions" not in kept:
        raise PassthroughUnavailable("RTCRtpTransceiver no longer keeps its negotiated codecs")


class PacketTap(JitterBuffer):
    """Stands in for a receiver's jitter buffer: each packet, its statistics counted and its losses asked for by
    the receiver, goes to `deliver` as it arrives; nothing is kept, so no frame ever reaches the decoder."""

    def __init__(self, capacity: int, is_video: bool, deliver: Callable[[RtpPacket], None]) -> None:
        super().__init__(capacity=capacity, is_video=is_video)
        self.deliver = deliver

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        self.deliver(packet)
        return False, None


def tap(receiver: RTCRtpReceiver, deliver: Callable[[RtpPacket], None]) -> None:
    """From now on, every RTP packet the receiver takes (retransmissions unwrapped) goes to `deliver`, in the order
    it arrives, and nothing is decoded."""
    current = getattr(receiver, _JITTER)
    if isinstance(current, PacketTap):
        current.deliver = deliver
        return
    setattr(receiver, _JITTER, PacketTap(current.capacity, current._is_video, deliver))


class RtpWriter:
    """Writes finished RTP packets for a sender at once: SRTP with its transport's keys, then the datagram to the
    ICE pair in use, keeping the counters its sender's reports (RTCP SR) and its transport's statistics are made
    from. aiortc's own path to the socket is four coroutines deep (~3 µs a packet, a fifth of forwarding one)."""

    def __init__(self, sender: RTCRtpSender) -> None:
        self.sender = sender
        self._dtls: RTCDtlsTransport | None = None
        self._srtp: Any = None
        self._ice: Any = None  # the aioice connection under the DTLS transport

    def ready(self) -> bool:
        """Whether packets written now reach the peer: the connection is up (DTLS done) and the line, as last
        negotiated, sends (aiortc's `_enabled`)."""
        return bool(self.sender._enabled and self.sender.transport._state is DtlsState.CONNECTED)

    def write(self, packet: bytes, timestamp: int, ntp: int, payload_size: int) -> bool:
        """Send one packet; False if the connection is not (or no longer) up, or the line does not send."""
        sender = self.sender
        dtls = sender.transport
        if dtls._state is not DtlsState.CONNECTED or not sender._enabled:
            return False
        if dtls is not self._dtls:  # first use, or the line moved to the bundle's transport
            self._dtls, self._srtp, self._ice = dtls, dtls._tx_srtp, dtls.transport._connection
        pair = self._ice._nominated.get(1)
        if pair is None:
            return False
        data = self._srtp.protect(packet)
        pair.protocol.transport.sendto(data, pair.remote_addr)
        dtls._RTCDtlsTransport__tx_bytes += len(data)  # type: ignore[attr-defined]
        dtls._RTCDtlsTransport__tx_packets += 1  # type: ignore[attr-defined]
        sender._RTCRtpSender__ntp_timestamp = ntp  # type: ignore[attr-defined]
        sender._RTCRtpSender__rtp_timestamp = timestamp  # type: ignore[attr-defined]
        sender._RTCRtpSender__octet_count += payload_size  # type: ignore[attr-defined]
        sender._RTCRtpSender__packet_count += 1  # type: ignore[attr-defined]
        return True


def on_sender_report(receiver: RTCRtpReceiver, callback: Callable[[int, int], None]) -> None:
    """Call `callback(ntp_timestamp, rtp_timestamp)` for each sender report (RTCP SR) the receiver's peer sends:
    the moment, on the peer's clock, that one of its RTP timestamps stands for."""
    original = receiver._handle_rtcp_packet

    async def handle(packet: Any) -> None:
        if isinstance(packet, RtcpSrPacket):
            callback(packet.sender_info.ntp_timestamp, packet.sender_info.rtp_timestamp)
        await original(packet)

    receiver._handle_rtcp_packet = handle  # type: ignore[method-assign]


def on_send(sender: RTCRtpSender, callback: Callable[[RTCRtpSendParameters, int], None]) -> None:
    """Call `callback(parameters, ssrc)` when the sender starts with the line's negotiated parameters."""
    original = sender.send

    async def send(parameters: RTCRtpSendParameters) -> None:
        callback(parameters, sender._ssrc)
        await original(parameters)

    sender.send = send  # type: ignore[method-assign]


def on_retransmit_request(sender: RTCRtpSender, callback: Callable[[int], None]) -> None:
    """Call `callback(sequence_number)` for each packet the sender's peer reports lost (NACK)."""

    async def retransmit(sequence_number: int) -> None:
        callback(sequence_number)

    sender._retransmit = retransmit  # type: ignore[method-assign]


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call `callback` when the sender's peer asks for a keyframe (PLI or FIR)."""
    sender._send_keyframe = callback  # type: ignore[method-assign]


async def request_keyframe(receiver: RTCRtpReceiver) -> bool:
    """Ask the peer sending to this receiver for a keyframe (a PLI); False if it has not sent anything yet."""
    sources = receiver.getSynchronizationSources()
    if not sources:
        return False
    await receiver._send_rtcp_pli(sources[0].source)
    return True


async def offer_keeping_numbering(pc: RTCPeerConnection) -> RTCSessionDescription:
    """An offer that keeps the numbering already agreed: lines negotiated keep their payload types and header
    extension ids, and new lines take the numbers the bundle agreed for the same codec or extension (browsers
    refuse one number meaning two things in a bundle), or numbers nobody uses yet."""
    agreed = {
        t.mid: (copy.deepcopy(t._codecs), copy.deepcopy(t._headerExtensions))
        for t in pc.getTransceivers()
        if t.mid is not None and t.currentDirection is not None and t._codecs
    }
    offer = await pc.createOffer()
    if not agreed:
        return offer
    description = sdp.SessionDescription.parse(offer.sdp)
    numbering = _Numbering([codec for codecs, _ in agreed.values() for codec in codecs])
    extension_ids = {e.uri: e.id for _, extensions in agreed.values() for e in extensions}
    for media in description.media:
        kept = agreed.get(media.rtp.muxId)
        if kept is not None:
            media.rtp.codecs, media.rtp.headerExtensions = copy.deepcopy(kept[0]), copy.deepcopy(kept[1])
        elif media.kind in ("audio", "video"):
            media.rtp.codecs = numbering.renumbered(media.rtp.codecs)
            for extension in media.rtp.headerExtensions:
                extension.id = extension_ids.setdefault(
                    extension.uri,
                    extension.id
                    if extension.id not in extension_ids.values()
                    else min(set(range(1, 15)) - set(extension_ids.values())),
                )
        media.fmt = [codec.payloadType for codec in media.rtp.codecs]
    by_mid = {m.rtp.muxId: m for m in description.media if m.kind in ("audio", "video")}
    for transceiver in pc.getTransceivers():
        line = by_mid.get(transceiver.mid or "")
        if line is not None:
            transceiver._codecs = copy.deepcopy(line.rtp.codecs)
            transceiver._headerExtensions = copy.deepcopy(line.rtp.headerExtensions)
    return RTCSessionDescription(sdp=str(description), type="offer")


class _Numbering:
    """Payload types as a bundle agreed them, for numbering a new line alike."""

    def __init__(self, agreed: list[Any]) -> None:
        self.by_codec = {_codec_key(c): c.payloadType for c in agreed if c.mimeType.lower() != "video/rtx"}
        self.rtx_for = {c.parameters.get("apt"): c.payloadType for c in agreed if c.mimeType.lower() == "video/rtx"}
        self.used = {c.payloadType for c in agreed}

    def renumbered(self, codecs: list[Any]) -> list[Any]:
        old_to_new: dict[int, int] = {}
        out = []
        for codec in codecs:
            if codec.mimeType.lower() == "video/rtx":
                continue
            number = self.by_codec.get(_codec_key(codec)) or self._free()
            self.by_codec[_codec_key(codec)] = number
            self.used.add(number)
            old_to_new[codec.payloadType] = number
            out.append(_with_pt(codec, number))
        for codec in codecs:
            base = old_to_new.get(codec.parameters.get("apt")) if codec.mimeType.lower() == "video/rtx" else None
            if base is None:
                continue
            number = self.rtx_for.get(base) or self._free()
            self.rtx_for[base] = number
            self.used.add(number)
            rtx = _with_pt(codec, number)
            rtx.parameters = {**codec.parameters, "apt": base}
            out.append(rtx)
        return out

    def _free(self) -> int:
        return min(set(range(96, 128)) - self.used)


def _codec_key(codec: Any) -> tuple[Any, ...]:
    return (codec.mimeType.lower(), codec.clockRate, codec.channels, tuple(sorted(codec.parameters.items())))


def _with_pt(codec: Any, number: int) -> Any:
    changed = copy.deepcopy(codec)
    changed.payloadType = number
    return changed


def answer_with_codec(transceiver: RTCRtpTransceiver, mime_type: str) -> bool:
    """Narrow what a line received in an offer will answer to one codec (with its retransmissions): aiortc fixes
    a line's codecs when the offer is set, before preferences could apply. False if the offer lacks it."""
    kept = [c for c in transceiver._codecs if c.mimeType.lower() == mime_type.lower()]
    payload_types = {c.payloadType for c in kept}
    retransmissions = [
        c for c in transceiver._codecs if c.mimeType.lower() == "video/rtx" and c.parameters.get("apt") in payload_types
    ]
    transceiver._codecs = kept + retransmissions
    return bool(kept)
