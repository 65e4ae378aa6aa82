"""A hub's channels as this worker holds them, the hub's limits, and refusals as the client sees them."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from realtime.connection import Connection


@dataclass(frozen=True)
class HubConfig:
    """The hub's limits and timers."""

    send_buffer_max_bytes: int = 2 * 1024 * 1024
    max_message_bytes: int = 65_536
    rate_per_sec: float = 20.0
    rate_burst: float = 60.0
    idle_timeout_secs: float = 60.0
    poll_secs: float = 1.0
    session_check_secs: float = 5.0
    presence_refresh_secs: float = 10.0
    presence_coalesce_secs: float = 0.25
    prune_secs: float = 60.0
    channel_linger_secs: float = 30.0
    presence_prefixes: tuple[str, ...] = ("meeting:", "bridge:")

    def __post_init__(self) -> None:
        if (
            self.send_buffer_max_bytes < 1024
            or self.max_message_bytes < 256
            or self.rate_per_sec <= 0
            or self.poll_secs <= 0
        ):
            raise ValueError("hub limits must be positive (max_message_bytes ≥ 256, send_buffer_max_bytes ≥ 1024)")


class ActionError(Exception):
    """A refused action: answered to the client as an `error` op with these fields."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Channel:
    """A channel that has (or recently had) clients on this worker."""

    name: str
    subscribers: set[Connection] = field(default_factory=set)
    delivered: int = 0
    ready: bool = False
    dirty: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    idle_since: float = field(default_factory=time.monotonic)
    local: Counter[int] = field(default_factory=Counter)
    # Presence reported by every worker (this one included): worker → (user ids, when it expires).
    reports: dict[str, tuple[frozenset[int], float]] = field(default_factory=dict)
    online: frozenset[int] = frozenset()
    report_due: bool = False
    announce_due: bool = False


def error_op(code: str, message: str, status: int = 400, **fields: Any) -> str:
    return json.dumps({"op": "error", "ok": False, "error": code, "message": message, "status": status, **fields})
