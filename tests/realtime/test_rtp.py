"""RTP as the bridge forwards it: keyframe starts are known from real encoders' packets, and a line's header is
one aiortc reads back exactly."""

from __future__ import annotations

import fractions

import pytest
from aiortc.codecs import get_encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensionsMap, RtpPacket
from av import VideoFrame

from realtime import rtp


def encoded(mime_type: str, frames: int) -> list[tuple[bool, list[bytes]]]:
    """Frames of a moving picture through aiortc's own encoder: (keyframe asked, the frame's RTP payloads)."""
    codec = RTCRtpCodecParameters(mimeType=mime_type, clockRate=90_000, payloadType=96)
    encoder = get_encoder(codec)
    out = []
    for i in range(frames):
        frame = VideoFrame(width=320, height=180, format="yuv420p")
        for plane in frame.planes:
            plane.update(bytes((i * 7 + j) % 256 for j in range(plane.buffer_size)))
        frame.pts, frame.time_base = i * 3000, fractions.Fraction(1, 90_000)
        force = i in (0, 5)
        payloads, _timestamp = encoder.encode(frame, force_keyframe=force)
        out.append((force, payloads))
    return out


@pytest.mark.parametrize(("mime_type", "codec"), [("video/VP8", "vp8"), ("video/H264", "h264")])
def test_a_keyframe_is_known_by_its_first_packet_alone(mime_type: str, codec: str) -> None:
    """The first packet of every keyframe starts one; no other packet does (later packets of a keyframe, every
    packet of a delta frame)."""
    frames = encoded(mime_type, 8)
    assert any(len(payloads) > 1 for _key, payloads in frames), "a frame of several packets"
    for key, payloads in frames:
        assert [rtp.starts_keyframe(codec, p) for p in payloads] == [key] + [False] * (len(payloads) - 1)


@pytest.mark.parametrize(
    ("codec", "payload", "key"),
    [
        ("vp8", bytes([0x10, 0x00]), True),  # no extension: the start of partition 0, a key frame tag
        ("vp8", bytes([0x90, 0x80, 0x81, 0x02, 0x00]), True),  # X, I with a 15-bit picture id
        ("vp8", bytes([0x90, 0xE0, 0x05, 0x01, 0x20, 0x00]), True),  # 7-bit picture id, TL0PICIDX, TID
        ("vp8", bytes([0x90, 0x80, 0x05, 0x01]), False),  # an interframe's tag
        ("vp8", bytes([0x00, 0x00]), False),  # not the start of a partition
        ("vp8", bytes([0x11, 0x00]), False),  # the start of partition 1
        ("vp8", bytes([0x90, 0x80]), False),  # cut short
        ("vp8", b"", False),
        ("h264", bytes([0x67, 0x42, 0x00]), True),  # a single SPS NAL unit
        ("h264", bytes([0x65, 0x88]), False),  # an IDR slice without its parameter sets
        ("h264", bytes([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE]), True),  # STAP-A with an SPS
        ("h264", bytes([0x78, 0x00, 0x02, 0x41, 0x9A]), False),  # STAP-A of a non-IDR slice
        ("h264", bytes([0x7C, 0x87, 0x42]), True),  # FU-A starting an SPS
        ("h264", bytes([0x7C, 0x85, 0x88]), False),  # FU-A starting an IDR slice: its SPS came before
        ("h264", bytes([0x7C, 0x07, 0x88]), False),  # FU-A continuing
        ("h264", bytes([0x41, 0x9A]), False),
        ("opus", b"\xfc\x00", True),
    ],
)
def test_keyframe_starts_by_their_bytes(codec: str, payload: bytes, key: bool) -> None:
    assert rtp.starts_keyframe(codec, payload) is key


def test_a_lines_header_reads_back_in_aiortc() -> None:
    """Payload type, marker, numbering, SSRC, the media id and the sending time, with the payload untouched;
    and a line without extensions gets a plain header."""
    extensions = {rtp.MID_URI: 4, rtp.ABS_SEND_TIME_URI: 9}
    header = rtp.Header(111, 0xDEADBEEF, "3", extensions)
    data = header.packet(65_535, 4_000_000_000, 1, b"payload", rtp.abs_send_time(1_000.5))
    mapping = HeaderExtensionsMap()
    mapping.configure(
        RTCRtpParameters(headerExtensions=[RTCRtpHeaderExtensionParameters(id=i, uri=u) for u, i in extensions.items()])
    )
    packet = RtpPacket.parse(data, mapping)
    assert (packet.payload_type, packet.marker, packet.sequence_number) == (111, 1, 65_535)
    assert (packet.timestamp, packet.ssrc, packet.payload) == (4_000_000_000, 0xDEADBEEF, b"payload")
    assert packet.extensions.mid == "3"
    assert packet.extensions.abs_send_time == (1_000 % 64) * 262_144 + 131_072
    plain_data = rtp.Header(96, 7, None, {}).packet(1, 2, 0, b"x", 0)
    plain = RtpPacket.parse(plain_data)
    assert (plain.payload_type, plain.sequence_number, plain.timestamp, plain.ssrc) == (96, 1, 2, 7)
    assert plain.payload == b"x" and plain_data[0] == 0x80 and len(plain_data) == 13  # no extension block


def test_ntp_time_is_the_unix_time_from_1900() -> None:
    assert rtp.ntp_time(0.5) == (rtp.NTP_EPOCH_OFFSET << 32) + (1 << 31)
