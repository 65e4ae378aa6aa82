"""Websocket clients of the live server, the reference reducer of meeting events, and `ecabinet serve` workers
sharing PostgreSQL and Redis."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from ecabinet.database import Database
from ecabinet.settings import Settings
from realtime.hub import Hub
from tests.conftest import Client, free_port, make_settings, start_server, stop_server


class Socket:
    """A real websocket client of /ws: sends ops, reads what the hub sends, remembers events by channel."""

    def __init__(self, base_url: str, cookie: str | None = None, origin: str | None = None, **options: Any) -> None:
        headers = {"Cookie": f"ecabinet_session={cookie}"} if cookie else {}
        self.ws: ClientConnection = connect(
            base_url.replace("http://", "ws://") + "/ws",
            additional_headers=headers,
            origin=origin,  # type: ignore[arg-type]
            open_timeout=10,
            **options,
        ).__enter__()
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any] | str) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def recv(self, timeout: float = 10) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        self.seen.append(message)
        return message

    def until(self, predicate: Any, timeout: float = 10) -> dict[str, Any]:
        """Read until a message matches `predicate`; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message within {timeout} s; saw {self.seen[-5:]}")
            try:
                message = self.recv(timeout=left)
            except TimeoutError:
                continue
            if predicate(message):
                return message

    def subscribe(self, channel: str, since: int | None = None, epoch: str | None = None) -> dict[str, Any]:
        request: dict[str, Any] = {"op": "subscribe", "channel": channel}
        if since is not None:
            request["since"] = since
        if epoch is not None:
            request["epoch"] = epoch
        self.send(request)
        return self.until(lambda m: m.get("channel") == channel and m["op"] in ("subscribed", "error"))

    def events(self, channel: str, count: int, timeout: float = 15) -> list[dict[str, Any]]:
        """The next `count` events of `channel` (those already read included)."""
        got = [m for m in self.seen if m["op"] == "event" and m["channel"] == channel]
        while len(got) < count:
            got.append(self.until(lambda m: m["op"] == "event" and m["channel"] == channel, timeout))
        return got[:count]

    def closed_with(self, timeout: float = 10) -> int | None:
        """Read until the server closes the socket; return its close code."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    self.ws.recv(timeout=deadline - time.monotonic())
                except TimeoutError:
                    break
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        raise AssertionError("the server did not close the socket")

    def close(self) -> None:
        self.ws.close()


def cookie_of(client: Client) -> str:
    value = client.cookies.get("ecabinet_session")
    assert value, "sign in first"
    return value


def apply_event(state: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """The reference reducer of docs/protocol.md: the meeting state after one event (the UI does the same)."""
    kind, data = event["type"], event["data"]
    if kind in ("meeting.updated", "meeting.transitioned"):
        state["meeting"].update(data["meeting"])
    elif kind in ("item.created", "item.updated", "agenda.reordered"):
        state["items"] = data["items"]
    elif kind == "item.deleted":
        state["items"] = data["items"]
        gone = set(data.get("ids") or [data["item"]["id"]])
        state["documents"] = [d for d in state["documents"] if d["item_id"] not in gone]
    elif kind in ("document.added", "document.updated"):
        doc = data["document"]
        others = [d for d in state["documents"] if d["id"] != doc["id"]]
        state["documents"] = [*others, doc] if doc["current"] and doc["published"] else others
    elif kind == "document.removed":
        state["documents"] = [d for d in state["documents"] if d["id"] != data["document"]["id"]]
    elif kind == "presenter.page":
        state["presenter"] = {**state["presenter"], **data}
    elif kind == "presenter.updated":
        state["presenter"] = data["presenter"]
    elif kind == "floor.updated":
        state["floor"] = data["floor"]
    elif kind in (
        "submission.updated",
        "poll.updated",
        "poll.cast",
        "preposition.updated",
        "conclusion.updated",
        "conclusion.deleted",
        "task.updated",
        "record.updated",
        "annotation.updated",
        "annotation.deleted",
    ):
        pass  # not in the meeting state: the board, polls, positions, conclusions and records have their own routes
    elif kind in ("participant.added", "participant.updated"):
        others = [p for p in state["participants"] if p["id"] != data["participant"]["id"]]
        state["participants"] = [*others, data["participant"]]
        state["quorum"] = data["quorum"]
    elif kind == "participant.removed":
        state["participants"] = [p for p in state["participants"] if p["id"] != data["participant"]["id"]]
        state["quorum"] = data["quorum"]
    else:
        raise AssertionError(f"unknown event type {kind}")
    state["seq"] = event["seq"]
    return state


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """A state with participants and documents keyed by id (their order on screen is the UI's business)."""
    meeting = {k: v for k, v in state["meeting"].items() if k != "updated_at"}
    return {
        **state,
        "meeting": meeting,
        "participants": {p["id"]: p for p in state["participants"]},
        "documents": {d["id"]: d for d in state["documents"]},
    }


@dataclass
class Live:
    """A live server and its hub (the test runs in the same process, so it can read the hub's counters)."""

    url: str
    db: Database
    settings: Settings
    hub: Hub
    opened: list[Any] = field(default_factory=list)

    def client(self, login: str) -> Client:
        """An HTTP client signed in as `login`."""
        c = Client(base_url=self.url, timeout=30, trust_env=False).sign_in(login)
        self.opened.append(c)
        return c

    def socket(self, who: str | Client | None = None, **options: Any) -> Socket:
        """A websocket of a user (a login or a signed-in client), or an anonymous one."""
        c = self.client(who) if isinstance(who, str) else who
        s = Socket(self.url, cookie_of(c) if c else None, **options)
        self.opened.append(s)
        return s


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Live]]:
    """Start the app on a real uvicorn over a database, with settings overridden: serve(db, ws_rate_burst=5)."""
    started: list[tuple[Any, Any]] = []

    def start(db: Database, **overrides: Any) -> Live:
        settings = make_settings(tmp_path / f"data{len(started)}", db.url, **overrides)
        handle, thread, url = start_server(settings, db)
        started.append((handle, thread))
        return Live(url, db, settings, handle.config.app.state.hub)

    lives: list[Live] = []

    def tracked(db: Database, **overrides: Any) -> Live:
        lives.append(start(db, **overrides))
        return lives[-1]

    yield tracked
    for live in lives:
        for thing in live.opened:
            with contextlib.suppress(Exception):
                thing.close()
    for handle, thread in started:
        stop_server(handle, thread)


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


# Clients and sockets of the workers' tests, closed when the workers fixture ends.
OPENED: list[Any] = []


def worker_client(url: str, login: str) -> Client:
    """An HTTP client of a worker signed in as `login` (closed with the workers)."""
    OPENED.append(Client(base_url=url, timeout=30, trust_env=False))
    return OPENED[-1].sign_in(login)


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
