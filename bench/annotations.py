"""Benchmark of annotations: edits accepted per second from many tablets, the presenter's live ink reaching 100
followers, and the export of a 300-page paper carrying 1,000 annotations.

Method (DESIGN §9). The schema, the sample and `--members` (33) more members of the sample meeting are written
before the server starts (`votes.prepare`: User rows sharing one argon2 hash). The real server
(`ecabinet serve --demo`, `reader.running_server`) starts on both cores; the secretary (`thuky`) uploads a generated
`--paper-pages` (10) paper to the sample meeting's first item (`packs.write_pack`, A4) and, for part 3, a 300-page
one. Then the server and its PDF workers are pinned to core 0 (`reader.pin_server`), this process and the load to
core 1; baseline and product alternate (B, P, B, P, …) after a warm-up of each, and the report gives medians with
their spread (min–max) and the ratio of the medians.

1. **Edits accepted per second.** `--clients` (8, then 32) concurrent clients, each a member of its own (its own
   session) on a keep-alive connection of the minimal HTTP/1.1 client (`state.RawConnection`: httpx costs ~2.7 ms
   of the load core a request and would be what is measured). P: each sends annotation edits one after another,
   each with an Idempotency-Key of its own: 60% a new ink stroke of 100 points [x, y, pressure] (~2.2 KB of JSON;
   a quarter shared with the meeting, the rest private), 30% an edit of one of its own annotations from the version
   it holds (`base_version`: a new comment and colour, half of the time new points), 10% a deletion of one;
   `PUT`/`DELETE /api/annotations/{uuid}` answered 201/200 without a conflict. B: the same number of connections,
   each a session of the secretary, sending `PATCH /api/items/{id} {"title"}` (a new title of ~110 characters, each
   connection its own item of the sample meeting's 14, so 32 connections share items): an authenticated write
   that commits a row and an `item.updated` event on the meeting's channel, as a shared annotation does (a private
   one writes its event to the author's channel only). `--ops` (400) requests a run, `--runs` (5) runs of each:
   ops/s (wall clock), p50 / p99 latency (all requests of the runs), the server's CPU per request, and this
   process's CPU share (a share near 100% would mean the client is what is measured).
2. **Live ink preview → 100 followers.** `--followers` (100) websockets of a member, in 2 load processes on core 1,
   follow `meeting:{id}` (the sample meeting, taken live). The chair (`chutich`) presents the paper; per round, B:
   a `presenter.page` action (a page turn: a database write and an event), then P: a `presenter.ink` action, a
   piece of 20 points of a stroke (a volatile message, checked like a page turn, never stored); each timed from just
   before it is sent to its arrival at the last of the followers and at every follower, the next only once all have
   it; `--rounds` (30) after 3 warm-up rounds. The action's ack is printed too.
3. **Export with annotations.** A member makes 1,000 annotations on the 300-page paper through the API (40% ink of
   100 points, 30% highlights of 1–3 lines, 30% notes with a comment; on pages spread over the paper; untimed,
   8 in flight), then, `--runs` rounds after a warm-up of each, B: the stamped download `GET
   /api/documents/{id}/file`, P: `GET /api/documents/{id}/annotated.pdf?scope=mine` (the same stamped copy with
   the member's annotations as PDF annotations and a summary of the notes, made in a PDF worker), both by that
   member; with the server's and its PDF workers' CPU. The export is opened here (PyMuPDF): it must carry the
   1,000 annotations (ink, highlight, text), per kind, and have more pages than the paper (the summary).

    .venv/bin/python bench/annotations.py [--clients 8,32] [--ops 400] [--runs 5] [--followers 100] [--rounds 30]
                                          [--parts 1,2,3] [--database-url postgresql+psycopg://…/postgres]

With `--database-url` (PostgreSQL) a database of our own, `bench_annotations_<pid>`, is made on that server and
dropped after. Exit status: 0 when everything ran and checked out, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import packs
import pymupdf
import reader
import votes
from fanout import percentile, serve_commands
from packs import ratio_text
from reader import CHAIR, LOAD_CORE, SECRETARY, SERVER_CORE, Chair, Secretary, cookie_of, expect, signed_in
from state import BenchError, RawConnection, Row, Server, backend, summary

MEMBER_LOGIN = votes.VOTER_LOGIN  # "uyvien0000": the members votes.prepare writes
FOLLOWER_PROCESSES = 2
INK_POINTS = 100
PREVIEW_POINTS = 20
WARMUP_ROUNDS = 3
SETTLE_SECS = 0.15  # after a send, before asking the load processes what arrived
DELIVERY_TIMEOUT_SECS = 30.0
EXPORT_ANNOTATIONS = 1000
EXPORT_PAGES = 300
EXPORT_IN_FLIGHT = 8
REQUEST_TIMEOUT_SECS = 300.0
COLORS = ("#d32f2f", "#1976d2", "#388e3c", "#f9a825", "")
COMMENTS = (
    "Đề nghị làm rõ nguồn vốn thực hiện",
    "Cần bổ sung ý kiến của Sở Tài chính",
    "Thống nhất với đề xuất của cơ quan trình",
    "Số liệu chưa khớp với báo cáo quý III",
    "Xem lại thời hạn hoàn thành",
)
TITLE = "Tờ trình số {n}/TTr-UBND về phê duyệt kế hoạch đầu tư công trung hạn giai đoạn 2026–2030 (lần sửa {n})"


# ----------------------------------------------------------------------------------------------- the database


# ----------------------------------------------------------------------------------------------- the raw client


def session_headers(server: Server, login: str) -> dict[str, str]:
    """The cookie and CSRF token of a fresh session of `login`."""
    http = signed_in(server, login)
    try:
        return {"Cookie": f"ecabinet_session={cookie_of(http)}", "X-CSRF-Token": http.headers["X-CSRF-Token"]}
    finally:
        http.close()


class Writer:
    """One keep-alive connection of one signed-in user, sending requests with bodies (`state.RawConnection`)."""

    def __init__(self, connection: RawConnection, host: str, port: int, headers: dict[str, str]) -> None:
        self.connection = connection
        self.host, self.port = host, port
        self.head = f"Host: {host}:{port}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    @classmethod
    async def open(cls, server: Server, headers: dict[str, str]) -> Writer:
        host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
        return cls(await RawConnection.open(host, int(port), "/healthz", {}), host, int(port), headers)

    async def reopen(self) -> None:
        """A new connection: uvicorn closes one idle for 5 s (its keep-alive timeout), as between runs."""
        await self.connection.close()
        self.connection = await RawConnection.open(self.host, self.port, "/healthz", {})

    async def send(self, method: str, path: str, body: bytes = b"", key: str = "") -> tuple[int, bytes]:
        extra = f"Idempotency-Key: {key}\r\n" if key else ""
        if body:
            extra += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.connection.request = f"{method} {path} HTTP/1.1\r\n{self.head}{extra}\r\n".encode() + body
        return await self.connection.get()

    async def close(self) -> None:
        await self.connection.close()


def stroke(rng: random.Random, width: float, height: float, count: int) -> list[list[float]]:
    """A hand-drawn stroke: a random walk of `count` points [x, y, pressure] on the page."""
    x, y = rng.uniform(60, width - 60), rng.uniform(60, height - 60)
    points = []
    for _ in range(count):
        x = min(max(x + rng.uniform(-4, 4), 10), width - 10)
        y = min(max(y + rng.uniform(-2, 2), 10), height - 10)
        points.append([round(x, 2), round(y, 2), round(rng.uniform(0.3, 0.9), 2)])
    return points


@dataclass
class Own:
    """An annotation as its author's tablet holds it: what it last sent, and the version the server answered."""

    body: dict[str, Any]
    version: int


