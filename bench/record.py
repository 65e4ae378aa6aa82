"""Benchmark of the floor and the record: a hand-over of the floor reaching 200 and 1,000 tablets, the minutes of a
large meeting, signing them, and the signature check on an uploaded paper.

Method (DESIGN §9). The schema, the sample and `--members` (60) more members are written before the server starts,
as bench/votes.py writes its voters (`votes.prepare`: User rows sharing one argon2 hash; they also join the sample
meeting); they are given the sample's departments and titles in the database. A demo organisation certificate is made
with `signing.ensure_demo_certificate` and the server is pointed at it (`ECABINET_SIGNING_P12`, `…_PASSWORD`,
`ECABINET_TRUST_CA_BUNDLE`: the server's own data dir does not exist before `reader.running_server` makes it, and
with a configured certificate `serve --demo` makes none of its own). Then the real server (`ecabinet serve --demo`)
starts on both cores, and the secretary (`thuky`) builds, through the HTTP API, a cabinet session with `--items` (40)
agenda items, the chair (`chutich`), herself as secretary and the 60 members, takes it live, checks everyone in, uploads
a 4-page paper, and for every item opens a poll, records every member's ballot by hand (`ballots/manual`; 65% agree,
25% disagree, 10% abstain, as in votes.py) and closes it, and records a conclusion with 3 tasks for departments.
After that the server and its PDF workers are pinned to core 0 (`reader.pin_server`), this process and the load to
core 1; baseline and product are interleaved and reported as median and spread (min–max) with their ratio.

1. **Floor hand-over → the room.** `--tablets` websockets (default 200, then 1,000; `fanout.Load`: 4 load processes,
   one member's session) subscribe to `meeting:{id}`. The chair keeps 21 requests queued (put in by the console,
   `POST /api/meetings/{id}/speakers {user_id}`, untimed), so every grant is a hand-over from the one speaking to a
   queued member and its event carries 20 waiting speakers. Per round, `--grants` rounds (20) after 2 warm-up rounds:
   B, the chair's `presenter.page` action on his websocket (`reader.Chair.turn`), then P, the chair's
   `POST /api/speakers/{id}/grant`; each timed from just before it is sent to the event at the last of the N tablets
   (and at every tablet), the next step only once every tablet has it; then a second baseline, a bare `websockets`
   server on core 0 broadcasting a message of the grant event's size to as many clients (`fanout.py --bare-server`,
   as bench/votes.py does), which separates the bytes from the hub. A watcher socket reads each event's seq, type
   and size; the `floor.updated` size is given with its queue of 20. The per-tablet slope between the two sizes is
   printed, to show whether the time grows linearly.
2. **Minutes of the large meeting**, closed (so final): `POST /api/meetings/{id}/records {"kind": "minutes"}` against
   the stamped download `GET /api/documents/{id}/file` of a generated paper with the same number of pages (both a
   sandbox job writing a PDF), `--runs` rounds (5) after a warm-up. A socket pings the hub every 50 ms meanwhile: the
   longest ping→pong during each request shows how long the server's event loop was held.
3. **Signing**: `POST /api/records/{id}/sign` of each record made in part 2, against making it (part 2's figure).
4. **Signature check on upload**: a `--pages` (100) generated paper, signed in this process (`signing.sign_pdf`, the
   demo certificate), against an unsigned one with the same pages (each upload a file of its own, `reader.variant`),
   interleaved, `--runs` each after a warm-up of each: POST to `ready` (`packs.upload`), and the server's and its PDF
   workers' CPU seconds meanwhile; the signed paper must come out `valid`, the unsigned one `none`.

`--profile` also times, in this process on the same database, what the floor's event costs to build (`floor_out`) and
one whole grant (`floor.grant`, after part 1), and what generating and signing do (`records.gather`, the layout,
`official_pdf.compose`, `signing.sign_pdf`), and prints the top of a cProfile of each (py-spy is not installed here).

    .venv/bin/python bench/record.py [--tablets 200,1000] [--grants 20] [--runs 5] [--pages 100] [--parts 1,2,3,4]
                                     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--profile]

With `--database-url` (PostgreSQL) a database of our own, `bench_record_<pid>`, is made on that server and dropped
after. Exit status: 0 when everything ran and checked out, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fanout
import httpx
import packs
import reader
import votes
from fanout import Bare, Load, percentile
from packs import ratio_text
from reader import CHAIR, LOAD_CORE, PASSWORD, SECRETARY, SERVER_CORE, Chair, Secretary, cookie_of, expect, signed_in
from sqlmodel import col, select
from state import BenchError, Row, Server, backend, summary

from ecabinet import floor as floor_service
from ecabinet import official_pdf, records, signing
from ecabinet.database import Database
from ecabinet.minutes import minutes_document
from ecabinet.models import Meeting, Unit, User
from ecabinet.official_document import to_spec
from ecabinet.permissions import Actor
from ecabinet.settings import Settings

MEMBER_LOGIN = votes.VOTER_LOGIN  # "uyvien0000": the members votes.prepare writes
TASKS_PER_CONCLUSION = 3
QUEUED = 21  # waiting before each grant: 20 still wait after it
WARMUP_GRANTS = 2
SETTLE_SECS = 0.25  # after an event, before asking the load processes what arrived
DELIVERY_TIMEOUT_SECS = 60.0
PING_EVERY_SECS = 0.05  # with the round trip, under the 20 messages/s a socket may send (ECABINET_WS_RATE_PER_SEC)
BALLOTS_IN_FLIGHT = 6
PAPER_PAGES = 4  # the paper the chair presents in part 1
# What the profile prints: the product's functions and the library calls they spend their time in.
PROFILED = (
    r"ecabinet/|fz_place_story|estimate_signature|perform_signature|write_cms|load_der_private|loading.py.*_instance"
)
MEETING_TITLE = "Phiên họp chuyên đề UBND Thành phố về kế hoạch đầu tư công (đo hiệu năng)"
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Minh", "Quốc", "Thu", "Đức", "Ngọc")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam")
OFFICES = ("Giám đốc", "Phó Giám đốc", "Chánh Văn phòng", "Trưởng phòng")
SUBJECTS = (
    "phê duyệt kế hoạch đầu tư công trung hạn giai đoạn 2026–2030",
    "tình hình kinh tế – xã hội quý III và nhiệm vụ trọng tâm quý IV năm 2026",
    "điều chỉnh cục bộ quy hoạch chung xây dựng khu đô thị mới phía Đông",
    "kết quả giải quyết thủ tục hành chính trên môi trường điện tử",
    "phân bổ dự toán ngân sách bổ sung cho các phường, xã sau sắp xếp",
    "chương trình chuyển đổi số của Thành phố năm 2027",
)
CONCLUSION = (
    "Thống nhất thông qua nội dung {subject}. Giao các sở, ngành tiếp thu ý kiến của các thành viên, hoàn thiện hồ "
    "sơ, báo cáo Chủ tịch UBND Thành phố trước ngày {due}; bảo đảm tiến độ, chất lượng và đúng quy định của pháp luật."
)
TASK_TITLES = (
    "Hoàn thiện dự thảo, trình UBND Thành phố ban hành",
    "Rà soát, tổng hợp ý kiến của các phường, xã và báo cáo kết quả",
    "Bố trí kinh phí thực hiện từ nguồn ngân sách Thành phố năm 2027",
)


# ----------------------------------------------------------------------------------------------- the database


def prepare(url: str, members: int) -> None:
    """The schema, the sample and `members` members (votes.prepare), each with a department and a title."""
    votes.prepare(url, members, [])
    db = Database(url)
    try:
        with db.write() as session:
            units = list(session.exec(select(Unit).where(Unit.kind == "department").order_by(col(Unit.id))).all())
            people = session.exec(select(User).where(col(User.login).startswith("uyvien")).order_by(col(User.login)))
            for index, user in enumerate(people):
                unit = units[index % len(units)]
                user.name = (
                    f"{SURNAMES[index % len(SURNAMES)]} {MIDDLE[index % len(MIDDLE)]} "
                    f"{GIVEN[(index // len(MIDDLE)) % len(GIVEN)]}"
                )
                user.title = f"{OFFICES[index % len(OFFICES)]} {unit.name}"
                user.unit_id = unit.id
                session.add(user)
    finally:
        db.engine.dispose()


# ----------------------------------------------------------------------------------------------- the meeting


@dataclass
class Room:
    """The large meeting as the secretary built it."""

    id: int
    items: list[int]
    members: list[int]  # user ids of the members, in order
    paper_id: int
    units: list[int]
    took: str = ""


def build_meeting(server: Server, secretary: httpx.Client, members: int, items: int) -> Room:
    """The large meeting, live, through the HTTP API (see the module docstring)."""
    started = time.perf_counter()
    units = [u for u in expect(secretary.get("/api/units")) if u["kind"] == "department"]
    unit_ids = [int(u["id"]) for u in units]
    people = {u["login"]: int(u["id"]) for u in expect(secretary.get("/api/users", params={"q": ""}))}
    member_ids = [people[MEMBER_LOGIN.format(i)] for i in range(members)]
    meeting = expect(
        secretary.post(
            "/api/meetings",
            json={
                "kind": "cabinet_session",
                "title": MEETING_TITLE,
                "starts_at": "2026-12-17T08:00:00+07:00",
                "place": "Phòng họp số 1, trụ sở UBND Thành phố",
            },
        ),
        201,
    )
    mid = int(meeting["id"])
    item_ids = []
    for index in range(items):
        body = {
            "title": f"Tờ trình số {index + 201}/TTr-UBND về {SUBJECTS[index % len(SUBJECTS)]}",
            "presenter_unit_id": unit_ids[index % len(unit_ids)],
            "duration_minutes": 15,
        }
        item_ids.append(int(expect(secretary.post(f"/api/meetings/{mid}/items", json=body), 201)["id"]))
    seats = [(people[CHAIR], "chair"), (people[SECRETARY], "secretary")] + [(u, "member") for u in member_ids]
    participants = [
        expect(secretary.post(f"/api/meetings/{mid}/participants", json={"user_id": u, "role": role}), 201)
        for u, role in seats
    ]
    for to in ("scheduled", "live"):
        expect(secretary.post(f"/api/meetings/{mid}/transition", json={"to": to}))
    for seat in participants:
        if seat["can_vote"]:
            expect(secretary.post(f"/api/participants/{seat['id']}/checkin", json={}))
    expect(secretary.post(f"/api/items/{item_ids[0]}/current"))
    print(f"  meeting {mid}: {items} items, {len(participants)} participants, live, voters checked in", flush=True)
    voters = [int(s["user_id"]) for s in participants if s["can_vote"]]
    asyncio.run(hold_polls(server, secretary, item_ids, voters))
    print(f"  {items} polls held, {len(voters)} ballots each (recorded by the secretary), closed", flush=True)
    for index, item in enumerate(item_ids):
        due = f"2027-{index % 12 + 1:02d}-{index % 27 + 1:02d}"
        tasks = [
            {
                "title": TASK_TITLES[k],
                "unit_id": unit_ids[(index + k) % len(unit_ids)],
                "due_on": due,
                "detail": "Chủ trì, phối hợp với các sở, ngành liên quan.",
            }
            for k in range(TASKS_PER_CONCLUSION)
        ]
        text = CONCLUSION.format(subject=SUBJECTS[index % len(SUBJECTS)], due=due)
        expect(secretary.post(f"/api/items/{item}/conclusions", json={"text": text, "tasks": tasks}), 201)
    # The paper the chair presents in part 1.
    paper = server_tmp(server) / "paper.pdf"
    packs.write_pack(paper, PAPER_PAGES)
    clerk = Secretary(secretary, mid, item_ids)
    paper_id = clerk.upload(paper)
    clerk.wait_ready([paper_id])
    took = (
        f"built in {time.perf_counter() - started:.0f} s through the API (both cores): {items} items, "
        f"{len(participants)} participants, {items} closed polls × {len(voters)} ballots, {items} conclusions × "
        f"{TASKS_PER_CONCLUSION} tasks, a {PAPER_PAGES}-page paper"
    )
    return Room(mid, item_ids, member_ids, paper_id, unit_ids, took)


def server_tmp(server: Server) -> Path:
    return server.log_path.parent


async def hold_polls(server: Server, secretary: httpx.Client, items: list[int], voters: list[int]) -> None:
    """A poll per item, opened, every voter's ballot recorded by the secretary, closed."""
    async with httpx.AsyncClient(
        base_url=server.base_url,
        trust_env=False,
        timeout=120,
        cookies=secretary.cookies,
        headers={"X-CSRF-Token": secretary.headers["X-CSRF-Token"]},
    ) as http:
        slots = asyncio.Semaphore(BALLOTS_IN_FLIGHT)

        async def ballot(poll: int, index: int, user: int) -> None:
            async with slots:
                body = {"user_id": user, "choice": votes.CHOICES[votes.choice_of(index)]}
                key = {"Idempotency-Key": f"bench-record-{poll}-{user}-{uuid.uuid4().hex[:8]}"}
                expect(await http.post(f"/api/polls/{poll}/ballots/manual", json=body, headers=key), 201)

        for index, item in enumerate(items):
            body = {
                "question": f"Thông qua Tờ trình số {index + 201}/TTr-UBND",
                "ballot": ("named", "secret")[index % 2],
            }
            poll = int(expect(await http.post(f"/api/items/{item}/polls", json=body), 201)["id"])
            expect(await http.post(f"/api/polls/{poll}/open"))
            await asyncio.gather(*(ballot(poll, k, user) for k, user in enumerate(voters)))
            expect(await http.post(f"/api/polls/{poll}/close"))


