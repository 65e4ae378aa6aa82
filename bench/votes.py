"""Benchmark of votes: 1,000 ballots from 1,000 concurrent clients counted exactly, ballots/s on SQLite and
PostgreSQL, and the time from the chair's close to the result on 1,000 connected tablets.

Method (DESIGN §9). For each database (`--databases`, default SQLite then PostgreSQL, a database of our own dropped
after) the sample meeting gets `--voters` more members with a vote (User + Participant rows written before the
server starts, one argon2 hash shared by all), then the real server (`ecabinet serve --demo`) starts as a subprocess
on a free port with a fresh data dir. Four load processes (`LOAD_PROCESSES`) hold a quarter of the voters each. On the
first database they sign every voter in through `POST /api/session` (the server on both cores: an argon2 verify each);
the following databases get the same sessions copied into their `user_session` table (the servers share one
`ECABINET_SECRET_KEY`), so that the cookies carry over and the sign-in storm is paid once. Then the server (every
thread) is pinned to core 0, and this process and the load to core 1; the secretary (`thuky`) takes the meeting live.

1. **Ballots.** A run is a burst: every voter's keep-alive connection is opened first (`state.RawConnection`, a
   prepared HTTP/1.1 request each, ~0.1 ms of client CPU), then all send at once. Per round, interleaved: the floor
   `GET /healthz`; the baselines `PUT /api/items/{id}/preposition` (a member's write with a voter check, an audit row
   and a `preposition.updated` event; each round on another item, so it inserts as a ballot does) and `PATCH /api/me`
   {"language"} (a signed-in write of one row, nothing else); then `POST /api/polls/{id}/ballots` on a fresh poll,
   named and secret. Choices follow a known split (65% agree, 25% disagree, 10% abstain) and carry an
   `Idempotency-Key` each; 10% of the requests are sent twice with the same key, half at once on a second connection
   (a retry racing its original) and half after the answer (a retry after a lost answer), and so in every burst.
   Checked: each voter has exactly one 201, the copies answer the same receipt, and the closed poll's `result.tally`
   equals what was sent. Figures: ballots/s (voters over the wall time from the first send to the last answer),
   ballots per server CPU second (/proc/<pid>/stat), p50/p99 latency of each voter's first request, server CPU ms per
   request, and the load's CPU share of its core (at ~100% the client is the limit).
2. **Close → result on every tablet.** Each voter's session opens a websocket (`websockets`, in the same four load
   processes), subscribed to `meeting:{id}`; each records when the `poll.updated` event with status `closed` arrives
   (and checks one copy's tally per process). The chair (`chutich`) closes, one per round, the polls voted in part 1
   (more are voted, untimed, if there are fewer than `CLOSE_ROUNDS_MIN`), after an untimed warm-up close; the time runs
   from just before the close request is sent (this machine's wall clock), and from the event's commit (its `ts`).
   Baselines in the same rounds: the same fan-out of a small event on the same sockets (`meeting.updated` from
   `PATCH /api/meetings/{id}` {"place"} by the secretary), and a bare `websockets` server on core 0 broadcasting a
   message of the close event's size to as many clients (`fanout.py --bare-server`, `fanout.Load`), which separates
   the bytes from the hub.

Medians and spread (min–max) are over runs (part 1) and rounds (part 2); p50/p99 also over all samples. Three rounds
by default, not five: a round is five bursts of 1,100 requests, and part 2 closes the six polls they voted; the whole
takes ~7 minutes with both databases. A request that fails (5xx, a dropped connection) is sent again, as a tablet
would, and counted; so is a websocket the server closes.

    .venv/bin/python bench/votes.py [--voters 1000] [--runs 3] [--parts 1,2] [--databases sqlite,postgresql]

Exit status: 0 when everything ran and every count was exact, 1 when the benchmark failed or a tally, a receipt or a
retry was wrong, 2 when a database could not run (no PostgreSQL): the other figures stand.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import fanout
import httpx
import reader
import state
from fanout import PG_ADMIN, Bare, Load, percentile
from packs import ratio_text
from reader import CHAIR, LOAD_CORE, MEETING_TITLE, PASSWORD, SECRETARY, SERVER_CORE, PartSkipped, expect, ms_pair
from sqlmodel import col, select
from state import BenchError, RawConnection, Row, Server, summary

from ecabinet.database import Database
from ecabinet.models import Meeting, Participant, ParticipantRole, User, UserSession
from ecabinet.passwords import hash_password
from ecabinet.sample import load_sample

LOAD_PROCESSES = 4
SIGN_INS_IN_FLIGHT = 2  # per load process: the server's two cores each verify one argon2 hash at a time
VOTER_LOGIN = "uyvien{:04d}"
CHOICES = ("agree", "disagree", "abstain")
POSITIONS = ("agree", "object", "speak")
RETRY_PERIOD = 20  # of every 20 voters, one retries at once and one after the answer: 10% of requests twice
RACING_RETRY, LATER_RETRY = 3, 13
BURST_TIMEOUT_SECS = 900.0  # one request may wait for the whole burst ahead of it
DELIVERY_TIMEOUT_SECS = 60.0
SETTLE_SECS = 0.3
ATTEMPTS = 5  # a request that fails (5xx, connection dropped) is sent again, as a tablet would
CLOSE_ROUNDS_MIN = 5
SESSION_COOKIE = "ecabinet_session"
PLACE = re.compile(r'"place":"([^"]*)"')
POLL_ID = re.compile(r'"poll":\{"id":(\d+)')
EXCEPTION_LINE = re.compile(r"^[a-z_.]*[A-Z]\w*(Error|Exception|Violation)\b.*: ")


def choice_of(index: int) -> int:
    """The known split: 13 of 20 voters agree, 5 disagree, 2 abstain (65/25/10%)."""
    slot = index % 20
    return 0 if slot < 13 else 1 if slot < 18 else 2


def copies_of(index: int) -> int:
    return 2 if index % RETRY_PERIOD in (RACING_RETRY, LATER_RETRY) else 1


# ----------------------------------------------------------------------------------------------- the load


@dataclass(frozen=True)
class Spec:
    """One burst: every voter sends one request (some twice); `body_key` takes the voter's value from `values`."""

    label: str
    method: str
    path: str
    body_key: str = ""
    values: tuple[str, ...] = ()
    keyed: bool = False  # an Idempotency-Key per voter, the same on both copies
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))

    def request(self, host: str, index: int, cookie: str, csrf: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}", f"Cookie: {SESSION_COOKIE}={cookie}"]
        body = b""
        if self.method != "GET":
            lines.append(f"X-CSRF-Token: {csrf}")
        if self.body_key:
            body = json.dumps({self.body_key: self.values[choice_of(index)]}).encode()
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        if self.keyed:
            lines.append(f"Idempotency-Key: bench-{self.nonce}-{index:05d}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# A request's record: (voter index, copy 0 or 1, status, sent, answered, body if it is needed to check).
Record = tuple[int, int, int, float, float, bytes]


class Tablets:
    """One load process: a share of the voters, their sessions, their HTTP bursts and their websockets."""

    def __init__(self, base_url: str, voters: list[tuple[int, str]], commands: Any, results: Any) -> None:
        self.base_url = base_url
        self.host = base_url.removeprefix("http://")
        self.voters = voters
        self.sessions: dict[int, tuple[str, str]] = {}
        self.commands = commands
        self.results = results
        self.arrivals: dict[str, list[tuple[float, str]]] = {}
        self.samples: dict[str, str] = {}
        self.sockets: dict[int, Any] = {}
        self.dropped: Counter[str] = Counter()  # sockets the server closed, by close code and reason
        self.listening: list[asyncio.Task[None]] = []

    async def serve(self) -> None:
        while True:
            command, argument = await asyncio.to_thread(self.commands.get)
            if command == "sessions":
                self.sessions = dict(argument)
            elif command == "sign_in":
                await self.sign_in()
            elif command == "burst":
                await self.burst(argument)
            elif command == "listen":
                await self.listen(argument)
            elif command == "partial":
                self.deliver(argument)
            elif command == "stop":
                for task in self.listening:
                    task.cancel()
                for ws in self.sockets.values():
                    ws.transport.abort()
                return

    async def sign_in(self) -> None:
        cpu = time.process_time()
        queue = list(self.voters)

        async def worker() -> None:
            async with httpx.AsyncClient(base_url=self.base_url, trust_env=False, timeout=BURST_TIMEOUT_SECS) as http:
                while queue:
                    index, login = queue.pop()
                    answer = await http.post("/api/session", json={"login": login, "password": PASSWORD})
                    if answer.status_code != 200:
                        raise BenchError(f"signing in {login} answered {answer.status_code}: {answer.text[:200]}")
                    self.sessions[index] = (answer.cookies[SESSION_COOKIE], answer.json()["csrf_token"])
                    # Never send this session's cookie with the next sign-in: that would end it (rotation).
                    http.cookies.clear()

        await asyncio.gather(*(worker() for _ in range(SIGN_INS_IN_FLIGHT)))
        self.results.put(("signed", list(self.sessions.items()), time.process_time() - cpu))

    async def burst(self, spec: Spec) -> None:
        host, port = self.host.rsplit(":", 1)
        # A connection per voter, and a second for each retry sent at once with its original.
        plan = [(index, 2 if index % RETRY_PERIOD == RACING_RETRY else 1) for index, _ in self.voters]
        opened = await asyncio.gather(
            *(RawConnection.open(host, int(port), "/healthz", {}) for _, count in plan for _ in range(count))
        )
        connections = iter(opened)
        records: list[Record] = []
        errors: list[tuple[int, int, int, bytes]] = []
        self.results.put(("ready", os.getpid()))
        command, _ = await asyncio.to_thread(self.commands.get)
        if command != "go":
            raise BenchError(f"a load process expected go, got {command}")
        cpu = time.process_time()

        async def send(slot: list[RawConnection], index: int, copy: int, request: bytes) -> None:
            # As a tablet does: on a server error or a dropped connection, the same request again (the same
            # Idempotency-Key) on a new connection; the time runs from the first attempt to the answer.
            sent = time.time()
            for _attempt in range(ATTEMPTS):
                slot[0].request = request
                try:
                    status, body = await slot[0].get()
                except (OSError, EOFError) as exc:
                    status, body = 0, f"{type(exc).__name__}: {exc}".encode()
                if 0 < status < 500:
                    break
                errors.append((index, copy, status, body[:300]))
                with contextlib.suppress(OSError):
                    await slot[0].close()
                slot[0] = await RawConnection.open(host, int(port), "/healthz", {})
                opened.append(slot[0])
            answered = time.time()
            keep = copies_of(index) > 1 or status >= 300
            records.append((index, copy, status, sent, answered, body if keep else b""))

        async def voter(index: int, connection: RawConnection, extra: RawConnection | None) -> None:
            request = spec.request(self.host, index, *self.sessions[index])
            slot = [connection]
            if extra is not None:
                await asyncio.gather(send(slot, index, 0, request), send([extra], index, 1, request))
                return
            await send(slot, index, 0, request)
            if copies_of(index) > 1:
                await send(slot, index, 1, request)

        tasks = []
        for index, count in plan:
            first = next(connections)
            tasks.append(voter(index, first, next(connections) if count > 1 else None))
        await asyncio.gather(*tasks)
        used = time.process_time() - cpu
        for connection in opened:
            with contextlib.suppress(OSError):
                await connection.close()
        self.results.put(("burst", records, errors, used))

    async def listen(self, channel: str) -> None:
        import websockets

        ws_url = self.base_url.replace("http://", "ws://") + "/ws"
        opening = asyncio.Semaphore(25)

        async def follow(index: int) -> None:
            for _attempt in range(ATTEMPTS):
                ws: Any = None
                try:
                    async with opening:
                        ws = await websockets.connect(
                            ws_url,
                            additional_headers={"Cookie": f"{SESSION_COOKIE}={self.sessions[index][0]}"},
                            compression=None,
                            max_size=2**24,
                            ping_interval=None,
                            open_timeout=120,
                        )
                        await ws.send(json.dumps({"op": "subscribe", "channel": channel}))
                        while json.loads(await ws.recv()).get("op") != "subscribed":
                            pass
                    self.sockets[index] = ws
                    async for message in ws:
                        self.arrived(time.time(), message)
                except websockets.ConnectionClosed:
                    pass
                # The server closed the socket (4401 `session ended`, say): counted; another opened, as a tablet does.
                self.dropped[f"{ws.close_code} {ws.close_reason}" if ws is not None else "refused"] += 1
                self.sockets.pop(index, None)
            raise BenchError(f"voter {index}'s websocket was closed {ATTEMPTS} times")

        self.listening = [asyncio.create_task(follow(index)) for index, _ in self.voters]
        while len(self.sockets) < len(self.voters):
            failed = [task for task in self.listening if task.done()]
            if failed:
                await failed[0]  # its exception
            await asyncio.sleep(0.05)
        self.results.put(("listening", os.getpid(), len(self.sockets), time.process_time(), dict(self.dropped)))

    def arrived(self, at: float, message: Any) -> None:
        if not isinstance(message, str) or not message.startswith('{"op":"event"'):
            return
        head = message[:200]
        key = ""
        if '"type":"poll.updated"' in head and '"status":"closed"' in message:
            found = POLL_ID.search(message, 0, 400)
            key = f"close:{found.group(1) if found else '?'}"
        elif '"type":"meeting.updated"' in head:
            place = PLACE.search(message)
            key = f"place:{place.group(1) if place else '?'}"
        if key:
            # The time first; the checks wait for the report (parsing here would delay the next socket).
            arrivals = self.arrivals.setdefault(key, [])
            arrivals.append((at, message[-26:-2]))
            self.samples.setdefault(key, message)
            if len(arrivals) == len(self.voters):
                self.deliver(key)

    def deliver(self, key: str) -> None:
        self.results.put(
            (
                "delivered",
                key,
                os.getpid(),
                self.arrivals.pop(key, []),
                self.samples.pop(key, ""),
                time.process_time(),
                dict(self.dropped),
            )
        )


def tablets_main(base_url: str, voters: list[tuple[int, str]], commands: Any, results: Any) -> None:
    os.sched_setaffinity(0, {LOAD_CORE})
    try:
        asyncio.run(Tablets(base_url, voters, commands, results).serve())
    except BaseException as exc:
        results.put(("failed", f"{type(exc).__name__}: {exc}"))
        raise


@dataclass
class Burst:
    """One timed burst: every request's record, the server's and the load's CPU seconds."""

    label: str
    records: list[Record]
    errors: list[tuple[int, int, int, bytes]]
    server_cpu: float
    client_cpu: float

    @property
    def voters(self) -> int:
        return len({r[0] for r in self.records})

    @property
    def wall(self) -> float:
        return max(r[4] for r in self.records) - min(r[3] for r in self.records)

    @property
    def rate(self) -> float:
        return self.voters / self.wall

    @property
    def per_cpu(self) -> float:
        return self.voters / self.server_cpu

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu * 1000 / len(self.records)

    @property
    def latencies(self) -> list[float]:
        return [(r[4] - r[3]) * 1000 for r in self.records if r[1] == 0]

    @property
    def client_share(self) -> float:
        return self.client_cpu / self.wall


@dataclass
class Delivery:
    """One event's arrival at the tablets: ms from the trigger, ms from the commit, a copy per process, load CPU."""

    after_send: list[float]
    after_commit: list[float]
    samples: list[str]
    client_cpu: float


class Fleet:
    """The load processes on the load core and the messages they send back."""

    def __init__(self, base_url: str, voters: list[tuple[int, str]]) -> None:
        self.results: Any = mp.Queue()
        self.commands: list[Any] = []
        self.processes: list[Any] = []
        self.stash: list[tuple[Any, ...]] = []
        self.cpu: dict[int, float] = {}
        self.dropped: dict[int, dict[str, int]] = {}
        for share in (voters[i::LOAD_PROCESSES] for i in range(LOAD_PROCESSES)):
            commands: Any = mp.Queue()
            process = mp.Process(target=tablets_main, args=(base_url, share, commands, self.results), daemon=True)
            process.start()
            self.commands.append(commands)
            self.processes.append(process)

    def tell(self, command: str, argument: Any = None) -> None:
        for commands in self.commands:
            commands.put((command, argument))

    def take(self, wanted: Callable[[tuple[Any, ...]], bool], count: int, timeout: float) -> list[tuple[Any, ...]]:
        """`count` messages that `wanted` accepts; others are kept for a later take. [] on timeout with fewer."""
        got = [m for m in self.stash if wanted(m)]
        self.stash = [m for m in self.stash if not wanted(m)]
        deadline = time.monotonic() + timeout
        while len(got) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stash += got
                return []
            try:
                message = self.results.get(timeout=min(left, 1.0))
            except Exception:  # queue.Empty: look at the processes, then wait on
                if not all(p.is_alive() for p in self.processes):
                    raise BenchError("a load process died") from None
                continue
            if message[0] == "failed":
                raise BenchError(f"a load process failed: {message[1]}")
            (got if wanted(message) else self.stash).append(message)
        return got

    def kind(self, kind: str, timeout: float) -> list[tuple[Any, ...]]:
        got = self.take(lambda m: m[0] == kind, len(self.commands), timeout)
        if not got:
            raise BenchError(f"the load processes did not answer {kind!r} within {timeout:.0f} s")
        return got

    def sign_in(self) -> dict[int, tuple[str, str]]:
        self.tell("sign_in")
        return {index: tuple(pair) for m in self.kind("signed", BURST_TIMEOUT_SECS) for index, pair in m[1]}

    def burst(self, server: Server, spec: Spec) -> Burst:
        self.tell("burst", spec)
        self.kind("ready", 120)
        cpu = reader.tree_cpu_secs(server)
        self.tell("go")
        done = self.kind("burst", BURST_TIMEOUT_SECS)
        records = [r for m in done for r in m[1]]
        errors = [e for m in done for e in m[2]]
        return Burst(spec.label, records, errors, reader.tree_cpu_secs(server) - cpu, sum(m[3] for m in done))

    def listen(self, channel: str) -> int:
        self.tell("listen", channel)
        answers = self.kind("listening", 300)
        self.cpu = {pid: cpu for _kind, pid, _count, cpu, _dropped in answers}
        self.dropped = {pid: dropped for _kind, pid, _count, _cpu, dropped in answers}
        return sum(int(m[2]) for m in answers)

    def drops(self) -> Counter[str]:
        """Sockets the server closed so far, by close code and reason."""
        total: Counter[str] = Counter()
        for dropped in self.dropped.values():
            total.update(dropped)
        return total

    def delivery(self, key: str, sent: float) -> Delivery:
        """Wait until every socket has the event `key` (or the timeout: then what arrived)."""

        def wanted(message: tuple[Any, ...]) -> bool:
            return bool(message[0] == "delivered" and message[1] == key)

        got = self.take(wanted, len(self.commands), DELIVERY_TIMEOUT_SECS)
        if not got:
            # Some sockets never got it: every process answers once more with what it has (maybe nothing).
            complete = sum(wanted(m) for m in self.stash)
            self.tell("partial", key)
            got = self.take(wanted, complete + len(self.commands), 30)
        after_send, after_commit, samples, cpu = [], [], [], 0.0
        for _kind, _key, pid, arrivals, sample, cpu_now, dropped in got:
            self.dropped[pid] = dropped
            after_send += [(at - sent) * 1000 for at, _ in arrivals]
            after_commit += [(at - datetime.fromisoformat(ts).timestamp()) * 1000 for at, ts in arrivals]
            if sample:
                samples.append(sample)
            cpu += cpu_now - self.cpu.get(pid, cpu_now)
            self.cpu[pid] = cpu_now
        return Delivery(after_send, after_commit, samples, cpu)

    def stop(self) -> None:
        self.tell("stop")
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


# ----------------------------------------------------------------------------------------------- the database


@dataclass
class Backend:
    """A database to run on: its name, URL, and how to drop it after."""

    name: str
    url: str
    drop: Callable[[], None] = lambda: None


@contextmanager
def backend(name: str, tmp: Path) -> Iterator[Backend]:
    if name == "sqlite":
        yield Backend("SQLite", f"sqlite:///{tmp / 'sqlite.db'}")
        return
    database = f"bench_votes_{uuid.uuid4().hex[:8]}"
    if shutil.which("psql") is None:
        raise PartSkipped("psql not found")
    made = subprocess.run([*PG_ADMIN, f'CREATE DATABASE "{database}"'], capture_output=True, text=True)
    if made.returncode != 0:
        raise PartSkipped(f"PostgreSQL: {made.stderr.strip()[:200]}")
    try:
        yield Backend("PostgreSQL", reader.PG_URL.format(database=database))
    finally:
        subprocess.run([*PG_ADMIN, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], capture_output=True)


def prepare(url: str, voters: int, sessions: list[dict[str, Any]]) -> None:
    """The schema, the sample, `voters` more members with a vote, and the voters' `sessions` (rows of another
    database, by login)."""
    db = Database(url)
    try:
        db.migrate()
        load_sample(db, PASSWORD)
        password_hash = hash_password(PASSWORD)  # once: an argon2 hash costs ~0.1 s
        logins = [VOTER_LOGIN.format(i) for i in range(voters)]
        with db.write() as session:
            meeting = session.exec(select(Meeting).where(Meeting.title == MEETING_TITLE)).one()
            users = [User(login=login, name=f"Ủy viên {login[-4:]}", password_hash=password_hash) for login in logins]
            session.add_all(users)
            session.flush()
            session.add_all(
                Participant(meeting_id=meeting.id, user_id=u.id, role=ParticipantRole.member, can_vote=True)
                for u in users
            )
            ids = {u.login: u.id for u in users}
            session.add_all(
                UserSession(**{k: v for k, v in row.items() if k != "login"}, user_id=ids[row["login"]])
                for row in sessions
            )
    finally:
        db.engine.dispose()


def session_rows(url: str) -> list[dict[str, Any]]:
    """The voters' sessions in a database, each with its user's login instead of the id."""
    db = Database(url)
    try:
        with db.read() as session:
            query = select(UserSession, User.login).join(User, col(User.id) == col(UserSession.user_id))
            found = session.exec(query.where(col(User.login).startswith("uyvien"))).all()
            return [{**row.model_dump(exclude={"user_id"}), "login": login} for row, login in found]
    finally:
        db.engine.dispose()


# ----------------------------------------------------------------------------------------------- the parts


@dataclass
class OpenPoll:
    """A poll voted in a burst and not yet closed, with the tally it must show."""

    id: int
    ballot: str
    expected: dict[str, int]


@dataclass
class Figures:
    """One database's figures."""

    name: str
    bursts: dict[str, list[Burst]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    retries: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # failed attempts, sent again, by burst and status
    crashes: Counter[str] = field(default_factory=Counter)  # the exceptions in the server's log, by their last line
    polls_exact: int = 0
    polls_closed: int = 0
    tablet_copies: int = 0
    tablet_copies_exact: int = 0
    deliveries: dict[str, list[Delivery]] = field(default_factory=dict)
    close_ms: list[float] = field(default_factory=list)
    patch_ms: list[float] = field(default_factory=list)
    close_bytes: int = 0
    dropped_joining: Counter[str] = field(default_factory=Counter)  # sockets the server closed as they joined
    dropped: Counter[str] = field(default_factory=Counter)  # ... in all of part 2
    patch_bytes: int = 0


def check(burst: Burst, good: int, figures: Figures) -> None:
    """Every voter answered `good` once (the other copy 200, the same body); retries counted in `figures`."""
    for _index, _copy, status, _body in burst.errors:
        figures.errors[f"{burst.label} {status or 'dropped'}"] += 1
    by_voter: dict[int, list[Record]] = {}
    for record in burst.records:
        by_voter.setdefault(record[0], []).append(record)
    for index, records in by_voter.items():
        statuses = sorted(r[2] for r in records)
        expected = sorted([good] + [200] * (len(records) - 1))
        if statuses != expected:
            bad = next((r for r in records if r[2] not in (good, 200)), records[0])
            figures.problems.append(f"{burst.label}: voter {index} answered {statuses}: {bad[5][:200]!r}")
        if len(records) > 1 and burst.label.endswith("ballot"):
            how = "racing" if index % RETRY_PERIOD == RACING_RETRY else "after the answer"
            same = len({r[5] for r in records}) == 1
            figures.retries[f"{how}: same receipt" if same else f"{how}: DIFFERENT receipt"] += 1
            if statuses.count(201) > 1:
                figures.retries["counted twice"] += 1
            if not same:
                figures.problems.append(f"{burst.label}: voter {index}'s retry answered another receipt")


def exact(poll: OpenPoll, result: dict[str, Any], figures: Figures, where: str) -> bool:
    if result["tally"] == poll.expected and result["cast"] == sum(poll.expected.values()):
        return True
    figures.problems.append(
        f"poll {poll.id} ({poll.ballot}), {where}: tally {result['tally']} cast {result['cast']}, sent {poll.expected}"
    )
    return False


class Secretariat:
    """The secretary and the chair of the sample meeting, signed in over HTTP."""

    def __init__(self, server: Server) -> None:
        self.secretary = reader.signed_in(server, SECRETARY)
        self.chair = reader.signed_in(server, CHAIR)
        meetings = [m for m in expect(self.secretary.get("/api/meetings")) if m["title"] == MEETING_TITLE]
        self.meeting_id = int(meetings[0]["id"])
        self.items = [int(i["id"]) for i in expect(self.secretary.get(f"/api/meetings/{self.meeting_id}/items"))]
        if meetings[0]["status"] != "live":
            expect(self.secretary.post(f"/api/meetings/{self.meeting_id}/transition", json={"to": "live"}))

    def open_poll(self, ballot: str, number: int) -> int:
        body = {"question": f"Thông qua Tờ trình số {number}/TTr-UBND", "ballot": ballot}
        poll = expect(self.secretary.post(f"/api/items/{self.items[0]}/polls", json=body), 201)
        expect(self.secretary.post(f"/api/polls/{poll['id']}/open"))
        return int(poll["id"])

    def close(self, poll: OpenPoll, figures: Figures) -> tuple[float, float]:
        """Close as the chair; (sent, answered)."""
        sent = time.time()
        answer = self.chair.post(f"/api/polls/{poll.id}/close")
        answered = time.time()
        figures.polls_closed += 1
        figures.polls_exact += exact(poll, expect(answer)["result"], figures, "close answer")
        return sent, answered


def vote(
    fleet: Fleet, server: Server, people: Secretariat, ballot: str, number: int, figures: Figures, timed: bool = True
) -> OpenPoll:
    poll_id = people.open_poll(ballot, number)
    spec = Spec(f"{ballot} ballot", "POST", f"/api/polls/{poll_id}/ballots", "choice", CHOICES, keyed=True)
    burst = fleet.burst(server, spec)
    check(burst, 201, figures)
    counted = {r[0] for r in burst.records if r[2] == 201}
    tally = Counter(CHOICES[choice_of(index)] for index in counted)
    if timed:
        figures.bursts.setdefault(spec.label, []).append(burst)
    return OpenPoll(poll_id, ballot, {choice: tally[choice] for choice in CHOICES})


def print_burst(number: int, kind: str, burst: Burst) -> None:
    print(
        f"  run {number} {kind} {burst.label:<16} {burst.rate:>7,.0f}/s  {burst.per_cpu:>7,.0f}/CPU s  "
        f"p50 {percentile(burst.latencies, 0.5):>8,.0f} ms  p99 {percentile(burst.latencies, 0.99):>8,.0f} ms  "
        f"server {burst.cpu_ms_per_request:>5.1f} ms CPU/req  client CPU {burst.client_share:>4.0%}"
        + (f"  {len(burst.errors)} failed and sent again" if burst.errors else ""),
        flush=True,
    )


def part_ballots(
    args: argparse.Namespace, fleet: Fleet, server: Server, people: Secretariat, figures: Figures
) -> list[OpenPoll]:
    print(f"\n1. {figures.name}: {args.voters} voters at once, {args.runs} interleaved rounds", flush=True)
    left_open: list[OpenPoll] = []
    for number in range(1, args.runs + 1):
        health = fleet.burst(server, Spec("GET /healthz", "GET", "/healthz"))
        check(health, 200, figures)
        figures.bursts.setdefault(health.label, []).append(health)
        print_burst(number, "B", health)
        item = people.items[(number - 1) % len(people.items)]
        spec = Spec("PUT preposition", "PUT", f"/api/items/{item}/preposition", "position", POSITIONS)
        position = fleet.burst(server, spec)
        check(position, 200, figures)
        figures.bursts.setdefault(position.label, []).append(position)
        print_burst(number, "B", position)
        # The language changes each round, so that every request writes (an unchanged row is not updated).
        language = ("en", "vi")[number % 2]
        me = fleet.burst(server, Spec("PATCH /api/me", "PATCH", "/api/me", "language", (language,) * 3))
        check(me, 200, figures)
        figures.bursts.setdefault(me.label, []).append(me)
        print_burst(number, "B", me)
        for ballot in ("named", "secret"):
            poll = vote(fleet, server, people, ballot, number, figures)
            print_burst(number, "P", figures.bursts[f"{ballot} ballot"][-1])
            if 2 in args.parts:
                left_open.append(poll)  # closed in part 2, before 1,000 tablets
            else:
                people.close(poll, figures)
    return left_open


def part_close(
    args: argparse.Namespace,
    fleet: Fleet,
    server: Server,
    people: Secretariat,
    polls: list[OpenPoll],
    figures: Figures,
    tmp: Path,
) -> None:
    number = len(polls)
    while len(polls) < CLOSE_ROUNDS_MIN:
        number += 1
        ballot = "named" if number % 2 else "secret"
        polls.append(vote(fleet, server, people, ballot, 100 + number, figures, timed=False))
    print(f"\n2. {figures.name}: close → result on {args.voters} tablets, {len(polls)} rounds", flush=True)
    rss = fanout.rss_kib(server.process.pid)
    started = time.perf_counter()
    connected = fleet.listen(f"meeting:{people.meeting_id}")
    figures.dropped_joining = fleet.drops()
    closed = ", ".join(f"{n} × {why}" for why, n in figures.dropped_joining.items()) or "none"
    print(
        f"  {connected} websockets subscribed in {time.perf_counter() - started:.1f} s (closed by the server while "
        f"joining, then opened again: {closed}); server VmRSS {rss / 1024:.0f} → "
        f"{fanout.rss_kib(server.process.pid) / 1024:.0f} MiB",
        flush=True,
    )
    bare_port = state.free_port()
    bare_server = fanout.Process(
        [sys.executable, fanout.__file__, "--bare-server", str(bare_port)], dict(os.environ), tmp / "bare.log"
    )
    bare_load: Load | None = None
    try:
        reader.wait_port(bare_port)
        bare_load = Load.start(f"ws://127.0.0.1:{bare_port}/", "", [[] for _ in range(args.voters)])
        bare = Bare(bare_port)
        nonce = secrets.token_hex(3)
        # Warm-up, untimed: a close (of a poll nobody voted in) and a PATCH, each heard by every tablet.
        warm = OpenPoll(people.open_poll("named", 0), "named", dict.fromkeys(CHOICES, 0))
        people.close(warm, Figures("warm-up"))
        fleet.delivery(f"close:{warm.id}", time.time())
        expect(people.secretary.patch(f"/api/meetings/{people.meeting_id}", json={"place": f"Phong hop {nonce} 0"}))
        fleet.delivery(f"place:Phong hop {nonce} 0", time.time())
        time.sleep(2.0)  # the presence announcements of the arrivals are over
        for round_number, poll in enumerate(polls, 1):
            place = f"Phong hop {nonce} {round_number}"
            sent = time.time()
            answer = people.secretary.patch(f"/api/meetings/{people.meeting_id}", json={"place": place})
            figures.patch_ms.append((time.time() - sent) * 1000)
            expect(answer)
            patch = fleet.delivery(f"place:{place}", sent)
            figures.patch_bytes = len(patch.samples[0]) if patch.samples else 0
            time.sleep(SETTLE_SECS)

            sent, answered = people.close(poll, figures)
            figures.close_ms.append((answered - sent) * 1000)
            close = fleet.delivery(f"close:{poll.id}", sent)
            for sample in close.samples:
                figures.tablet_copies += 1
                figures.tablet_copies_exact += exact(
                    poll, json.loads(sample)["data"]["poll"]["result"], figures, "tablet"
                )
            figures.close_bytes = len(close.samples[0]) if close.samples else figures.close_bytes
            time.sleep(SETTLE_SECS)

            bare_sent = bare.event("bcast", args.voters, figures.close_bytes)
            received: list[tuple[int, float, float]] = []
            deadline = time.monotonic() + DELIVERY_TIMEOUT_SECS
            while time.monotonic() < deadline:
                time.sleep(0.25)
                received += [r for r in bare_load.receipts() if r[0] == bare.seq]
                if len(received) >= args.voters:
                    break
            baseline = Delivery(fanout.latencies(received, {bare.seq: bare_sent}), [], [], 0.0)
            time.sleep(SETTLE_SECS)
            for kind, delivery in (("close", close), ("meeting.updated", patch), ("bare", baseline)):
                figures.deliveries.setdefault(kind, []).append(delivery)
            print(
                f"  round {round_number} ({poll.ballot}) P close → tablets {pooled(close.after_send)} ms "
                f"({len(close.after_send)}/{args.voters}; close answered in {figures.close_ms[-1]:.0f} ms, "
                f"load CPU {close.client_cpu / (max(close.after_send, default=1) / 1000):.0%}); "
                f"B meeting.updated {pooled(patch.after_send)} ms; B bare {pooled(baseline.after_send)} ms",
                flush=True,
            )
    finally:
        figures.dropped = fleet.drops()
        if bare_load is not None:
            bare_load.stop()
        bare_server.stop()


def pooled(values: list[float]) -> str:
    return f"{percentile(values, 0.5):,.0f} / {percentile(values, 0.99):,.0f}" if values else "—"


def spread(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


# ----------------------------------------------------------------------------------------------- the report


def report(args: argparse.Namespace, figures: Figures) -> list[Row]:
    rows: list[Row] = []
    name = figures.name
    if figures.bursts:
        print(f"\n  {name}: medians (min–max) over {args.runs} runs; p50/p99 of each voter's first request")
        print(
            f"  {'':<18} {'per s (wall)':>20} {'per server CPU s':>20} {'p50 ms':>22} {'p99 ms':>22} "
            f"{'server CPU ms/req':>20} {'load CPU':>8}"
        )
        for label, runs in figures.bursts.items():
            print(
                f"  {label:<18} {spread([b.rate for b in runs]):>20} {spread([b.per_cpu for b in runs]):>20} "
                f"{spread([percentile(b.latencies, 0.5) for b in runs]):>22} "
                f"{spread([percentile(b.latencies, 0.99) for b in runs]):>22} "
                f"{spread([b.cpu_ms_per_request for b in runs], 1):>20} "
                f"{statistics.median(b.client_share for b in runs):>8.0%}"
            )
        retries = ", ".join(f"{k} {v}" for k, v in sorted(figures.retries.items())) or "none"
        print(f"  ballots sent twice with one key: {retries}")
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(figures.errors.items())) or "none"
        print(f"  attempts that failed (5xx, or the connection dropped) and were sent again: {errors}")
        for crash, count in figures.crashes.most_common(5):
            print(f"    server log (each error may be logged twice): {count} × {crash}")
        failed = sum(figures.errors.values())
        why = figures.crashes.most_common(1)[0][0].split(": ", 1)[-1][:80] if figures.crashes else ""
        rows.append(
            Row(
                f"1 {name}: attempts failed in the bursts (sent again)",
                f"{failed}" + (f" (server log: {why})" if why else ""),
                "—",
                "—",
                "0",
                "ERRORS" if failed else "PASS",
            )
        )
        base = figures.bursts.get("PUT preposition", [])
        me = figures.bursts.get("PATCH /api/me", [])
        health = figures.bursts.get("GET /healthz", [])
        for ballot in ("named", "secret"):
            runs = figures.bursts.get(f"{ballot} ballot", [])
            if not runs or not base or not me:
                continue
            rate, base_rate, me_rate = (median(b.rate for b in bursts) for bursts in (runs, base, me))
            rows.append(
                Row(
                    f"1 {name}: {ballot} ballots, {args.voters} at once (ballots/s)",
                    f"{rate:,.1f}/s, {median(b.per_cpu for b in runs):,.1f}/CPU s",
                    f"preposition {base_rate:,.1f}/s; /me {me_rate:,.1f}/s; /healthz "
                    f"{median(b.rate for b in health):,.0f}/s",
                    f"{ratio_text(rate / base_rate)} prep.; {ratio_text(rate / me_rate)} /me",
                    "info",
                    "info",
                )
            )
            latencies = [v for b in runs for v in b.latencies]
            base_latencies = [v for b in base for v in b.latencies]
            me_latencies = [v for b in me for v in b.latencies]
            p99 = percentile(latencies, 0.99)
            rows.append(
                Row(
                    f"1 {name}: {ballot} ballot latency in the burst (p50/p99)",
                    ms_pair(latencies),
                    f"preposition {ms_pair(base_latencies)}; /me {ms_pair(me_latencies)}",
                    f"{ratio_text(p99 / percentile(base_latencies, 0.99))} prep.; "
                    f"{ratio_text(p99 / percentile(me_latencies, 0.99))} /me (p99)",
                    "info",
                    "info",
                )
            )
    if figures.polls_closed:
        doubled = figures.retries["counted twice"]
        retried = sum(v for k, v in figures.retries.items() if k != "counted twice")
        good = figures.polls_exact == figures.polls_closed and not figures.problems
        tablets = (
            f"; tablets' copies {figures.tablet_copies_exact}/{figures.tablet_copies}" if figures.tablet_copies else ""
        )
        rows.append(
            Row(
                f"1 {name}: tallies exact, retries not doubled",
                f"{figures.polls_exact}/{figures.polls_closed} tallies exact{tablets}; "
                f"{doubled} of {retried} retries doubled",
                "what was sent",
                "—",
                "exact",
                "PASS" if good else "FAIL",
            )
        )
    close = [v for d in figures.deliveries.get("close", []) for v in d.after_send]
    if close:
        patch = [v for d in figures.deliveries["meeting.updated"] for v in d.after_send]
        bare = [v for d in figures.deliveries["bare"] for v in d.after_send]
        rounds = len(figures.deliveries["close"])
        expected = rounds * args.voters
        print(f"\n  {name}: close → result, {rounds} rounds; per-round p50 and p99, median (min–max); ms")
        print(f"  {'':<52} {'p50 per round':>18} {'p99 per round':>18}   all samples p50 / p99")
        table = [
            (f"P close → poll.updated closed at {args.voters} tablets", "close", "after_send"),
            ("P   commit → tablets (the event's ts, ms precision)", "close", "after_commit"),
            (f"B meeting.updated → the same {args.voters} tablets", "meeting.updated", "after_send"),
            (f"B bare websockets, {figures.close_bytes:,} bytes to {args.voters}", "bare", "after_send"),
        ]
        for label, kind, what in table:
            samples = [getattr(d, what) for d in figures.deliveries[kind]]
            every = [v for s in samples for v in s]
            print(
                f"  {label:<52} {spread([percentile(s, 0.5) for s in samples]):>18} "
                f"{spread([percentile(s, 0.99) for s in samples]):>18}   {pooled(every)} (n={len(every)})"
            )
        print(
            f"  close request answered in {pooled(figures.close_ms)} ms (p50/p99); PATCH in {pooled(figures.patch_ms)} "
            f"ms; events {figures.close_bytes:,} and {figures.patch_bytes:,} bytes; received {len(close)}/{expected} "
            f"close events, {len(patch)}/{expected} meeting.updated, {len(bare)}/{expected} bare"
        )
        rows.append(
            Row(
                f"2 {name}: close → result on {args.voters} tablets (p50/p99)",
                ms_pair(close),
                f"meeting.updated {ms_pair(patch)}",
                f"{ratio_text(percentile(close, 0.99) / percentile(patch, 0.99))} p99",
                "info",
                "info" if len(close) == expected else f"MISSED {expected - len(close)}",
            )
        )
        joining = sum(figures.dropped_joining.values())
        later = sum(figures.dropped.values()) - joining
        reasons = ", ".join(sorted(figures.dropped)) or "—"
        rows.append(
            Row(
                f"2 {name}: sockets the server closed ({args.voters} joining; later)",
                f"{joining}; {later} ({reasons})",
                "—",
                "—",
                "0",
                "ERRORS" if joining or later else "PASS",
            )
        )
        rows.append(
            Row(
                f"2 {name}: close → result vs bare broadcast of its size",
                ms_pair(close),
                f"bare ws {ms_pair(bare)}",
                f"{ratio_text(percentile(close, 0.99) / percentile(bare, 0.99))} p99",
                "info",
                "info",
            )
        )
    return rows


def crashes(log: list[str]) -> Counter[str]:
    """The exceptions in a server log, by the last line of each traceback (not the causes it chained)."""
    chained = ("The above exception", "During handling of the above exception")
    # A cause is followed, after its message's lines (psycopg adds DETAIL) and a blank one, by `chained`.
    return Counter(
        line[:160]
        for i, line in enumerate(log)
        if EXCEPTION_LINE.match(line) and not any(later.startswith(chained) for later in log[i + 1 : i + 6])
    )


def median(values: Any) -> float:
    return float(statistics.median(list(values)))


# ----------------------------------------------------------------------------------------------- main


def run_database(args: argparse.Namespace, name: str, tmp: Path, key: str, sessions: dict[str, Any]) -> list[Row]:
    voters = [(i, VOTER_LOGIN.format(i)) for i in range(args.voters)]
    with backend(name, tmp) as db:
        figures = Figures(db.name)
        started = time.perf_counter()
        prepare(db.url, args.voters, sessions.get("rows", []))
        print(f"\n{db.name}: schema, sample and {args.voters} voters written in {time.perf_counter() - started:.1f} s")
        env = {"DATABASE_URL": db.url, "ECABINET_SECRET_KEY": key}
        with reader.running_server(tmp / f"data-{name}", env, {SERVER_CORE, LOAD_CORE}) as server:
            fleet = Fleet(server.base_url, voters)
            try:
                if "cookies" in sessions:
                    fleet.tell("sessions", [(i, sessions["cookies"][i]) for i in range(args.voters)])
                    print(f"  the {args.voters} sessions of the first database copied in (cookies carried over)")
                else:
                    cpu, started = reader.tree_cpu_secs(server), time.perf_counter()
                    cookies = fleet.sign_in()
                    secs, used = time.perf_counter() - started, reader.tree_cpu_secs(server) - cpu
                    print(
                        f"  {len(cookies)} sign-ins (POST /api/session, {LOAD_PROCESSES * SIGN_INS_IN_FLIGHT} at once, "
                        f"server on both cores): {secs:.1f} s, {len(cookies) / secs:.1f}/s, "
                        f"{used * 1000 / len(cookies):.0f} ms server CPU each (argon2)",
                        flush=True,
                    )
                    fleet.tell("sessions", list(cookies.items()))
                    sessions |= {"rows": session_rows(db.url), "cookies": cookies}
                threads = reader.pin_server(server)
                print(f"  server pinned to core {SERVER_CORE} ({threads} threads), load on core {LOAD_CORE}")
                people = Secretariat(server)
                polls = part_ballots(args, fleet, server, people, figures) if 1 in args.parts else []
                if 2 in args.parts:
                    part_close(args, fleet, server, people, polls, figures, tmp)
            finally:
                fleet.stop()
                figures.crashes = crashes(server.log_path.read_text(errors="replace").splitlines())
        rows = report(args, figures)
        for problem in figures.problems[:20]:
            print(f"  PROBLEM: {problem}")
        if figures.problems:
            rows.append(Row(f"{db.name}: problems", str(len(figures.problems)), "—", "—", "none", "FAIL"))
        return rows


def code_version() -> str:
    """The commit measured, and the server's files changed since (the figures are of the working tree)."""
    root = Path(__file__).resolve().parents[1]
    git = ["git", "-C", str(root)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "ecabinet", "realtime"], capture_output=True, text=True
    ).stdout.split("\n")
    files = [line[3:] for line in changed if line.strip()]
    return f"{head or 'unknown'}" + (f" with changes to {', '.join(files)}" if files else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--voters", type=int, default=1000, help="members voting at once (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds of part 1 (default 3)")
    parser.add_argument("--parts", default="1,2", help="which parts to run (default 1,2)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="default sqlite,postgresql")
    args = parser.parse_args()
    try:
        args.parts = {int(part) for part in args.parts.split(",")}
    except ValueError:
        parser.error("--parts: 1 and/or 2, comma-separated")
    aliases = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql", "pg": "postgresql"}
    databases = [aliases.get(d.strip().lower(), d) for d in args.databases.split(",")]
    if not args.parts <= {1, 2} or not set(databases) <= set(aliases.values()) or args.runs < 1:
        parser.error("--parts from 1 and 2; --databases from sqlite, postgresql; --runs ≥ 1")
    if args.voters < 2 * RETRY_PERIOD:
        parser.error(f"--voters ≥ {2 * RETRY_PERIOD}")
    if not {SERVER_CORE, LOAD_CORE} <= os.sched_getaffinity(0) or shutil.which("taskset") is None:
        print("benchmark failed: needs cores 0 and 1 and taskset to pin server and load apart", file=sys.stderr)
        return 1
    os.sched_setaffinity(0, {LOAD_CORE})
    # A ballot may wait for the whole burst ahead of it: longer than the shared client's default.
    state.REQUEST_TIMEOUT_SECS = BURST_TIMEOUT_SECS
    print(
        f"eCabinet votes benchmark: {args.voters} voters in {LOAD_PROCESSES} load processes, parts "
        f"{','.join(map(str, sorted(args.parts)))}, {args.runs} rounds, on {', '.join(databases)}; server on core "
        f"{SERVER_CORE}, load on core {LOAD_CORE}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"code: {code_version()}")
    rows: list[Row] = []
    status = 0
    started = time.perf_counter()
    sessions: dict[str, Any] = {}
    key = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory(prefix="ecabinet-votes-") as name:
        for database in databases:
            try:
                rows += run_database(args, database, Path(name), key, sessions)
            except PartSkipped as exc:
                print(f"\n{database} skipped: {exc}")
                rows.append(Row(f"{database}", "—", "—", "—", "info", "SKIPPED"))
                status = 2
            except BenchError as exc:
                print(f"benchmark failed: {exc}", file=sys.stderr)
                return 1
    print(f"\nmeasured in {time.perf_counter() - started:.0f} s")
    summary(rows)
    if any(row.verdict == "FAIL" for row in rows):
        print("\nA tally, a receipt or a retry was wrong (see PROBLEM above): exit status 1")
        return 1
    if status:
        print("\nnote: a database did not run (see above); the exit status is 2")
    return status


if __name__ == "__main__":
    sys.exit(main())