@dataclass
class Annotator:
    """A member's tablet sending edits of its annotations on one paper, each with a key of its own."""

    writer: Writer
    rng: random.Random
    document_id: int
    pages: int
    own: dict[str, Own] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"new": 0, "edit": 0, "delete": 0})

    def new_ink(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "page": self.rng.randint(1, self.pages),
            "kind": "ink",
            "visibility": "shared" if self.rng.random() < 0.25 else "private",
            "geometry": {"points": stroke(self.rng, *packs.A4, INK_POINTS)},
            "color": self.rng.choice(COLORS),
        }

    async def edit(self) -> None:
        roll = self.rng.random()
        key = uuid.uuid4().hex
        if not self.own or roll < 0.6:
            uid, body, op, want = str(uuid.uuid4()), self.new_ink(), "new", 201
            method, payload = "PUT", body
        else:
            uid = self.rng.choice(list(self.own))
            held = self.own[uid]
            if roll < 0.9:
                body = held.body | {
                    "body": f"{self.rng.choice(COMMENTS)} ({key[:6]})",
                    "color": self.rng.choice(COLORS),
                }
                if self.rng.random() < 0.5:
                    body["geometry"] = {"points": stroke(self.rng, *packs.A4, INK_POINTS)}
                op, want, method, payload = "edit", 200, "PUT", body | {"base_version": held.version}
            else:
                body, op, want, method, payload = held.body, "delete", 200, "DELETE", {"base_version": held.version}
        status, answer = await self.writer.send(method, f"/api/annotations/{uid}", json.dumps(payload).encode(), key)
        if status != want:
            raise BenchError(f"{method} /api/annotations ({op}) answered {status}: {answer[:300]!r}")
        got = json.loads(answer)
        if got["conflict"] is not None:
            raise BenchError(f"{op} of {uid} met a conflict: {got['conflict']}")
        self.counts[op] += 1
        if op == "delete":
            del self.own[uid]
        else:
            self.own[uid] = Own(body, int(got["version"]))