# ----------------------------------------------------------------------------------------------- 1. the floor


class Watcher:
    """A socket on the meeting's channel that keeps every event's seq, type, size in bytes and data."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: list[tuple[int, str, int, dict[str, Any]]] = []
        self.arrived = asyncio.Event()
        self.reading = asyncio.create_task(self.read())

    @classmethod
    async def open(cls, url: str, cookie: str, meeting_id: int) -> Watcher:
        return cls(await reader.meeting_socket(url, cookie, meeting_id))

    async def read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            if message.get("op") == "event":
                size = len(raw.encode() if isinstance(raw, str) else raw)
                self.events.append((int(message["seq"]), message["type"], size, message["data"]))
                self.arrived.set()

    async def floor(self, wanted: Callable[[dict[str, Any]], bool]) -> tuple[int, int, dict[str, Any]]:
        """The first `floor.updated` event whose floor `wanted` accepts: (seq, bytes, floor); it and those before
        it are dropped."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT_SECS
        while True:
            for index, (seq, kind, size, data) in enumerate(self.events):
                if kind == "floor.updated" and wanted(data["floor"]):
                    del self.events[: index + 1]
                    return seq, size, data["floor"]
            self.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError("the floor.updated event never reached the watcher")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), left)

    def size_of(self, seq: int) -> int:
        return next((size for s, _kind, size, _data in self.events if s == seq), 0)

    async def close(self) -> None:
        self.reading.cancel()
        await self.ws.close()


