"""The one place the video bridge reaches inside aiortc: taking encoded frames before they are decoded.

aiortc's RTCRtpReceiver reassembles each frame in its jitter buffer and puts `(codec, frame)` on a queue that
a decoder thread reads. The bridge swaps that queue for an `EncodedTap`, which hands every reassembled frame
on as an `av.Packet` (its bytes, `pts` the frame's RTP timestamp, `time_base` 1/clock rate) and decodes
nothing; a track yielding such packets, added to another peer connection, is only re-packetized by its
sender (`Encoder.pack`). The decoder thread, still started by aiortc, waits on the original queue until the
receiver stops. Keyframe requests are the bridge's: aiortc ignores a subscriber's PLI when it sends packets,
so the sender's own hook is replaced, and the bridge asks the publisher with the receiver's PLI.

One more habit of aiortc is corrected here: its `createOffer` numbers every m-line's codecs and header
extensions afresh from its own table, so a renegotiation offer to a browser changes what was agreed (Chrome
refuses a changed extension id; aiortc's own receiver keeps the payload types first agreed and goes silent).
`offer_keeping_numbering` keeps what was agreed on lines already negotiated.

The jitter buffer is replaced too (`PromptJitterBuffer`): aiortc's holds each frame until the next one starts.

These are private names of aiortc 1.16 (`_RTCRtpReceiver__decoder_queue`, `__jitter_buffer`, `JitterBuffer`'s
insides, `RTCRtpSender._send_keyframe`,
`RTCRtpReceiver._send_rtcp_pli`, `RTCRtpTransceiver._codecs` and `_headerExtensions`); `check()` fails loudly
when the installed aiortc is another version or they moved, and tests/realtime/test_bridge.py runs it.
"""

from __future__ import annotations

import copy
import fractions
import queue
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import av
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver, RTCSessionDescription, sdp
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket

PINNED_AIORTC = "1.16."
_QUEUE = "_RTCRtpReceiver__decoder_queue"
_JITTER = "_RTCRtpReceiver__jitter_buffer"
H264_IDR, H264_SPS = 5, 7


class PassthroughUnavailable(RuntimeError):
    """aiortc is not the version whose internals the bridge was built on."""


def check() -> None:
    """Fail loudly unless aiortc is the pinned version and the seam's names are where the bridge expects."""
    installed = version("aiortc")
    if not installed.startswith(PINNED_AIORTC):
        raise PassthroughUnavailable(f"the bridge taps aiortc {PINNED_AIORTC}x; {installed} is installed")
    probe = RTCRtpReceiver.__init__.__code__.co_names
    for name in (_QUEUE, _JITTER):
        if name not in probe:
            raise PassthroughUnavailable(f"RTCRtpReceiver no longer has {name}")
    buffer = JitterBuffer.__init__.__code__.co_names
    if not {"_origin", "_packets", "_capacity", "_is_video"} <= set(buffer) or not hasattr(
        JitterBuffer, "_remove_frame"
    ):
        raise PassthroughUnavailable("aiortc's JitterBuffer changed its insides")
    for owner, name in ((RTCRtpSender, "_send_keyframe"), (RTCRtpReceiver, "_send_rtcp_pli")):
        if not callable(getattr(owner, name, None)):
            raise PassthroughUnavailable(f"{owner.__name__}.{name} is gone")
    kept = RTCRtpTransceiver.__init__.__code__.co_names
    if "_codecs" not in kept or "_headerExtensions" not in kept:
        raise PassthroughUnavailable("RTCRtpTransceiver no longer keeps its negotiated codecs")


@dataclass(frozen=True)
class EncodedFrame:
    """A frame as it arrived, ready for another sender to re-packetize."""

    packet: Any  # an av.Packet: bytes, pts and time_base
    codec: str
    keyframe: bool


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether a decoder can start at this frame: a VP8 key frame, an H.264 IDR (or its SPS); audio always."""
    if codec == "vp8":
        return bool(data) and data[0] & 1 == 0  # the frame tag's first bit: 0 is a key frame (RFC 6386 §9.1)
    if codec == "h264":
        i = 0
        while (i := data.find(b"\x00\x00\x01", i)) != -1 and i + 3 < len(data):
            if data[i + 3] & 0x1F in (H264_IDR, H264_SPS):
                return True
            i += 3
        return False
    return True


class EncodedTap:
    """Stands in for a receiver's decoder queue: frames go to `deliver` undecoded; the decoder thread waits on
    the original queue and ends with it."""

    def __init__(self, original: queue.Queue[Any], deliver: Callable[[EncodedFrame], None]) -> None:
        self.original = original
        self.deliver = deliver

    def put(self, task: Any) -> None:
        if task is None:  # the receiver stops: let the parked decoder thread end too
            self.original.put(None)
            return
        codec, frame = task
        name = codec.name.lower()
        packet = av.Packet(frame.data)
        packet.pts = frame.timestamp
        packet.time_base = fractions.Fraction(1, codec.clockRate)
        self.deliver(EncodedFrame(packet, name, is_keyframe(name, frame.data)))

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.original.get(*args, **kwargs)


class PromptJitterBuffer(JitterBuffer):
    """aiortc's jitter buffer hands a frame on only when a packet of the next one arrives (video), or four frames
    later (audio): 20 to 80 ms that a forwarder need not wait. This one hands a video frame on at its last packet
    (the RTP marker bit) and each audio packet at once, as soon as every packet before it is there; a frame whose
    end is lost still goes when the next one starts, as before."""

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        if self._origin is None:
            return None
        packets: list[RtpPacket] = []
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self._capacity]
            if packet is None:
                return None
            if packets and packet.timestamp != packets[0].timestamp:
                break  # the frame's end was lost: the next one has begun
            packets.append(packet)
            if packet.marker or not self._is_video:
                break
        else:
            return None
        # `_data` is the depayloaded payload the receiver set on each packet.
        data = b"".join(p._data for p in packets)  # type: ignore[attr-defined]
        frame = JitterFrame(data=data, timestamp=packets[0].timestamp)
        self.remove(len(packets))
        return frame


def tap(receiver: RTCRtpReceiver, deliver: Callable[[EncodedFrame], None]) -> None:
    """From now on, the receiver's reassembled frames go to `deliver` instead of its decoder, each frame as soon as
    it is whole."""
    current = getattr(receiver, _QUEUE)
    if isinstance(current, EncodedTap):
        current.deliver = deliver
        return
    setattr(receiver, _QUEUE, EncodedTap(current, deliver))
    buffer = getattr(receiver, _JITTER)
    setattr(receiver, _JITTER, PromptJitterBuffer(capacity=buffer.capacity, is_video=buffer._is_video))


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