@dataclass
class Retitler:
    """The secretary on one connection, giving an agenda item a new title each time."""

    writer: Writer
    item_id: int
    count: int = 0

    async def edit(self) -> None:
        self.count += 1
        body = json.dumps({"title": TITLE.format(n=f"{self.item_id}-{self.count}")}).encode()
        status, answer = await self.writer.send("PATCH", f"/api/items/{self.item_id}", body)
        if status != 200:
            raise BenchError(f"PATCH /api/items/{self.item_id} answered {status}: {answer[:300]!r}")


# ----------------------------------------------------------------------------------------------- 1. edits/s


@dataclass
class WriteRun:
    ops: int
    wall_secs: float
    latencies_ms: list[float]
    server_cpu_secs: float
    client_cpu_secs: float

    @property
    def per_sec(self) -> float:
        return self.ops / self.wall_secs


async def write_run(server: Server, clients: list[Annotator] | list[Retitler], ops: int) -> WriteRun:
    """`ops` requests shared by the clients, each with one in flight, on connections opened before the clock."""
    writers = [c.writer for c in clients]
    edits: list[Callable[[], Awaitable[None]]] = [c.edit for c in clients]
    latencies: list[float] = []
    remaining = ops

    async def client(edit: Callable[[], Awaitable[None]]) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            await edit()
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(writer.reopen() for writer in writers))
    server_cpu, client_cpu, started = reader.tree_cpu_secs(server), time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(edit) for edit in edits))
    wall = time.perf_counter() - started
    return WriteRun(ops, wall, latencies, reader.tree_cpu_secs(server) - server_cpu, time.process_time() - client_cpu)


@dataclass
class WriteFigures:
    clients: int
    annotate: list[WriteRun] = field(default_factory=list)
    retitle: list[WriteRun] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


