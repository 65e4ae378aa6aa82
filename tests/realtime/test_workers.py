"""Two real uvicorn workers sharing PostgreSQL and Redis: every client gets every event, in order, once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from ecabinet.database import Database
from tests.conftest import Client, PrivateRedis, free_port
from tests.realtime.conftest import Socket, cookie_of


class Worker:
    """An `ecabinet serve` process of its own."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("wb")
        command = [sys.executable, "-m", "ecabinet.cli", "serve", "--port", str(port)]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("worker did not start")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()


OPENED: list[Any] = []


@pytest.fixture
def workers(pg_db: Database, redis_url: str, tmp_path: Path) -> Iterator[Callable[..., list[Worker]]]:
    """Start workers over one PostgreSQL database and a Redis (the machine's, or a private one)."""
    started: list[Worker] = []

    def start(count: int = 2, broker_url: str = redis_url) -> list[Worker]:
        env = {
            **os.environ,
            "DATABASE_URL": pg_db.url,
            "ECABINET_BROKER_URL": broker_url,
            "ECABINET_BROKER_PREFIX": f"test:{uuid.uuid4().hex[:8]}:",
            "ECABINET_SECRET_KEY": "shared-by-every-worker",
            "ECABINET_DATA_DIR": str(tmp_path / "data"),
            "ECABINET_EVENT_POLL_MS": "300",
            "ECABINET_LOG_LEVEL": "warning",
        }
        for i in range(count):
            started.append(Worker(env, free_port(), tmp_path / f"worker{len(started)}-{i}.log"))
        return started[-count:]

    yield start
    for thing in OPENED:
        with contextlib.suppress(Exception):
            thing.close()
    OPENED.clear()
    for worker in started:
        worker.kill()


def _client(url: str, login: str) -> Client:
    OPENED.append(Client(base_url=url, timeout=30, trust_env=False))
    return OPENED[-1].sign_in(login)


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
    secretary = _client(workers[0].url, "thuky")
    mid = int(secretary.get("/api/meetings").json()[0]["id"])
    member = _client(workers[1].url, "thanhvien1")
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
    other = _client(pool[1].url, "thuky")
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
    other = _client(pool[1].url, "thuky")
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
