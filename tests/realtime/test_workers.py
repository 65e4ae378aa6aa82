"""Two real uvicorn workers sharing PostgreSQL and Redis: every client gets every event, in order, once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed

from tests.conftest import Client, PrivateRedis
from tests.realtime.conftest import OPENED, Socket, Worker, cookie_of, worker_client


class Follower:
    """A client that follows the meeting on a worker and, like the browser, resumes on another if it dies."""

    def __init__(self, member: Client, url: str, channel: str, since: int, epoch: str) -> None:
        self.member, self.channel, self.epoch = member, channel, epoch
        self.seqs: list[int] = []
        self.last = since
        self.resumes = 0
        self._connect(url)

    def _connect(self, url: str) -> None:
        self.socket = Socket(url, cookie_of(self.member))
        OPENED.append(self.socket)
        subscribed = self.socket.subscribe(self.channel, since=self.last, epoch=self.epoch)
        assert subscribed["recovered"] is True, subscribed

    def read_until(self, seq: int, fallback_url: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.last < seq:
            assert time.monotonic() < deadline, f"stuck at {self.last}, waiting for {seq}"
            try:
                message = self.socket.recv(timeout=1)
            except TimeoutError:
                continue
            except (ConnectionClosed, OSError):
                self.resumes += 1
                self._connect(fallback_url)
                continue
            if message["op"] == "event" and message["channel"] == self.channel:
                self.seqs.append(message["seq"])
                self.last = message["seq"]

    def close(self) -> None:
        self.socket.close()


def _follow(workers: list[Worker], per_worker: int) -> tuple[Client, int, dict[str, Any], list[Follower]]:
    secretary = worker_client(workers[0].url, "thuky")
    mid = int(secretary.get("/api/meetings").json()[0]["id"])
    member = worker_client(workers[1].url, "thanhvien1")
    state = member.get(f"/api/meetings/{mid}/state").json()
    followers = [
        Follower(member, worker.url, f"meeting:{mid}", state["seq"], state["epoch"])
        for worker in workers
        for _ in range(per_worker)
    ]
    return secretary, mid, state, followers


def _edit(clients: list[Client], state: dict[str, Any], count: int, pause: float = 0.0) -> None:
    for i in range(count):
        item = state["items"][i % len(state["items"])]
        r = clients[i % len(clients)].patch(f"/api/items/{item['id']}", json={"title": f"Lần sửa {i}"})
        assert r.status_code == 200, r.text
        time.sleep(pause)


def test_events_from_any_worker_reach_every_client_in_order(workers: Callable[..., list[Worker]]) -> None:
    """Edits through both workers reach clients of both, each seq exactly once and in order."""
    pool = workers(2)
    secretary, _, state, followers = _follow(pool, 3)
    other = worker_client(pool[1].url, "thuky")
    _edit([secretary, other], state, 30)
    end = state["seq"] + 30
    for follower in followers:
        follower.read_until(end, pool[0].url)
        assert follower.seqs == list(range(state["seq"] + 1, end + 1))
        follower.close()


def test_killing_a_worker_loses_nothing(workers: Callable[..., list[Worker]]) -> None:
    """kill -9 one worker mid-stream: its clients resume on the other and miss nothing, see nothing twice."""
    pool = workers(2)
    secretary, _, state, followers = _follow(pool, 3)
    writer = threading.Thread(target=_edit, args=([secretary], state, 40, 0.03))
    writer.start()
    time.sleep(0.4)
    pool[1].kill()
    writer.join()
    end = state["seq"] + 40
    for follower in followers:
        follower.read_until(end, pool[0].url)
        assert follower.seqs == list(range(state["seq"] + 1, end + 1))
    assert sum(f.resumes for f in followers) >= 3  # the killed worker's clients really moved
    for follower in followers:
        follower.close()


def test_a_redis_restart_loses_nothing(workers: Callable[..., list[Worker]], private_redis: PrivateRedis) -> None:
    """Restart the workers' (private) Redis mid-stream: every client still gets every event once, in order."""
    pool = workers(2, broker_url=private_redis.url)
    secretary, _, state, followers = _follow(pool, 2)
    other = worker_client(pool[1].url, "thuky")
    writer = threading.Thread(target=_edit, args=([secretary, other], state, 40, 0.03))
    writer.start()
    time.sleep(0.3)
    private_redis.stop()
    time.sleep(0.5)
    private_redis.start()
    writer.join()
    end = state["seq"] + 40
    for follower in followers:
        follower.read_until(end, pool[0].url)
        assert follower.seqs == list(range(state["seq"] + 1, end + 1))
        assert follower.resumes == 0
    # After the outage, doorbells flow through Redis again.
    _edit([other], state, 1)
    for follower in followers:
        follower.read_until(end + 1, pool[0].url, timeout=10)
        follower.close()