class Arrivals:
    """What the load processes received, by seq: (this machine's time, the event's commit time)."""

    def __init__(self, load: Load, tablets: int) -> None:
        self.load = load
        self.tablets = tablets
        self.by_seq: dict[int, list[tuple[float, float]]] = {}

    async def of(self, seq: int) -> list[tuple[float, float]]:
        """Every tablet's receipt of event `seq` (waits until all have it, or the timeout: then what came)."""
        deadline = time.monotonic() + DELIVERY_TIMEOUT_SECS
        await asyncio.sleep(SETTLE_SECS)
        while True:
            for got, at, committed in await asyncio.to_thread(self.load.receipts):
                self.by_seq.setdefault(got, []).append((at, committed))
            if len(self.by_seq.get(seq, [])) >= self.tablets or time.monotonic() > deadline:
                return self.by_seq.pop(seq, [])
            await asyncio.sleep(0.1)


@dataclass
class Delivery:
    """One event to every tablet, ms from just before its trigger was sent."""

    every: list[float]
    from_commit: list[float]
    answer_ms: float  # the HTTP answer (grant) or the ack (presenter.page)
    size: int
    cpu_ms: float = 0.0  # the server's CPU from the send until every tablet had it

    @property
    def last(self) -> float:
        return max(self.every) if self.every else float("nan")


def delivery(arrivals: list[tuple[float, float]], sent: float, answered: float, size: int, cpu: float) -> Delivery:
    return Delivery(
        [(at - sent) * 1000 for at, _ in arrivals],
        [(at - committed) * 1000 for at, committed in arrivals],
        (answered - sent) * 1000,
        size,
        cpu * 1000,
    )


@dataclass
class FloorFigures:
    tablets: int
    page: list[Delivery] = field(default_factory=list)
    grant: list[Delivery] = field(default_factory=list)
    bare: list[Delivery] = field(default_factory=list)
    missed: int = 0
    queue: int = 0
    spoken: int = 0
    rss_mib: tuple[float, float] = (0.0, 0.0)
    joined_secs: float = 0.0


class Floor:
    """The chair's queue of speakers: requests waiting (speaker id, user id), members free to ask again."""

    def __init__(self, chair: httpx.Client, room: Room) -> None:
        self.chair = chair
        self.room = room
        self.queue: deque[tuple[int, int]] = deque()
        self.free: deque[int] = deque(room.members)
        self.speaking: int | None = None

    def ask(self) -> int:
        """The console puts the next free member in the queue; the request's id."""
        user = self.free.popleft()
        answer = expect(self.chair.post(f"/api/meetings/{self.room.id}/speakers", json={"user_id": user}), 201)
        self.queue.append((int(answer["id"]), user))
        return int(answer["id"])

    def granted(self, user: int) -> None:
        if self.speaking is not None:
            self.free.append(self.speaking)
        self.speaking = user


