"""The broker: carries doorbells and volatile messages between the workers serving the same channels.

Chosen by URL: `memory://` (one process) or `redis://host:port/db` (many processes and hosts). The
broker holds nothing that matters for long: events live in the database, so a broker that drops a
message, or a Redis that restarts, delays a delivery until the hub's next poll of the log and never
loses it.

A worker subscribes to a topic per channel that has clients on it, so Redis does per-channel work,
never per-client work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("realtime.broker")

OnMessage = Callable[[str, str], None]
OnReconnect = Callable[[], None]

RECONNECT_MIN_SECS = 0.1
RECONNECT_MAX_SECS = 2.0


class Broker(ABC):
    """Publish text on topics; deliver what arrives on subscribed topics to one callback."""

    def __init__(self) -> None:
        self.on_message: OnMessage = lambda _topic, _message: None
        self.on_reconnect: OnReconnect = lambda: None
        self.topics: set[str] = set()

    async def start(self, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        """Begin delivering: `on_message(topic, text)` for each message, `on_reconnect()` after an outage."""
        self.on_message = on_message
        self.on_reconnect = on_reconnect

    @abstractmethod
    async def stop(self) -> None:
        """Stop delivering and release connections."""

    @abstractmethod
    async def subscribe(self, topic: str) -> None:
        """Deliver messages published on `topic` from now on."""

    @abstractmethod
    async def unsubscribe(self, topic: str) -> None:
        """Stop delivering `topic`."""

    @abstractmethod
    async def publish(self, topic: str, message: str) -> None:
        """Send `message` to every subscriber of `topic`, in every process; may drop it during an outage."""


class MemoryBroker(Broker):
    """One process: a publish is delivered to this process's own subscriptions, on the next loop turn."""

    async def stop(self) -> None:
        self.topics.clear()

    async def subscribe(self, topic: str) -> None:
        self.topics.add(topic)

    async def unsubscribe(self, topic: str) -> None:
        self.topics.discard(topic)

    async def publish(self, topic: str, message: str) -> None:
        if topic in self.topics:
            asyncio.get_running_loop().call_soon(self.on_message, topic, message)


class RedisBroker(Broker):
    """Redis pub/sub: one connection for publishing and one for the subscriptions, both self-healing."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self._client: Any = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._publish_failing = False

    async def start(self, on_message: OnMessage, on_reconnect: OnReconnect) -> None:
        import redis.asyncio as redis  # the optional backend is imported only when chosen

        await super().start(on_message, on_reconnect)
        self._client = redis.Redis.from_url(
            self.url, socket_connect_timeout=2, socket_timeout=None, health_check_interval=10
        )
        self._reader = asyncio.create_task(self._read_forever(), name="redis-broker-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._client is not None:
            await self._client.aclose()

    async def subscribe(self, topic: str) -> None:
        self.topics.add(topic)
        if self._pubsub is not None and self._connected.is_set():
            try:
                await self._pubsub.subscribe(self.prefix + topic)
            except (OSError, ConnectionError, self._errors()) as error:
                # The reader notices the outage too and subscribes to every topic when Redis is back.
                log.warning("redis subscribe failed: %s", error)

    async def unsubscribe(self, topic: str) -> None:
        self.topics.discard(topic)
        if self._pubsub is not None and self._connected.is_set():
            try:
                await self._pubsub.unsubscribe(self.prefix + topic)
            except (OSError, ConnectionError, self._errors()) as error:
                log.warning("redis unsubscribe failed: %s", error)

    async def publish(self, topic: str, message: str) -> None:
        try:
            await self._client.publish(self.prefix + topic, message)
        except (OSError, ConnectionError, self._errors()) as error:
            # The event is in the database; every worker's poll of the log delivers it shortly.
            if not self._publish_failing:
                log.warning("redis publish failed, relying on the log poll until it is back: %s", error)
            self._publish_failing = True
            return
        self._publish_failing = False

    @staticmethod
    def _errors() -> type[Exception]:
        import redis

        return redis.RedisError

    async def _read_forever(self) -> None:
        delay = RECONNECT_MIN_SECS
        first = True
        errors = (OSError, ConnectionError, self._errors())
        while True:
            try:
                self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                # Subscribe to every wanted topic at once: also after an outage, when Redis forgot them.
                await self._pubsub.subscribe(self.prefix + "\x00alive", *(self.prefix + t for t in self.topics))
                self._connected.set()
                delay = RECONNECT_MIN_SECS
                if not first:
                    log.info("redis broker reconnected")
                    self.on_reconnect()
                first = False
                strip = len(self.prefix)
                while True:
                    message = await self._pubsub.get_message(timeout=None)
                    if message is None or message.get("type") != "message":
                        continue
                    channel = message["channel"].decode()
                    data = message["data"]
                    self.on_message(channel[strip:], data.decode() if isinstance(data, bytes) else data)
            except asyncio.CancelledError:
                raise
            except errors as error:
                self._connected.clear()
                log.warning("redis broker connection lost (%s); retrying in %.1f s", error, delay)
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                self._pubsub = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECS)


def broker_from_url(url: str, prefix: str = "ecabinet:") -> Broker:
    """The broker for `url`: memory:// or redis://…; anything else is a ValueError."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryBroker()
    if scheme in ("redis", "rediss", "unix"):
        return RedisBroker(url, prefix)
    raise ValueError(f"unknown broker URL scheme {scheme!r}: use memory:// or redis://host:port/db")
