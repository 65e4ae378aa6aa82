"""Frames written beside the ASGI server must be exactly what the websocket library would write."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from realtime.connection import RateLimit, text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 1000, 65_535, 65_536, 200_000])
def test_text_frames_match_the_websockets_library(size: int) -> None:
    """Every length class (7-bit, 16-bit, 64-bit) frames like an unmasked websockets server frame."""
    payload = ("đ" * size).encode()[:size]
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False)
    assert text_frame(payload) == expected


def test_the_rate_limit_allows_a_burst_then_goes_negative() -> None:
    """A burst is allowed; past it the bucket goes below zero, deeper with every message."""
    bucket = RateLimit(rate=1, burst=3)
    left = [bucket.take() for _ in range(6)]
    assert left[2] >= 0 > left[3] > left[5]
