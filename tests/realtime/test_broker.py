"""The broker contract, on the memory backend and on the machine's real Redis; Redis outages heal."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest

from realtime.broker import Broker, MemoryBroker, RedisBroker, broker_from_url
from tests.conftest import PrivateRedis


async def _until(predicate: Callable[[], bool], timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


def _contract(make: Callable[[], Broker]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        got: list[tuple[str, str]] = []
        broker = make()
        await broker.start(lambda topic, message: got.append((topic, message)), lambda: None)
        try:
            await broker.subscribe("meeting:1")
            await asyncio.sleep(0.1)  # Redis confirms a subscription asynchronously
            for i in range(50):
                await broker.publish("meeting:1", f"e {i} đây là sự kiện")
                await broker.publish("meeting:2", "nobody listens here")
            await _until(lambda: len(got) >= 50)
            assert got == [("meeting:1", f"e {i} đây là sự kiện") for i in range(50)]
            await broker.unsubscribe("meeting:1")
            await asyncio.sleep(0.1)
            await broker.publish("meeting:1", "after unsubscribe")
            await asyncio.sleep(0.2)
            assert len(got) == 50
        finally:
            await broker.stop()

    return run


def test_memory_broker_contract() -> None:
    """Subscribed topics are delivered in order, others and unsubscribed ones are not."""
    asyncio.run(_contract(MemoryBroker)())


def test_redis_broker_contract(redis_url: str) -> None:
    """The same contract on the machine's Redis, under a prefix of this test's own."""
    prefix = f"test:{uuid.uuid4().hex[:8]}:"
    asyncio.run(_contract(lambda: RedisBroker(redis_url, prefix))())


def test_brokers_are_chosen_by_url() -> None:
    """memory:// and redis:// choose their backend; any other scheme is refused."""
    assert isinstance(broker_from_url("memory://"), MemoryBroker)
    assert isinstance(broker_from_url("redis://127.0.0.1:6379/0"), RedisBroker)
    with pytest.raises(ValueError, match="unknown broker URL scheme"):
        broker_from_url("kafka://somewhere")


def test_redis_broker_heals_after_a_redis_restart(private_redis: PrivateRedis) -> None:
    """When Redis restarts, the broker reconnects by itself, subscribes again and says so."""

    async def run() -> None:
        got: list[str] = []
        reconnects: list[int] = []
        broker = RedisBroker(private_redis.url, "t:")
        await broker.start(lambda _topic, message: got.append(message), lambda: reconnects.append(1))
        try:
            await broker.subscribe("meeting:7")
            await asyncio.sleep(0.1)
            await broker.publish("meeting:7", "before")
            await _until(lambda: got == ["before"])
            private_redis.stop()
            await broker.publish("meeting:7", "during")  # dropped quietly: the log has it
            private_redis.start()
            await _until(lambda: reconnects == [1], timeout=15)
            await broker.publish("meeting:7", "after")
            await _until(lambda: got[-1:] == ["after"])
            assert "during" not in got
        finally:
            await broker.stop()

    asyncio.run(run())