async def write_rounds(
    server: Server, clients: int, document_id: int, pages: int, items: list[int], ops: int, runs: int
) -> WriteFigures:
    figures = WriteFigures(clients)
    members = await asyncio.gather(
        *(asyncio.to_thread(session_headers, server, MEMBER_LOGIN.format(i)) for i in range(clients))
    )
    secretaries = await asyncio.gather(*(asyncio.to_thread(session_headers, server, SECRETARY) for _ in range(clients)))
    annotators = [
        Annotator(await Writer.open(server, headers), random.Random(i), document_id, pages)
        for i, headers in enumerate(members)
    ]
    retitlers = [
        Retitler(await Writer.open(server, headers), items[i % len(items)]) for i, headers in enumerate(secretaries)
    ]
    try:
        await write_run(server, retitlers, ops // 4)  # warm-up, untimed
        await write_run(server, annotators, ops // 4)
        for number in range(1, runs + 1):
            b = await write_run(server, retitlers, ops)
            p = await write_run(server, annotators, ops)
            figures.retitle.append(b)
            figures.annotate.append(p)
            print(
                f"    {clients:>2} clients, run {number}: B item title {b.per_sec:6.1f}/s (p50 "
                f"{percentile(b.latencies_ms, 0.5):6.1f} ms, client CPU {b.client_cpu_secs / b.wall_secs:4.0%}); "
                f"P annotation edits {p.per_sec:6.1f}/s (p50 {percentile(p.latencies_ms, 0.5):6.1f} ms, client CPU "
                f"{p.client_cpu_secs / p.wall_secs:4.0%})",
                flush=True,
            )
    finally:
        for one in [*annotators, *retitlers]:
            await one.writer.close()
    figures.counts = {op: sum(a.counts[op] for a in annotators) for op in ("new", "edit", "delete")}
    return figures


def part_writes(server: Server, args: argparse.Namespace, paper: dict[str, Any], items: list[int]) -> list[Row]:
    rows = []
    for clients in args.clients:
        threads = reader.pin_server(server)
        print(
            f"\n1. edits accepted, {clients} clients, {args.ops} requests a run, {args.runs} runs (server pinned to "
            f"core {SERVER_CORE}, {threads} threads)",
            flush=True,
        )
        figures = asyncio.run(
            write_rounds(server, clients, paper["id"], int(paper["pages"]), items, args.ops, args.runs)
        )
        rows += write_rows(figures)
    return rows


def write_rows(figures: WriteFigures) -> list[Row]:
    n = figures.clients
    total = sum(figures.counts.values())
    mix = ", ".join(f"{op} {count / total:.0%}" for op, count in figures.counts.items())
    print(f"\n  {n} clients: medians (min–max) of the runs; latency over all requests of the runs; P mix: {mix}")
    print(f"  {'':<34} {'ops/s':>22} {'p50 / p99 ms':>16} {'server CPU ms/op':>20} {'client CPU':>12}")
    for label, runs in (("B PATCH item title (secretary)", figures.retitle), ("P annotation edits", figures.annotate)):
        every = [v for r in runs for v in r.latencies_ms]
        print(
            f"  {label:<34} {reader.spread([r.per_sec for r in runs]):>22} {pair(every):>16} "
            f"{reader.spread([r.server_cpu_secs / r.ops * 1000 for r in runs], 2):>20} "
            f"{statistics.median(r.client_cpu_secs / r.wall_secs for r in runs):>12.0%}"
        )
    p = statistics.median(r.per_sec for r in figures.annotate)
    b = statistics.median(r.per_sec for r in figures.retitle)
    p_every = [v for r in figures.annotate for v in r.latencies_ms]
    b_every = [v for r in figures.retitle for v in r.latencies_ms]
    return [
        Row(
            f"1 annotation edits accepted, {n} clients (ops/s)",
            f"{p:,.0f}/s",
            f"PATCH item title {b:,.0f}/s",
            ratio_text(p / b),
            "info",
            "info",
        ),
        Row(
            f"1 the same, latency p50 / p99 ({n} clients)",
            f"{pair(p_every)} ms",
            f"{pair(b_every)} ms",
            ratio_text(percentile(p_every, 0.5) / percentile(b_every, 0.5)) + " p50",
            "info",
            "info",
        ),
    ]


def pair(values: list[float]) -> str:
    return f"{percentile(values, 0.5):.1f} / {percentile(values, 0.99):.1f}" if values else "—"


# ----------------------------------------------------------------------------------------------- 2. live ink


def follower_main(url: str, cookie: str, channel: str, count: int, commands: Any, results: Any, core: int) -> None:
    """One load process: `count` sockets following `channel`; reports (what, this machine's time) of every
    presenter.page event (`seq:<n>`) and presenter.ink piece (`ink:<stroke>`) on demand."""
    import websockets

    os.sched_setaffinity(0, {core})

    async def run() -> None:
        received: list[tuple[str, float]] = []
        sockets: list[Any] = []
        subscribed = asyncio.Semaphore(0)

        async def follow() -> None:
            ws = await websockets.connect(
                url,
                additional_headers={"Cookie": f"ecabinet_session={cookie}"},
                compression=None,
                max_size=2**22,
                ping_interval=None,
                open_timeout=60,
            )
            sockets.append(ws)
            await ws.send(json.dumps({"op": "subscribe", "channel": channel}))
            async for raw in ws:
                at = time.time()
                message = json.loads(raw)
                op, kind = message.get("op"), message.get("type")
                if op == "volatile" and kind == "presenter.ink":
                    received.append((f"ink:{message['data']['stroke']}", at))
                elif op == "event" and kind == "presenter.page":
                    received.append((f"seq:{message['seq']}", at))
                elif op == "subscribed":
                    subscribed.release()

        tasks = [asyncio.create_task(follow()) for _ in range(count)]
        for _ in range(count):
            await subscribed.acquire()
        results.put(("ready", len(sockets)))
        await serve_commands(commands, results, received, tasks, sockets)

    asyncio.run(run())


@dataclass
class Followers:
    """The followers' load processes on the load core."""

    count: int
    processes: list[Any] = field(default_factory=list)
    commands: list[Any] = field(default_factory=list)
    results: Any = None
    by_key: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def start(cls, url: str, cookie: str, channel: str, count: int) -> Followers:
        load = cls(count, results=mp.Queue())
        for index in range(FOLLOWER_PROCESSES):
            share = count // FOLLOWER_PROCESSES + (1 if index < count % FOLLOWER_PROCESSES else 0)
            queue: Any = mp.Queue()
            process = mp.Process(
                target=follower_main, args=(url, cookie, channel, share, queue, load.results, LOAD_CORE)
            )
            process.start()
            load.processes.append(process)
            load.commands.append(queue)
        for _ in range(FOLLOWER_PROCESSES):
            kind, _count = load.results.get(timeout=180)
            if kind != "ready":
                raise BenchError(f"a follower process answered {kind}")
        return load

    def receipts(self) -> None:
        for queue in self.commands:
            queue.put("report")
        for _ in self.commands:
            _kind, items = self.results.get(timeout=60)
            for key, at in items:
                self.by_key.setdefault(key, []).append(at)

    async def of(self, key: str) -> list[float]:
        """Every follower's receipt of `key` (waits until all have it, or the timeout: then what came)."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT_SECS
        await asyncio.sleep(SETTLE_SECS)
        while True:
            await asyncio.to_thread(self.receipts)
            if len(self.by_key.get(key, [])) >= self.count or time.monotonic() > deadline:
                return self.by_key.pop(key, [])
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        for queue in self.commands:
            queue.put("stop")
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


async def ink(chair: Chair, document_id: int, page: int, name: str, points: list[list[float]]) -> tuple[float, float]:
    """Send a piece of the stroke `name` as the presenter; (sent, acked)."""
    action = str(uuid.uuid4())
    answer: asyncio.Future[tuple[float, dict[str, Any]]] = asyncio.get_running_loop().create_future()
    chair.waiting[action] = answer
    data = {"document_id": document_id, "page": page, "stroke": name, "points": points, "done": False}
    sent = time.time()
    await chair.ws.send(json.dumps({"op": "action", "id": action, "type": "presenter.ink", "data": data}))
    acked, message = await asyncio.wait_for(answer, 30)
    if message["op"] != "ack":
        raise BenchError(f"presenter.ink refused: {message}")
    return sent, acked


@dataclass
class Arrival:
    """One message at every follower, ms from just before it was sent."""

    every: list[float]
    ack_ms: float

    @property
    def last(self) -> float:
        return max(self.every) if self.every else float("nan")


@dataclass
class InkFigures:
    followers: int
    page: list[Arrival] = field(default_factory=list)
    ink: list[Arrival] = field(default_factory=list)
    missed: int = 0
    ink_bytes: int = 0


async def ink_rounds(server: Server, paper: dict[str, Any], meeting_id: int, args: argparse.Namespace) -> InkFigures:
    figures = InkFigures(args.followers)
    member = signed_in(server, MEMBER_LOGIN.format(0))
    chair_http = signed_in(server, CHAIR)
    ws_url = server.base_url.replace("http://", "ws://") + "/ws"
    load = await asyncio.to_thread(Followers.start, ws_url, cookie_of(member), f"meeting:{meeting_id}", args.followers)
    chair = await Chair.open(server.base_url, cookie_of(chair_http), meeting_id)
    rng = random.Random(3)
    pages = int(paper["pages"])
    try:
        await asyncio.to_thread(load.receipts)  # whatever came while joining
        load.by_key.clear()
        for number in range(-WARMUP_ROUNDS, args.rounds):
            page = number % pages + 1
            sent, acked, seq, _at, _size = await chair.turn(paper["id"], page)
            got = await load.of(f"seq:{seq}")
            turned = Arrival([(at - sent) * 1000 for at in got], (acked - sent) * 1000)
            name = f"r{number + WARMUP_ROUNDS}-{uuid.uuid4().hex[:8]}"
            points = stroke(rng, *packs.A4, PREVIEW_POINTS)
            figures.ink_bytes = len(json.dumps(points))
            sent, acked = await ink(chair, paper["id"], page, name, points)
            got = await load.of(f"ink:{name}")
            drawn = Arrival([(at - sent) * 1000 for at in got], (acked - sent) * 1000)
            if number < 0:
                continue
            figures.page.append(turned)
            figures.ink.append(drawn)
            figures.missed += 2 * args.followers - len(turned.every) - len(drawn.every)
            print(
                f"    round {number + 1:>2}: B presenter.page → last of {args.followers} {turned.last:6.1f} ms (ack "
                f"{turned.ack_ms:5.1f}); P presenter.ink (20 points) → last {drawn.last:6.1f} ms (ack "
                f"{drawn.ack_ms:5.1f}, {len(drawn.every)}/{args.followers})",
                flush=True,
            )
    finally:
        await chair.close()
        await asyncio.to_thread(load.stop)
        member.close()
        chair_http.close()
    return figures


def part_ink(server: Server, args: argparse.Namespace, paper: dict[str, Any], meeting_id: int) -> list[Row]:
    threads = reader.pin_server(server)
    print(
        f"\n2. live ink → {args.followers} followers, {args.rounds} rounds (server pinned to core {SERVER_CORE}, "
        f"{threads} threads)",
        flush=True,
    )
    figures = asyncio.run(ink_rounds(server, paper, meeting_id, args))
    n = figures.followers
    print(f"\n  ms from the send to the arrival at the last of {n} followers (and at every follower)")
    print(f"  {'':<40} {'last: p50 / p99':>18} {'last: min–max':>16} {'every: p50 / p99':>20} {'ack p50':>9}")
    for label, samples in (("B presenter.page (event)", figures.page), ("P presenter.ink (volatile)", figures.ink)):
        last = [a.last for a in samples]
        every = [v for a in samples for v in a.every]
        print(
            f"  {label:<40} {pair(last):>18} {f'{min(last):.1f}–{max(last):.1f}':>16} {pair(every):>20} "
            f"{statistics.median(a.ack_ms for a in samples):>9.1f}"
        )
    ink_last = [a.last for a in figures.ink]
    page_last = [a.last for a in figures.page]
    ink_every = [v for a in figures.ink for v in a.every]
    page_every = [v for a in figures.page for v in a.every]
    verdict = "info" if not figures.missed else f"MISSED {figures.missed}"
    return [
        Row(
            f"2 presenter.ink (20 points) → last of {n} followers (p50/p99)",
            f"{pair(ink_last)} ms",
            f"presenter.page {pair(page_last)} ms",
            f"{ratio_text(statistics.median(ink_last) / statistics.median(page_last))} p50",
            "info",
            verdict,
        ),
        Row(
            f"2 the same at every follower (p50/p99, {len(ink_every)} arrivals)",
            f"{pair(ink_every)} ms",
            f"presenter.page {pair(page_every)} ms",
            f"{ratio_text(percentile(ink_every, 0.5) / percentile(page_every, 0.5))} p50",
            "info",
            verdict,
        ),
    ]


# ----------------------------------------------------------------------------------------------- 3. export


def export_bodies(document_id: int, pages: int, count: int) -> list[dict[str, Any]]:
    """`count` annotations spread over the paper: 40% ink of 100 points, 30% highlights, 30% notes."""
    rng = random.Random(5)
    width, height = packs.A4
    bodies = []
    for index in range(count):
        page = index * pages // count + 1
        roll = rng.random()
        body: dict[str, Any] = {"document_id": document_id, "page": page, "color": rng.choice(COLORS)}
        if roll < 0.4:
            body |= {"kind": "ink", "geometry": {"points": stroke(rng, width, height, INK_POINTS)}}
        elif roll < 0.7:
            top = rng.uniform(100, height - 160)
            rects = [
                [72.0, round(top + 14 * k, 2), 523.0, round(top + 14 * k + 12, 2)] for k in range(rng.randint(1, 3))
            ]
            rect = [rects[0][0], rects[0][1], rects[-1][2], rects[-1][3]]
            body |= {"kind": "highlight", "geometry": {"rect": rect, "rects": rects}}
        else:
            x, y = rng.uniform(60, width - 100), rng.uniform(60, height - 80)
            rect = [round(x, 2), round(y, 2), round(x + 20, 2), round(y + 20, 2)]
            body |= {"kind": "note", "geometry": {"rect": rect}, "body": f"{rng.choice(COMMENTS)} (trang {page})"}
        bodies.append(body)
    return bodies


async def make_annotations(server: Server, headers: dict[str, str], bodies: list[dict[str, Any]]) -> None:
    writers = [await Writer.open(server, headers) for _ in range(EXPORT_IN_FLIGHT)]
    queue = list(bodies)

    async def one(writer: Writer) -> None:
        while queue:
            body = queue.pop()
            status, answer = await writer.send(
                "PUT", f"/api/annotations/{uuid.uuid4()}", json.dumps(body).encode(), uuid.uuid4().hex
            )
            if status != 201:
                raise BenchError(f"PUT /api/annotations answered {status}: {answer[:300]!r}")

    try:
        await asyncio.gather(*(one(w) for w in writers))
    finally:
        for writer in writers:
            await writer.close()


@dataclass
class Fetched:
    ms: float
    cpu_ms: float
    size: int


def fetch(server: Server, http: httpx.Client, path: str) -> tuple[Fetched, bytes]:
    cpu, started = reader.tree_cpu_secs(server), time.perf_counter()
    answer = http.get(path)
    took = (time.perf_counter() - started) * 1000
    if answer.status_code != 200 or not answer.content.startswith(b"%PDF"):
        raise BenchError(f"GET {path} answered {answer.status_code}: {answer.content[:300]!r}")
    return Fetched(took, (reader.tree_cpu_secs(server) - cpu) * 1000, len(answer.content)), answer.content


def count_annotations(data: bytes) -> tuple[int, dict[str, int]]:
    """The export's pages, and its annotations by PDF type."""
    kinds: dict[str, int] = {}
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            for annot in page.annots():
                kinds[annot.type[1]] = kinds.get(annot.type[1], 0) + 1
        return doc.page_count, kinds


def part_export(server: Server, args: argparse.Namespace, paper: dict[str, Any]) -> list[Row]:
    pages = int(paper["pages"])
    print(f"\n3. export of a {pages}-page paper carrying {EXPORT_ANNOTATIONS} annotations, {args.runs} rounds")
    login = MEMBER_LOGIN.format(max(args.clients))  # a member of its own: part 1's are 0 to max - 1
    headers = session_headers(server, login)
    bodies = export_bodies(paper["id"], pages, EXPORT_ANNOTATIONS)
    started = time.perf_counter()
    asyncio.run(make_annotations(server, headers, bodies))
    wanted = {"Ink": 0, "Highlight": 0, "Text": 0}
    for body in bodies:
        wanted[{"ink": "Ink", "highlight": "Highlight", "note": "Text"}[body["kind"]]] += 1
    print(
        f"  {login}: {EXPORT_ANNOTATIONS} annotations made through the API in {time.perf_counter() - started:.1f} s "
        f"({wanted['Ink']} ink, {wanted['Highlight']} highlights, {wanted['Text']} notes; untimed)",
        flush=True,
    )
    member = signed_in(server, login)
    plain, annotated = f"/api/documents/{paper['id']}/file", f"/api/documents/{paper['id']}/annotated.pdf?scope=mine"
    downloads: list[Fetched] = []
    exports: list[Fetched] = []
    checked: list[bool] = []
    try:
        _warm, data = fetch(server, member, plain)
        _warm, data = fetch(server, member, annotated)
        out_pages, kinds = count_annotations(data)
        print(f"  warm-up: the export has {out_pages} pages, annotations {kinds}", flush=True)
        threads = reader.pin_server(server)
        print(f"  server and its PDF workers pinned to core {SERVER_CORE} ({threads} threads)", flush=True)
        for number in range(1, args.runs + 1):
            down, _data = fetch(server, member, plain)
            made, data = fetch(server, member, annotated)
            out_pages, kinds = count_annotations(data)
            checked.append({k: kinds.get(k, 0) for k in wanted} == wanted and out_pages > pages)
            downloads.append(down)
            exports.append(made)
            print(
                f"  round {number}: B download {down.ms:7.1f} ms (CPU {down.cpu_ms:6.1f}, {down.size:,} B); P export "
                f"{made.ms:7.1f} ms (CPU {made.cpu_ms:6.1f}, {made.size:,} B, {out_pages} pages, "
                f"{sum(kinds.get(k, 0) for k in wanted)} annotations)",
                flush=True,
            )
    finally:
        member.close()
    print(f"\n  medians (min–max) over {args.runs} rounds")
    print(f"  {'':<52} {'ms':>24} {'server + workers CPU ms':>26} {'bytes':>12}")
    for label, samples in (
        (f"B stamped download, {pages} pages", downloads),
        (f"P annotated.pdf, {EXPORT_ANNOTATIONS} annotations", exports),
    ):
        print(
            f"  {label:<52} {reader.spread([f.ms for f in samples]):>24} "
            f"{reader.spread([f.cpu_ms for f in samples]):>26} {statistics.median(f.size for f in samples):>12,.0f}"
        )
    p, b = statistics.median(f.ms for f in exports), statistics.median(f.ms for f in downloads)
    return [
        Row(
            f"3 annotated.pdf, {pages} pages, {EXPORT_ANNOTATIONS} annotations (p50)",
            f"{p:,.0f} ms",
            f"stamped download {b:,.0f} ms",
            ratio_text(p / b),
            "info",
            "PASS" if all(checked) else "FAIL",
        ),
        Row(
            "3 the same, server + PDF workers CPU (p50)",
            f"{statistics.median(f.cpu_ms for f in exports):,.0f} ms",
            f"{statistics.median(f.cpu_ms for f in downloads):,.0f} ms",
            ratio_text(statistics.median(f.cpu_ms for f in exports) / statistics.median(f.cpu_ms for f in downloads)),
            "info",
            "info",
        ),
    ]


# ----------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", default="8,32", help="concurrent writers of part 1 (default 8,32)")
    parser.add_argument("--ops", type=int, default=400, help="requests a run in part 1 (default 400)")
    parser.add_argument("--runs", type=int, default=5, help="runs of parts 1 and 3 (default 5)")
    parser.add_argument("--followers", type=int, default=100, help="followers of part 2 (default 100)")
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds of part 2 (default 30)")
    parser.add_argument("--paper-pages", type=int, default=10, help="pages of the paper of parts 1-2 (default 10)")
    parser.add_argument("--parts", default="1,2,3", help="which parts to run (default 1,2,3)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to make our database on")
    args = parser.parse_args()
    try:
        args.parts = {int(p) for p in args.parts.split(",")}
        args.clients = [int(n) for n in args.clients.split(",") if n.strip()]
    except ValueError:
        parser.error("--parts and --clients: comma-separated numbers")
    if not args.parts <= {1, 2, 3} or args.runs < 1 or args.rounds < 1 or args.ops < 8 or not args.clients:
        parser.error("--parts from 1-3; --runs, --rounds ≥ 1; --ops ≥ 8; --clients given")
    if not {SERVER_CORE, LOAD_CORE} <= os.sched_getaffinity(0) or shutil.which("taskset") is None:
        print("benchmark failed: needs cores 0 and 1 and taskset to pin server and load apart", file=sys.stderr)
        return 1
    print(
        f"eCabinet annotations benchmark: parts {','.join(map(str, sorted(args.parts)))}; clients {args.clients}, "
        f"{args.ops} requests a run, {args.runs} runs; {args.followers} followers, {args.rounds} rounds; "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"code: {votes.code_version()}")
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ecabinet-annotations-") as name:
        try:
            rows = run(args, Path(name))
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
    print(f"\nmeasured in {time.perf_counter() - started:.0f} s")
    summary(rows)
    if any(row.verdict not in ("info", "PASS") for row in rows):
        print("\nsomething did not check out (see above): exit status 1")
        return 1
    return 0


def run(args: argparse.Namespace, tmp: Path) -> list[Row]:
    # Before pinning: the papers, on both cores.
    paper_path, export_path = tmp / "to-trinh.pdf", tmp / "tai-lieu-300.pdf"
    packs.write_pack(paper_path, args.paper_pages)
    if 3 in args.parts:
        packs.write_pack(export_path, EXPORT_PAGES)
    os.sched_setaffinity(0, {LOAD_CORE})
    rows: list[Row] = []
    with backend(args.database_url, tmp, "annotations") as db:
        members = max(args.clients) + 1
        began = time.perf_counter()
        votes.prepare(db.url, members, [])
        print(f"\n{db.name}: schema, sample and {members} members written in {time.perf_counter() - began:.1f} s")
        with reader.running_server(tmp / "data", {"DATABASE_URL": db.url}, {SERVER_CORE, LOAD_CORE}) as server:
            clerk = Secretary.of(server)
            uploads = [clerk.upload(paper_path)] + ([clerk.upload(export_path)] if 3 in args.parts else [])
            papers = clerk.wait_ready(uploads)
            shown = ", ".join(f"{p['pages']} pages (document {p['id']})" for p in papers)
            print(f"  papers ready: {shown}", flush=True)
            if 2 in args.parts:
                expect(clerk.http.post(f"/api/meetings/{clerk.meeting_id}/transition", json={"to": "live"}))
            if 1 in args.parts:
                rows += part_writes(server, args, papers[0], clerk.items)
            if 2 in args.parts:
                rows += part_ink(server, args, papers[0], clerk.meeting_id)
            if 3 in args.parts:
                rows += part_export(server, args, papers[1])
            crashes = votes.crashes(server.log_path.read_text(errors="replace").splitlines())
            for crash, count in crashes.most_common(5):
                print(f"  server log: {count} × {crash}")
            if crashes:
                rows.append(
                    Row(f"{db.name}: exceptions in the server log", str(sum(crashes.values())), "—", "—", "0", "ERRORS")
                )
        return [Row(f"{db.name}: {r.figure}", r.product, r.baseline, r.ratio, r.target, r.verdict) for r in rows]


if __name__ == "__main__":
    sys.exit(main())