async def bare_delivery(bare: Bare, load: Load, tablets: int, size: int) -> Delivery:
    """A bare websockets server's broadcast of `size` bytes to as many clients, every receipt (bench/votes.py's)."""
    sent = await asyncio.to_thread(bare.event, "bcast", tablets, size)
    received: list[tuple[int, float, float]] = []
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECS
    await asyncio.sleep(SETTLE_SECS)
    while len(received) < tablets and time.monotonic() < deadline:
        received += [r for r in await asyncio.to_thread(load.receipts) if r[0] == bare.seq]
        await asyncio.sleep(0.1)
    return Delivery(fanout.latencies(received, {bare.seq: sent}), [], 0.0, size, 0.0)


async def floor_rounds(
    server: Server, room: Room, floor: Floor, tablets: int, grants: int, bare: Bare, bare_load: Load
) -> FloorFigures:
    figures = FloorFigures(tablets)
    member = signed_in(server, MEMBER_LOGIN.format(len(room.members) - 1))
    rss = fanout.rss_kib(server.process.pid)
    started = time.perf_counter()
    ws_url = server.base_url.replace("http://", "ws://") + "/ws"
    load = await asyncio.to_thread(Load.start, ws_url, cookie_of(member), [[f"meeting:{room.id}"]] * tablets)
    figures.joined_secs = time.perf_counter() - started
    figures.rss_mib = (rss / 1024, fanout.rss_kib(server.process.pid) / 1024)
    chair = await Chair.open(server.base_url, cookie_of(floor.chair), room.id)
    watcher = await Watcher.open(server.base_url, cookie_of(floor.chair), room.id)
    arrivals = Arrivals(load, tablets)
    try:
        await asyncio.to_thread(load.receipts)  # whatever came while joining (nothing timed)
        page = 0
        for number in range(-WARMUP_GRANTS, grants):
            # B: the chair turns the page of the paper he presents.
            page = page % PAPER_PAGES + 1
            cpu = reader.tree_cpu_secs(server)
            sent, acked, seq, _chair_at, _size = await chair.turn(room.paper_id, page)
            got = await arrivals.of(seq)
            turned = delivery(got, sent, acked, watcher.size_of(seq), reader.tree_cpu_secs(server) - cpu)
            # P: the chair gives the floor to the first one waiting; whoever spoke is done.
            speaker, user = floor.queue.popleft()
            cpu = reader.tree_cpu_secs(server)
            sent = time.time()
            answer = await asyncio.to_thread(floor.chair.post, f"/api/speakers/{speaker}/grant", json={})
            answered = time.time()
            if expect(answer)["speaking"]["id"] != speaker:
                raise BenchError(f"grant {speaker}: another speaker has the floor")
            seq, size, shown = await watcher.floor(lambda f, s=speaker: (f["speaking"] or {}).get("id") == s)
            got = await arrivals.of(seq)
            granted = delivery(got, sent, answered, size, reader.tree_cpu_secs(server) - cpu)
            floor.granted(user)
            # B: a bare websockets server broadcasts as many bytes to as many clients.
            broadcast = await bare_delivery(bare, bare_load, tablets, size)
            figures.queue, figures.spoken = len(shown["queue"]), len(shown.get("spoken", []))
            # Untimed: one more member asks (through the console), so that 21 wait before the next grant.
            asked = await asyncio.to_thread(floor.ask)
            seq, _size, _shown = await watcher.floor(lambda f, a=asked: any(s["id"] == a for s in f["queue"]))
            await arrivals.of(seq)
            if number < 0:
                continue
            figures.page.append(turned)
            figures.grant.append(granted)
            figures.bare.append(broadcast)
            figures.missed += 3 * tablets - len(turned.every) - len(granted.every) - len(broadcast.every)
            print(
                f"    {tablets:>5} tablets, round {number + 1:>2}: B page → last tablet {turned.last:6.1f} ms "
                f"(ack {turned.answer_ms:5.1f}); P grant → last tablet {granted.last:6.1f} ms (answer "
                f"{granted.answer_ms:5.1f}, {granted.size:,} B, {len(granted.every)}/{tablets}); B bare "
                f"{broadcast.last:6.1f} ms",
                flush=True,
            )
    finally:
        await chair.close()
        await watcher.close()
        await asyncio.to_thread(load.stop)
    return figures


def part_floor(server: Server, room: Room, args: argparse.Namespace, tmp: Path) -> list[FloorFigures]:
    chair = signed_in(server, CHAIR)
    floor = Floor(chair, room)
    for _ in range(QUEUED + 1):
        floor.ask()
    speaker, user = floor.queue.popleft()  # someone speaks from the start: every timed grant is a hand-over
    expect(chair.post(f"/api/speakers/{speaker}/grant", json={}))
    floor.granted(user)
    results = []
    bare_port = fanout.free_port()
    bare_server = fanout.Process(
        [sys.executable, fanout.__file__, "--bare-server", str(bare_port)], dict(os.environ), tmp / "bare.log"
    )
    try:
        reader.wait_port(bare_port)
        bare = Bare(bare_port)
        for tablets in args.tablets:
            threads = reader.pin_server(server)
            print(
                f"\n1. floor hand-over → {tablets} tablets (server pinned to core {SERVER_CORE}, {threads} threads; "
                f"a bare websockets server on it too)"
            )
            bare_load = Load.start(f"ws://127.0.0.1:{bare_port}/", "", [[] for _ in range(tablets)])
            try:
                results.append(asyncio.run(floor_rounds(server, room, floor, tablets, args.grants, bare, bare_load)))
            finally:
                bare_load.stop()
            report_joined(results[-1])
    finally:
        bare_server.stop()
    if args.profile:
        profile_floor(args.url, room, floor)
    return results


def report_joined(figures: FloorFigures) -> None:
    print(
        f"  {figures.tablets} websockets subscribed in {figures.joined_secs:.1f} s; server VmRSS "
        f"{figures.rss_mib[0]:.0f} → {figures.rss_mib[1]:.0f} MiB; {figures.missed} deliveries missed",
        flush=True,
    )


