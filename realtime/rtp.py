"""RTP as the video bridge forwards it: whether a packet starts a keyframe, and the header a subscriber's line puts
on a payload that goes out as it came (RFC 3550 §5.1, one-byte header extensions of RFC 8285).

A forwarded packet keeps its payload (a VP8 payload descriptor or an H.264 NAL unit or fragment, an Opus frame)
and its marker; only the header is the subscriber's own: its payload type, SSRC, sequence numbers and timestamps
continuing across whatever the line carried before, and the extensions the line negotiated (the media id, the
sending time for the receiver's bandwidth estimate).
"""

from __future__ import annotations

import struct

H264_SPS = 7
H264_STAP_A, H264_FU_A = 24, 28
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
NTP_EPOCH_OFFSET = 2_208_988_800  # seconds from 1900 (NTP) to 1970 (Unix)
_FIXED = struct.Struct("!BHII")  # marker and payload type, sequence number, timestamp, SSRC: bytes 1-11


def starts_keyframe(codec: str, payload: bytes) -> bool:
    """Whether this packet is the first of a frame a decoder can start at: a VP8 key frame (RFC 7741), an H.264
    IDR's parameter sets (RFC 6184); an audio packet always is. Damaged or short payloads are not."""
    if codec == "vp8":
        return _vp8_starts_keyframe(payload)
    if codec == "h264":
        return _h264_starts_keyframe(payload)
    return True


def _vp8_starts_keyframe(payload: bytes) -> bool:
    if not payload:
        return False
    first = payload[0]
    if not first & 0x10 or first & 0x07:  # not the start (S) of partition 0
        return False
    at = 1
    if first & 0x80:  # X: an extension byte follows
        if len(payload) < 2:
            return False
        extension = payload[1]
        at = 2
        if extension & 0x80:  # I: the picture id, 7 or 15 bits
            if len(payload) <= at:
                return False
            at += 2 if payload[at] & 0x80 else 1
        if extension & 0x40:  # L: TL0PICIDX
            at += 1
        if extension & 0x30:  # T or K: TID and KEYIDX
            at += 1
    # The VP8 frame tag's first bit (RFC 6386 §9.1): 0 is a key frame.
    return len(payload) > at and payload[at] & 0x01 == 0


def _h264_starts_keyframe(payload: bytes) -> bool:
    """The packet carrying the sequence parameter set that precedes every IDR (browsers and aiortc send it in
    band): a decoder can start there, and not at the IDR slice alone."""
    if not payload:
        return False
    kind = payload[0] & 0x1F
    if kind == H264_FU_A:
        return len(payload) > 1 and bool(payload[1] & 0x80) and payload[1] & 0x1F == H264_SPS
    if kind == H264_STAP_A:
        at = 1
        while at + 2 < len(payload):
            if payload[at + 2] & 0x1F == H264_SPS:
                return True
            at += 2 + int.from_bytes(payload[at : at + 2], "big")
        return False
    return kind == H264_SPS


def abs_send_time(unix_time: float) -> int:
    """The abs-send-time extension's value: seconds as 6.18 fixed point, modulo 64 (1970 and 1900 agree mod 64)."""
    return int(unix_time * 262_144) & 0xFFFFFF


def ntp_time(unix_time: float) -> int:
    """64-bit NTP time, as a sender report carries it."""
    return int((unix_time + NTP_EPOCH_OFFSET) * 4_294_967_296) & 0xFFFFFFFFFFFFFFFF


class Header:
    """The header one subscriber's line puts on every packet it sends: fixed but for the marker, sequence number,
    timestamp and sending time, so it is made once and filled in per packet."""

    def __init__(self, payload_type: int, ssrc: int, mid: str | None, extension_ids: dict[str, int]) -> None:
        self.payload_type = payload_type
        self.ssrc = ssrc
        elements = bytearray()
        self.abs_at = -1
        mid_id = extension_ids.get(MID_URI)
        if mid and mid_id and len(mid.encode()) <= 16:
            encoded = mid.encode()
            elements += bytes([mid_id << 4 | (len(encoded) - 1)]) + encoded
        abs_id = extension_ids.get(ABS_SEND_TIME_URI)
        if abs_id:
            self.abs_at = 12 + 4 + len(elements) + 1
            elements += bytes([abs_id << 4 | 2, 0, 0, 0])
        if elements:
            elements += bytes(-len(elements) % 4)
            block = b"\xbe\xde" + (len(elements) // 4).to_bytes(2, "big") + elements
            self.template = bytearray(b"\x90" + bytes(11) + block)
        else:
            self.template = bytearray(b"\x80" + bytes(11))

    def packet(self, sequence_number: int, timestamp: int, marker: int, payload: bytes, sent_at: int) -> bytes:
        """The packet to send: this line's header, filled in, and the payload as it came."""
        header = self.template[:]
        _FIXED.pack_into(header, 1, marker << 7 | self.payload_type, sequence_number, timestamp, self.ssrc)
        if self.abs_at > 0:
            header[self.abs_at : self.abs_at + 3] = sent_at.to_bytes(3, "big")
        return bytes(header) + payload
