"""The bridge's seam in aiortc: it is where the bridge expects it; keyframes are known by their first bytes; the
prompt jitter buffer hands each frame on as soon as it is whole."""

from __future__ import annotations

import pytest
from aiortc.rtp import RtpPacket

from realtime import passthrough
from realtime.passthrough import PromptJitterBuffer


def test_the_aiortc_seam_is_where_the_bridge_expects_it() -> None:
    """The bridge reaches into aiortc at three private names; this fails loudly when aiortc moves them."""
    passthrough.check()


@pytest.mark.parametrize(
    ("codec", "data", "key"),
    [
        ("vp8", bytes([0x10, 0x02, 0x00]), True),
        ("vp8", bytes([0x11, 0x02, 0x00]), False),
        ("h264", b"\x00\x00\x00\x01\x67\x42" + b"\x00\x00\x01\x65\x88", True),
        ("h264", b"\x00\x00\x00\x01\x41\x9a", False),
        ("opus", b"\xfc\x00", True),
    ],
)
def test_keyframes_are_known_by_their_first_bytes(codec: str, data: bytes, key: bool) -> None:
    """A VP8 key frame by its frame tag, an H.264 IDR or SPS by its NAL type; audio is always a starting point."""
    assert passthrough.is_keyframe(codec, data) is key


def packet(sequence: int, timestamp: int, marker: int = 0, data: bytes = b"x") -> RtpPacket:
    made = RtpPacket(sequence_number=sequence, timestamp=timestamp, marker=marker)
    made._data = data  # type: ignore[attr-defined]
    return made


def test_a_video_frame_goes_on_at_its_last_packet_even_out_of_order() -> None:
    """Three packets of a frame, the last (marker) first: nothing until all are there, then the frame at once,
    without waiting for the next frame; a frame whose last packet was lost goes when the next one begins."""
    buffer = PromptJitterBuffer(capacity=128, is_video=True)
    assert buffer.add(packet(10, 900, data=b"a"))[1] is None
    assert buffer.add(packet(12, 900, marker=1, data=b"c"))[1] is None
    frame = buffer.add(packet(11, 900, data=b"b"))[1]
    assert frame is not None and (frame.data, frame.timestamp) == (b"abc", 900)
    assert buffer.add(packet(13, 1800, data=b"d"))[1] is None  # its end (marker) never comes
    late = buffer.add(packet(14, 2700, marker=1, data=b"e"))[1]
    assert late is not None and (late.data, late.timestamp) == (b"d", 1800)
    last = buffer.add(packet(15, 3600, marker=1, data=b"f"))[1]
    assert last is not None and last.timestamp == 2700


def test_an_audio_packet_goes_on_at_once() -> None:
    """Each Opus packet is a frame of its own: handed on as it arrives, in order."""
    buffer = PromptJitterBuffer(capacity=16, is_video=False)
    first = buffer.add(packet(1, 960, data=b"o1"))[1]
    assert first is not None and first.data == b"o1"
    assert buffer.add(packet(3, 2880, data=b"o3"))[1] is None  # 2 is late
    second = buffer.add(packet(2, 1920, data=b"o2"))[1]
    assert second is not None and second.data == b"o2"