def floor_rows(results: list[FloorFigures], grants: int) -> list[Row]:
    rows = []
    print(f"\n  floor: per size, {grants} rounds; ms from the send to the event at the last tablet (and at any tablet)")
    print(f"  {'':<48} {'last: p50 / p99':>18} {'last: min–max':>16} {'every tablet p50 / p99':>24}")
    for figures in results:
        n = figures.tablets
        for label, samples in (
            (f"P grant → floor.updated at {n} tablets", figures.grant),
            (f"B presenter.page → the same {n} tablets", figures.page),
            (f"B bare websockets, the grant's bytes to {n}", figures.bare),
        ):
            last = [d.last for d in samples]
            every = [v for d in samples for v in d.every]
            print(
                f"  {label:<48} {pair(last):>18} {f'{min(last):.1f}–{max(last):.1f}':>16} {pair(every):>24}",
            )
        commit = [v for d in figures.grant for v in d.from_commit]
        print(
            f"  {'  grant: commit → every tablet (ts, ms precision)':<48} {'':>18} {'':>16} {pair(commit):>24}\n"
            f"  {'  grant answered / page acked (p50)':<48} "
            f"{statistics.median(d.answer_ms for d in figures.grant):>10.1f} / "
            f"{statistics.median(d.answer_ms for d in figures.page):.1f} ms\n"
            f"  {'  server CPU, send → every tablet: grant / page':<48} "
            f"{spread([d.cpu_ms for d in figures.grant]):>18} / {spread([d.cpu_ms for d in figures.page])} ms"
        )
        grant_last = [d.last for d in figures.grant]
        page_last = [d.last for d in figures.page]
        rows.append(
            Row(
                f"1 grant → floor.updated at the last of {n} tablets (p50/p99)",
                ms_pair(grant_last),
                f"presenter.page {ms_pair(page_last)}",
                f"{ratio_text(statistics.median(grant_last) / statistics.median(page_last))} p50",
                "info",
                "info" if not figures.missed else f"MISSED {figures.missed}",
            )
        )
        bare_last = [d.last for d in figures.bare]
        rows.append(
            Row(
                f"1 the same vs a bare broadcast of its bytes to {n}",
                ms_pair(grant_last),
                f"bare websockets {ms_pair(bare_last)}",
                f"{ratio_text(statistics.median(grant_last) / statistics.median(bare_last))} p50",
                "info",
                "info",
            )
        )
    if results:
        figures = results[-1]
        grant_size = statistics.median(d.size for d in figures.grant)
        page_size = statistics.median(d.size for d in figures.page)
        rows.append(
            Row(
                f"1 floor.updated size, {figures.queue} waiting, {figures.spoken} have spoken",
                f"{grant_size:,.0f} B",
                f"presenter.page {page_size:,.0f} B",
                ratio_text(grant_size / page_size),
                "info",
                "info",
            )
        )
    if len(results) > 1:
        # Linear in the tablets? The per-tablet cost of the last delivery between the two sizes.
        small, large = results[0], results[-1]
        for label, get in (
            ("grant", lambda f: f.grant),
            ("presenter.page", lambda f: f.page),
            ("bare broadcast", lambda f: f.bare),
        ):
            a = statistics.median(d.last for d in get(small))
            b = statistics.median(d.last for d in get(large))
            per = (b - a) / (large.tablets - small.tablets) * 1000
            print(
                f"  {label}: last tablet {a:.1f} → {b:.1f} ms from {small.tablets} to {large.tablets} tablets: "
                f"{per:.1f} µs a tablet"
            )
    return rows


def pair(values: list[float]) -> str:
    return f"{percentile(values, 0.5):.1f} / {percentile(values, 0.99):.1f}" if values else "—"


def ms_pair(values: list[float]) -> str:
    return f"{pair(values)} ms"


# ----------------------------------------------------------------------------------------------- 2-3. the record


class Pinger(threading.Thread):
    """A socket that pings the hub every PING_EVERY_SECS: (sent, round trip ms) of each, to find loop stalls."""

    def __init__(self, server: Server, cookie: str) -> None:
        super().__init__(daemon=True)
        from websockets.sync.client import connect

        self.ws = connect(
            server.base_url.replace("http://", "ws://") + "/ws",
            additional_headers={"Cookie": f"ecabinet_session={cookie}"},
            compression=None,
        ).__enter__()
        self.samples: list[tuple[float, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            sent = time.time()
            self.ws.send('{"op":"ping"}')
            while (answer := json.loads(self.ws.recv(timeout=60))).get("op") != "pong":
                if answer.get("op") == "error":
                    raise BenchError(f"the hub refused a ping: {answer}")
            self.samples.append((sent, (time.time() - sent) * 1000))
            self.stopping.wait(PING_EVERY_SECS)

    def longest(self, start: float, end: float) -> float:
        """The longest round trip of a ping in flight during [start, end]."""
        return max((rtt for sent, rtt in self.samples if sent <= end and sent + rtt / 1000 >= start), default=0.0)

    def stop(self) -> None:
        self.stopping.set()
        self.join(5)
        self.ws.close()


@dataclass
class Timed:
    ms: float
    cpu_ms: float
    stall_ms: float


@dataclass
class RecordFigures:
    pages: int = 0
    minutes_bytes: int = 0
    generate: list[Timed] = field(default_factory=list)
    sign: list[Timed] = field(default_factory=list)
    download: list[Timed] = field(default_factory=list)
    download_bytes: int = 0
    signed_ok: int = 0
    record_ids: list[int] = field(default_factory=list)


def timed(server: Server, pinger: Pinger, call: Callable[[], httpx.Response], status: int) -> tuple[Timed, Any]:
    cpu = reader.tree_cpu_secs(server)
    started = time.time()
    answer = call()
    ended = time.time()
    used = reader.tree_cpu_secs(server) - cpu
    if answer.status_code != status:
        raise BenchError(
            f"{answer.request.method} {answer.request.url.path} answered {answer.status_code}: {answer.text[:300]}"
        )
    time.sleep(0.05)  # the pings in flight come back
    body = answer.json() if "json" in answer.headers.get("content-type", "") else answer.content
    return Timed((ended - started) * 1000, used * 1000, pinger.longest(started, ended)), body


def part_record(server: Server, room: Room, args: argparse.Namespace, tmp: Path) -> RecordFigures:
    figures = RecordFigures()
    secretary = signed_in(server, SECRETARY)
    expect(secretary.post(f"/api/meetings/{room.id}/transition", json={"to": "closed"}))
    print(f"\n2-3. minutes of meeting {room.id} (closed: final) and signing them, {args.runs} rounds", flush=True)

    def generate() -> httpx.Response:
        return secretary.post(f"/api/meetings/{room.id}/records", json={"kind": "minutes"})

    # Warm-up (untimed): a first record and its signature (pyHanko is imported on the first).
    started = time.perf_counter()
    first = expect(generate(), 201)
    made = time.perf_counter() - started
    expect(secretary.post(f"/api/records/{first['id']}/sign"))
    figures.pages = int(first["pages"])
    figures.minutes_bytes = len(expect_bytes(secretary.get(f"/api/records/{first['id']}.pdf")))
    print(f"  warm-up: minutes of {figures.pages} pages ({figures.minutes_bytes:,} bytes) made in {made:.2f} s, signed")
    baseline = tmp / f"to-giac-{figures.pages}.pdf"
    packs.write_pack(baseline, figures.pages)
    clerk = Secretary.of(server)
    paper = clerk.upload(baseline)
    clerk.wait_ready([paper])
    figures.download_bytes = len(expect_bytes(secretary.get(f"/api/documents/{paper}/file")))
    print(
        f"  baseline: a generated {figures.pages}-page paper ({baseline.stat().st_size:,} bytes) uploaded; downloaded"
    )
    threads = reader.pin_server(server)
    print(f"  server pinned to core {SERVER_CORE} ({threads} threads); a socket pings the hub every 50 ms", flush=True)
    pinger = Pinger(server, cookie_of(secretary))
    pinger.start()
    try:
        for number in range(1, args.runs + 1):
            down, body = timed(server, pinger, lambda: secretary.get(f"/api/documents/{paper}/file"), 200)
            if not bytes(body).startswith(b"%PDF"):
                raise BenchError("the stamped download is not a PDF")
            figures.download.append(down)
            made_t, record = timed(server, pinger, generate, 201)
            if record["draft"] or int(record["pages"]) != figures.pages:
                raise BenchError(f"the minutes came out {record}")
            figures.generate.append(made_t)
            figures.record_ids.append(int(record["id"]))
            line = (
                f"  round {number}: B download {down.ms:7.1f} ms (CPU {down.cpu_ms:6.1f}, loop held ≤ "
                f"{down.stall_ms:5.1f}); P minutes {made_t.ms:7.1f} ms (CPU {made_t.cpu_ms:6.1f}, loop held ≤ "
                f"{made_t.stall_ms:5.1f})"
            )
            if 3 in args.parts:
                signed_t, signed = timed(
                    server, pinger, lambda r=record: secretary.post(f"/api/records/{r['id']}/sign"), 200
                )
                figures.signed_ok += bool(signed["signed"])
                figures.sign.append(signed_t)
                line += (
                    f"; P sign {signed_t.ms:7.1f} ms (CPU {signed_t.cpu_ms:6.1f}, loop held ≤ {signed_t.stall_ms:5.1f})"
                )
            print(line, flush=True)
    finally:
        pinger.stop()
    return figures


def expect_bytes(answer: httpx.Response) -> bytes:
    if answer.status_code != 200:
        raise BenchError(f"GET {answer.request.url.path} answered {answer.status_code}: {answer.text[:300]}")
    return answer.content


def record_rows(figures: RecordFigures, args: argparse.Namespace) -> list[Row]:
    rows = []
    n = figures.pages
    print(f"\n  record: medians (min–max) over {args.runs} rounds")
    print(f"  {'':<52} {'ms':>24} {'server + workers CPU ms':>26} {'event loop held ≤ ms':>22}")
    table = [
        (f"B stamped download of a {n}-page paper", figures.download),
        (f"P minutes, {n} pages ({figures.minutes_bytes:,} bytes)", figures.generate),
    ]
    if figures.sign:
        table.append(("P sign those minutes", figures.sign))
    for label, samples in table:
        print(
            f"  {label:<52} {spread([t.ms for t in samples]):>24} {spread([t.cpu_ms for t in samples]):>26} "
            f"{spread([t.stall_ms for t in samples]):>22}"
        )
    made = statistics.median(t.ms for t in figures.generate)
    down = statistics.median(t.ms for t in figures.download)
    rows.append(
        Row(
            f"2 minutes, {args.members} members / {args.items} items, {n} pages (p50)",
            f"{made:,.0f} ms",
            f"stamped download, {n} pages: {down:,.0f} ms",
            ratio_text(made / down),
            "info",
            "info",
        )
    )
    stall = statistics.median(t.stall_ms for t in figures.generate)
    rows.append(
        Row(
            "2 the hub's ping → pong while minutes are made (longest)",
            f"{stall:,.0f} ms",
            f"during a download {statistics.median(t.stall_ms for t in figures.download):,.0f} ms",
            "—",
            "info",
            "info",
        )
    )
    if figures.sign:
        signed = statistics.median(t.ms for t in figures.sign)
        rows.append(
            Row(
                f"3 sign the minutes ({n} pages; p50)",
                f"{signed:,.0f} ms",
                f"making them {made:,.0f} ms",
                ratio_text(signed / made),
                "info",
                "PASS" if figures.signed_ok == len(figures.sign) else "FAIL",
            )
        )
    return rows


def spread(values: list[float], digits: int = 1) -> str:
    return packs.spread(values, digits)


# ----------------------------------------------------------------------------------------------- 4. upload


@dataclass
class UploadRun:
    seconds: float
    cpu: float
    status: str


async def upload_rounds(
    server: Server, item_id: int, unsigned: list[Path], signed: list[Path], runs: int
) -> dict[str, list[UploadRun]]:
    figures: dict[str, list[UploadRun]] = {"unsigned": [], "signed": []}
    async with httpx.AsyncClient(base_url=server.base_url, trust_env=False, timeout=packs.REQUEST_TIMEOUT_SECS) as http:
        csrf = expect(await http.post("/api/session", json={"login": SECRETARY, "password": PASSWORD}))["csrf_token"]

        async def one(path: Path) -> UploadRun:
            cpu = reader.tree_cpu_secs(server)
            done = await packs.upload(http, csrf, item_id, path)
            used = reader.tree_cpu_secs(server) - cpu
            found = [d for d in expect(await http.get(f"/api/items/{item_id}/documents")) if d["filename"] == path.name]
            return UploadRun(done.sent + done.ready, used, found[0]["signature_status"] if found else "?")

        for kind, paths in (("unsigned", unsigned), ("signed", signed)):
            warm = await one(paths[0])
            print(f"  warm-up, {kind}: ready after {warm.seconds:.2f} s, signature_status {warm.status!r}")
        for number in range(1, runs + 1):
            for kind, paths in (("unsigned", unsigned), ("signed", signed)):
                run = await one(paths[number])
                figures[kind].append(run)
            b, p = figures["unsigned"][-1], figures["signed"][-1]
            print(
                f"  round {number}: B unsigned {b.seconds:5.2f} s (CPU {b.cpu:4.2f} s, {b.status}); "
                f"P signed {p.seconds:5.2f} s (CPU {p.cpu:4.2f} s, {p.status})",
                flush=True,
            )
    return figures


def part_upload(server: Server, args: argparse.Namespace, papers: list[Path], tmp: Path, identity: Any) -> list[Row]:
    print(f"\n4. signature check on upload: {args.pages}-page papers, signed and not, {args.runs} rounds")
    signer = signing.load_signer(identity[0], identity[1])
    unsigned, signed = papers[0::2], []
    for path in papers[1::2]:
        target = tmp / f"ky-so-{path.name}"
        target.write_bytes(signing.sign_pdf(path.read_bytes(), signer, reason="Ký số tài liệu họp", location="Hà Nội"))
        signed.append(target)
    clerk = Secretary.of(server)
    threads = reader.pin_server(server)
    print(f"  server and its PDF workers pinned to core {SERVER_CORE} ({threads} threads)", flush=True)
    figures = asyncio.run(upload_rounds(server, clerk.items[0], unsigned, signed, args.runs))
    b, p = figures["unsigned"], figures["signed"]
    print(f"\n  upload → ready, medians (min–max) over {args.runs} rounds")
    print(f"  {'':<32} {'seconds':>22} {'server + workers CPU s':>26}")
    for label, runs in (("B unsigned", b), ("P signed (checked)", p)):
        print(f"  {label:<32} {spread([r.seconds for r in runs], 2):>22} {spread([r.cpu for r in runs], 2):>26}")
    good = all(r.status == "valid" for r in p) and all(r.status == "none" for r in b)
    secs_b, secs_p = statistics.median(r.seconds for r in b), statistics.median(r.seconds for r in p)
    cpu_b, cpu_p = statistics.median(r.cpu for r in b), statistics.median(r.cpu for r in p)
    statuses = f"{sum(r.status == 'valid' for r in p)}/{len(p)} valid"
    return [
        Row(
            f"4 upload → ready, {args.pages} pages, signed ({statuses}; p50)",
            f"{secs_p:.2f} s",
            f"unsigned {secs_b:.2f} s",
            ratio_text(secs_p / secs_b),
            "info",
            "PASS" if good else "FAIL",
        ),
        Row(
            "4 the same, server + PDF workers CPU (p50)",
            f"{cpu_p:.2f} s",
            f"unsigned {cpu_b:.2f} s",
            ratio_text(cpu_p / cpu_b),
            "info",
            "info",
        ),
    ]


# ----------------------------------------------------------------------------------------------- profiling


def part_profile(url: str, data_dir: Path, room: Room, identity: Any, tmp: Path) -> None:
    """Where generating and signing spend their time, measured in this process on the same database."""
    settings = Settings.from_env({"DATABASE_URL": url, "ECABINET_DATA_DIR": str(data_dir)}, dotenv=None)
    db = Database(url)
    signer = signing.load_signer(identity[0], identity[1])
    out = tmp / "profile-minutes.pdf"
    steps: dict[str, list[float]] = {"gather": [], "layout": [], "compose": [], "load signer": [], "sign": []}
    profiles: dict[str, cProfile.Profile] = {}

    def once(profile: bool) -> None:
        def step(name: str, call: Callable[[], Any]) -> Any:
            if profile:
                profiles.setdefault(name, cProfile.Profile()).enable()
            started = time.perf_counter()
            value = call()
            steps[name].append((time.perf_counter() - started) * 1000)
            if profile:
                profiles[name].disable()
            return value

        with db.read() as session:
            meeting = session.get(Meeting, room.id)
            gathered = step("gather", lambda: records.gather(session, meeting, settings))
        spec = step("layout", lambda: to_spec(minutes_document(gathered, "", False, settings.zone)))
        step("compose", lambda: official_pdf.compose(spec, str(out)))
        step("load signer", lambda: signing.load_signer(identity[0], identity[1]))
        data = out.read_bytes()
        step("sign", lambda: signing.sign_pdf(data, signer, reason="Ký số biên bản cuộc họp", location="Hà Nội"))

    try:
        once(False)
        for key in steps:
            steps[key].clear()
        for _ in range(3):
            once(False)
        once(True)
    finally:
        db.engine.dispose()
    print("\n  profile (this process, core 1, same database): ms per step, median of 4 (min–max)")
    for name, values in steps.items():
        print(f"    {name:<12} {spread(values):>22}")
    for name in ("gather", "compose", "sign"):
        print_profile(name, profiles[name])


def print_profile(name: str, profile: cProfile.Profile) -> None:
    text = io.StringIO()
    # Cumulative, only the product's code and the libraries' entry points it spends its time in.
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(PROFILED, 12)
    lines = [line for line in text.getvalue().splitlines() if line.strip() and "List reduced" not in line][2:]
    print(f"\n  cProfile of {name} (cumulative):")
    for line in lines:
        print(f"    {line.replace(str(Path(sys.prefix)), '.venv')[:150]}")


def profile_floor(url: str, room: Room, floor: Floor) -> None:
    """What the floor's event costs to build (`floor_out` and its JSON), and a whole grant by the chair (the service
    function the route calls: the queue's next member), in this process on the same database."""
    db = Database(url)
    took: list[float] = []
    profile = cProfile.Profile()
    granting = cProfile.Profile()
    try:
        with db.read() as session:
            actor = Actor(session.exec(select(User).where(User.login == CHAIR)).one())
        speaker, user = floor.queue.popleft()
        granting.enable()
        started = time.perf_counter()
        floor_service.grant(db, actor, speaker, None, 300)
        granted = (time.perf_counter() - started) * 1000
        granting.disable()
        floor.granted(user)
        for number in range(6):
            with db.read() as session:
                if number == 5:
                    profile.enable()
                started = time.perf_counter()
                json.dumps(floor_service.shared(floor_service.floor_out(session, room.id)))
                took.append((time.perf_counter() - started) * 1000)
                if number == 5:
                    profile.disable()
    finally:
        db.engine.dispose()
    print(
        f"\n  profile: the floor as its event carries it (floor_out, shared, JSON), this process: {spread(took[1:])} ms"
    )
    print_profile("floor_out", profile)
    print(f"\n  profile: one grant (floor.grant, committed), this process: {granted:.1f} ms")
    print_profile("floor.grant", granting)


# ----------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tablets", default="200,1000", help="tablets on the meeting's channel (default 200,1000)")
    parser.add_argument("--grants", type=int, default=20, help="timed grants per size (default 20)")
    parser.add_argument("--runs", type=int, default=5, help="rounds of parts 2-4 (default 5)")
    parser.add_argument("--pages", type=int, default=100, help="pages of the uploaded papers of part 4 (default 100)")
    parser.add_argument("--members", type=int, default=60, help="members of the large meeting (default 60)")
    parser.add_argument("--items", type=int, default=40, help="agenda items, polls and conclusions (default 40)")
    parser.add_argument("--parts", default="1,2,3,4", help="which parts to run (default 1,2,3,4)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to make our database on")
    parser.add_argument("--profile", action="store_true", help="also profile generating and signing in-process")
    args = parser.parse_args()
    try:
        args.parts = {int(p) for p in args.parts.split(",")}
        args.tablets = [int(n) for n in args.tablets.split(",") if n.strip()]
    except ValueError:
        parser.error("--parts and --tablets: comma-separated numbers")
    if not args.parts <= {1, 2, 3, 4} or args.runs < 1 or args.grants < 1 or not args.tablets:
        parser.error("--parts from 1-4; --runs, --grants ≥ 1")
    if args.members < QUEUED + 2 + 2 or args.items < 1:
        parser.error(f"--members ≥ {QUEUED + 4} (the queue of part 1), --items ≥ 1")
    if not {SERVER_CORE, LOAD_CORE} <= os.sched_getaffinity(0) or shutil.which("taskset") is None:
        print("benchmark failed: needs cores 0 and 1 and taskset to pin server and load apart", file=sys.stderr)
        return 1
    print(
        f"eCabinet floor and record benchmark: parts {','.join(map(str, sorted(args.parts)))}; {args.members} "
        f"members, {args.items} items; tablets {args.tablets}, {args.grants} grants; {args.runs} rounds; "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"code: {votes.code_version()}")
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ecabinet-record-") as name:
        tmp = Path(name)
        try:
            rows = run(args, tmp)
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
    # Before pinning: the papers of part 4 on both cores, and the certificate.
    (tmp / "papers").mkdir()
    papers = reader.make_packs(tmp / "papers", args.pages, 2 * args.runs + 2) if 4 in args.parts else []
    identity = signing.ensure_demo_certificate(tmp / "signing")
    os.sched_setaffinity(0, {LOAD_CORE})
    rows: list[Row] = []
    with backend(args.database_url, tmp, "record") as db:
        began = time.perf_counter()
        prepare(db.url, args.members)
        print(f"\n{db.name}: schema, sample and {args.members} members written in {time.perf_counter() - began:.1f} s")
        args.url = db.url
        env = {
            "DATABASE_URL": db.url,
            "ECABINET_SIGNING_P12": str(identity[0]),
            "ECABINET_SIGNING_P12_PASSWORD": identity[1],
            "ECABINET_TRUST_CA_BUNDLE": str(identity[2]),
        }
        data_dir = tmp / "data"
        with reader.running_server(data_dir, env, {SERVER_CORE, LOAD_CORE}) as server:
            secretary = signed_in(server, SECRETARY)
            room = build_meeting(server, secretary, args.members, args.items)
            print(f"  {room.took}", flush=True)
            if 1 in args.parts:
                rows += floor_rows(part_floor(server, room, args, tmp), args.grants)
            if args.parts & {2, 3}:
                rows += record_rows(part_record(server, room, args, tmp), args)
            if args.profile:
                part_profile(db.url, data_dir, room, identity, tmp)
            if 4 in args.parts:
                rows += part_upload(server, args, papers, tmp, identity)
            crashes = votes.crashes(server.log_path.read_text(errors="replace").splitlines())
            for crash, count in crashes.most_common(5):
                print(f"  server log: {count} × {crash}")
            if crashes:
                rows.append(
                    Row(f"{db.name}: exceptions in the server log", str(sum(crashes.values())), "—", "—", "0", "ERRORS")
                )
        # The summary's rows say which database they are of.
        return [Row(f"{db.name}: {r.figure}", r.product, r.baseline, r.ratio, r.target, r.verdict) for r in rows]


if __name__ == "__main__":
    sys.exit(main())
