"""Benchmark of the hub's fan-out: one event to every tablet of a meeting, against bare websockets baselines.

Method (DESIGN §9): each server runs pinned to core 0, the load (four client processes, the trigger) on
core 1; product and baseline measurements are interleaved, `--runs` rounds of each, and the report gives
the median and the spread (min–max). Figures:

1. **Per-client broadcast CPU.** Server CPU time (/proc/<pid>/stat, idle rate subtracted) per event,
   with 0, N/2 and N subscribers; the least-squares slope over the three is the cost per client, free of
   the per-event constant (for the product: the HTTP PATCH, the SQLite commit, the agenda it carries).
   Product: `ecabinet serve --demo`, events made by `PATCH /api/items/{id}` on three meetings with 0, N/2
   and N subscribers. Baselines, on the same client processes: a bare `websockets` server that calls
   `websockets.broadcast()` with a message of the same size, and the same server writing one prepared
   frame to each connection's transport in a loop ("raw").
2. **Delivery latency to N clients**: time from just before the trigger (the PATCH, or the command to the
   bare server) to receipt, over all clients and events; p50 and p99. The PATCH round trip is printed too.
3. **Stalled clients**: 1% of the clients stop reading; the others' p99 against the same run without them,
   and the product's memory (VmRSS) while the stalled sockets fill their buffers until they are cut off.
4. **Two workers behind Redis** (PostgreSQL and the machine's Redis, a prefix of our own): Redis commands
   per event (INFO commandstats) and the time to replay 100 missed events on subscribe.
5. **Memory per idle websocket** of the product (VmRSS delta over N idle subscribed sockets).

    .venv/bin/python bench/fanout.py [--clients 1000] [--runs 5] [--events 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

SERVER_CORE = 0
LOAD_CORE = 1
CLIENT_PROCESSES = 4
PASSWORD = "demo"
SEQ = re.compile(r'"seq":(\d+)')
REDIS_URL = os.environ.get("ECABINET_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pin(core: int) -> Callable[[], None]:
    return lambda: os.sched_setaffinity(0, {core})


def cpu_secs(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def spread(values: list[float], digits: int = 1) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def slope(points: list[tuple[int, float]]) -> float:
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)


# -- the servers ------------------------------------------------------------------------------------------


class Process:
    """A server subprocess pinned to the server core."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log.open("w")
        self.popen = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=pin(SERVER_CORE)
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
        self.log.close()


def wait_healthy(url: str, process: Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise SystemExit(f"server exited; see {process.log.name}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start")


def start_product(workdir: Path, port: int, env_extra: dict[str, str], demo: bool = True) -> Process:
    workdir.mkdir(parents=True, exist_ok=True)
    # The load's sockets never ping (a browser does every 20 s): keep them from the idle timeout.
    env = {
        **os.environ,
        "ECABINET_DATA_DIR": str(workdir),
        "ECABINET_LOG_LEVEL": "warning",
        "ECABINET_WS_IDLE_TIMEOUT_SECS": "3600",
        **env_extra,
    }
    command = [sys.executable, "-m", "ecabinet.cli", "serve", "--port", str(port), *(["--demo"] if demo else [])]
    server = Process(command, env, workdir / f"server-{port}.log")
    wait_healthy(f"http://127.0.0.1:{port}", server)
    return server


def bare_server_main(port: int) -> None:
    """A bare websockets server: connections on /, commands on /control ("bcast K SEQ SIZE", "raw K SEQ SIZE")."""
    import websockets
    from websockets.asyncio.server import ServerConnection, serve

    from realtime.connection import text_frame

    clients: list[ServerConnection] = []

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == "/control":
            async for command in ws:
                kind, count, seq, size = str(command).split()
                head = f'{{"op":"event","seq":{seq},"pad":"'
                payload = head + "x" * max(0, int(size) - len(head) - 2) + '"}'
                targets = clients[: int(count)]
                if kind == "bcast":
                    websockets.broadcast(targets, payload)
                else:
                    frame = text_frame(payload.encode())
                    for client in targets:
                        client.transport.write(frame)
                await ws.send("ok")
            return
        clients.append(ws)
        try:
            await ws.wait_closed()
        finally:
            clients.remove(ws)

    async def run() -> None:
        async with serve(handler, "127.0.0.1", port, compression=None, max_size=2**20):
            await asyncio.Future()

    asyncio.run(run())


# -- the load ---------------------------------------------------------------------------------------------


def client_main(
    url: str, cookie: str, plans: list[list[str]], stalled: int, commands: Any, results: Any, core: int
) -> None:
    """One load process: a socket per plan (the channels it follows); reports (seq, receive time) on demand."""
    import websockets

    os.sched_setaffinity(0, {core})

    async def run() -> None:
        received: list[tuple[int, float, float]] = []
        sockets: list[Any] = []
        headers = {"Cookie": f"ecabinet_session={cookie}"} if cookie else {}

        async def follow(plan: list[str], reading: bool) -> None:
            ws = await websockets.connect(
                url,
                additional_headers=headers,
                compression=None,
                max_size=2**22,
                max_queue=None if reading else 1,
                ping_interval=None,
                open_timeout=60,
            )
            sockets.append(ws)
            for channel in plan:
                await ws.send(json.dumps({"op": "subscribe", "channel": channel}))
            if not reading:
                return
            async for message in ws:
                if message.startswith('{"op":"event"'):
                    found = SEQ.search(message, 0, 200)
                    if found:
                        now = time.time()
                        # The event's ts (its commit, ms precision) ends the product's messages.
                        ts = message[-26:-2]
                        committed = datetime.fromisoformat(ts).timestamp() if ts.endswith("Z") else now
                        received.append((int(found.group(1)), now, committed))

        tasks = [asyncio.create_task(follow(plan, i >= stalled)) for i, plan in enumerate(plans)]
        await asyncio.sleep(0.5)
        while len(sockets) < len(plans):
            await asyncio.sleep(0.1)
        results.put(("ready", len(sockets)))
        await serve_commands(commands, results, received, tasks, sockets)

    asyncio.run(run())


async def serve_commands(
    commands: Any, results: Any, received: list[Any], tasks: list[asyncio.Task[Any]], sockets: list[Any]
) -> None:
    """A load process's answer to its parent: what its sockets received since the last "report", until "stop";
    then its sockets are dropped."""
    while True:
        command = await asyncio.to_thread(commands.get)
        if command == "report":
            results.put(("received", list(received)))
            received.clear()
        elif command == "stop":
            break
    for task in tasks:
        task.cancel()
    for ws in sockets:
        ws.transport.abort()


@dataclass
class Load:
    """The client processes on the load core."""

    processes: list[Any] = field(default_factory=list)
    commands: list[Any] = field(default_factory=list)
    results: Any = None

    @classmethod
    def start(cls, url: str, cookie: str, plans: list[list[str]], stalled: int = 0) -> Load:
        load = cls(results=mp.Queue())
        share = [plans[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
        for i, part in enumerate(share):
            queue: Any = mp.Queue()
            stall = stalled // CLIENT_PROCESSES + (1 if i < stalled % CLIENT_PROCESSES else 0)
            process = mp.Process(target=client_main, args=(url, cookie, part, stall, queue, load.results, LOAD_CORE))
            process.start()
            load.processes.append(process)
            load.commands.append(queue)
        for _ in share:
            kind, _count = load.results.get(timeout=180)
            assert kind == "ready"
        time.sleep(1.0)
        return load

    def receipts(self) -> list[tuple[int, float, float]]:
        for queue in self.commands:
            queue.put("report")
        got: list[tuple[int, float, float]] = []
        for _ in self.commands:
            _kind, items = self.results.get(timeout=60)
            got.extend(items)
        return got

    def stop(self) -> None:
        for queue in self.commands:
            queue.put("stop")
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


# -- the product ------------------------------------------------------------------------------------------


class Product:
    """The signed-in secretary of a product server, with three meetings to send events on."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        answer = self.http.post("/api/session", json={"login": "thuky", "password": PASSWORD})
        answer.raise_for_status()
        self.http.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        self.cookie = self.http.cookies["ecabinet_session"]
        sample = int(self.http.get("/api/meetings").json()[0]["id"])
        self.meetings = [sample, self._copy(sample), self._copy(sample)]
        self.items = {m: self.http.get(f"/api/meetings/{m}/state").json()["items"][0]["id"] for m in self.meetings}
        self.patch_ms: list[float] = []

    def _copy(self, sample: int) -> int:
        # A meeting with the sample's agenda, so its events weigh the same.
        meeting = self.http.post("/api/meetings", json={"kind": "thematic", "title": "Đối chứng"}).json()["id"]
        state = self.http.get(f"/api/meetings/{sample}/state").json()
        for item in state["items"]:
            if item["parent_id"] is None:
                self.http.post(f"/api/meetings/{meeting}/items", json={"title": item["title"]}).raise_for_status()
        return int(meeting)

    def head(self, meeting: int) -> int:
        return int(self.http.get(f"/api/meetings/{meeting}/state").json()["seq"])

    def event(self, meeting: int, tag: str) -> float:
        sent = time.time()
        self.http.patch(f"/api/items/{self.items[meeting]}", json={"title": f"Nội dung {tag}"}).raise_for_status()
        self.patch_ms.append((time.time() - sent) * 1000)
        return sent


class Bare:
    """The control connection of the bare websockets server."""

    def __init__(self, port: int) -> None:
        from websockets.sync.client import connect

        self.control = connect(f"ws://127.0.0.1:{port}/control", compression=None).__enter__()
        self.seq = 0

    def event(self, kind: str, count: int, size: int) -> float:
        self.seq += 1
        sent = time.time()
        self.control.send(f"{kind} {count} {self.seq} {size}")
        self.control.recv()
        return sent


def measure_cpu(pid: int, trigger: Callable[[int], None], events: int, settle: float = 0.5) -> float:
    """Server CPU milliseconds per event, the idle rate measured just before subtracted."""
    idle_start = cpu_secs(pid)
    time.sleep(1.0)
    idle_rate = cpu_secs(pid) - idle_start
    start, began = cpu_secs(pid), time.monotonic()
    for k in range(events):
        trigger(k)
        time.sleep(0.005)
    time.sleep(settle)
    used = cpu_secs(pid) - start - idle_rate * (time.monotonic() - began)
    return used / events * 1000


def latencies(receipts: list[tuple[int, float, float]], sent: dict[int, float]) -> list[float]:
    return [(at - sent[seq]) * 1000 for seq, at, _ in receipts if seq in sent]


def from_commit(receipts: list[tuple[int, float, float]], sent: dict[int, float]) -> list[float]:
    return [(at - committed) * 1000 for seq, at, committed in receipts if seq in sent]


# -- the parts --------------------------------------------------------------------------------------------


def part_fanout(args: argparse.Namespace, workdir: Path) -> None:
    n = args.clients
    half = n // 2
    port, bare_port = free_port(), free_port()
    product_server = start_product(workdir / "product", port, {})
    bare = Process([sys.executable, __file__, "--bare-server", str(bare_port)], dict(os.environ), workdir / "bare.log")
    time.sleep(1.5)
    product = Product(f"http://127.0.0.1:{port}")
    silent, some, every = product.meetings[2], product.meetings[1], product.meetings[0]
    # Every client follows `every`; the first half also follows `some`; nobody follows `silent`.
    plans = [[f"meeting:{every}"] + ([f"meeting:{some}"] if i < half else []) for i in range(n)]
    rss_before = rss_kib(product_server.pid)
    ws_url = f"ws://127.0.0.1:{port}/ws"
    load = Load.start(ws_url, product.cookie, plans)
    rss_idle = rss_kib(product_server.pid)
    bare_load = Load.start(f"ws://127.0.0.1:{bare_port}/", "", [[] for _ in range(n)])
    bare_control = Bare(bare_port)

    # One product event, to learn its size for the baseline's messages.
    product.event(every, "probe")
    time.sleep(0.5)
    load.receipts()
    size = len(json.dumps({"item": {}, "items": product.http.get(f"/api/meetings/{every}/state").json()["items"]}))

    per_client: dict[str, list[float]] = {"product": [], "broadcast": [], "raw": []}
    base: dict[str, list[float]] = {"product": [], "broadcast": [], "raw": []}
    lat: dict[str, list[float]] = {"product": [], "broadcast": []}
    for _round in range(args.runs):
        points = []
        for meeting, count in ((silent, 0), (some, half), (every, n)):
            points.append((count, measure_cpu(product_server.pid, lambda k, m=meeting: product.event(m, str(k)), 100)))
        per_client["product"].append(slope(points) * 1000)
        base["product"].append(points[0][1])
        for kind in ("broadcast", "raw"):
            command = "bcast" if kind == "broadcast" else "raw"
            points = []
            for count in (0, half, n):
                trigger = lambda _k, c=count, cmd=command: bare_control.event(cmd, c, size)  # noqa: E731
                points.append((count, measure_cpu(bare.pid, trigger, 100)))
            per_client[kind].append(slope(points) * 1000)
            base[kind].append(points[0][1])
        load.receipts()
        bare_load.receipts()

        # Latency: events paced 50 ms apart to every client.
        start = product.head(every)
        sent = {}
        for k in range(args.events):
            time.sleep(0.05)
            sent[start + 1 + k] = product.event(every, f"lat{k}")
        time.sleep(1.0)
        got = load.receipts()
        product_ms = latencies(got, sent)
        lat.setdefault("commit_p50", []).append(percentile(from_commit(got, sent), 0.5))
        lat.setdefault("commit_p99", []).append(percentile(from_commit(got, sent), 0.99))
        sent_bare = {}
        for _k in range(args.events):
            time.sleep(0.05)
            at = bare_control.event("bcast", n, size)
            sent_bare[bare_control.seq] = at
        time.sleep(1.0)
        bare_ms = latencies(bare_load.receipts(), sent_bare)
        lat["product"].append(percentile(product_ms, 0.99))
        lat.setdefault("product_p50", []).append(percentile(product_ms, 0.5))
        lat["broadcast"].append(percentile(bare_ms, 0.99))
        lat.setdefault("broadcast_p50", []).append(percentile(bare_ms, 0.5))
        lat.setdefault("received", []).append(len(product_ms) / (args.events * n))

    print(f"\n== 1. Per-client broadcast CPU, {n} clients in {CLIENT_PROCESSES} processes, event ~{size} bytes")
    print(f"   (slope over 0 / {half} / {n} subscribers; median (min–max) of {args.runs} interleaved rounds)")
    for kind, label in (("product", "hub (ecabinet)"), ("broadcast", "websockets.broadcast()"), ("raw", "raw loop")):
        print(
            f"   {label:24} {spread(per_client[kind], 2)} µs per client per event; "
            f"per event with no subscriber {spread(base[kind], 2)} ms"
        )
    hub = statistics.median(per_client["product"])
    print(
        f"   ratio hub / broadcast = {hub / statistics.median(per_client['broadcast']):.2f} (target ≤ 1.5); "
        f"hub / raw loop = {hub / statistics.median(per_client['raw']):.2f} (target ≤ 4)"
    )

    print(f"\n== 2. Delivery latency to {n} clients ({args.events} events per round, 50 ms apart)")
    print(
        f"   hub (PATCH → socket):  p50 {spread(lat['product_p50'])} ms, p99 {spread(lat['product'])} ms; "
        f"received {min(lat['received']) * 100:.1f}% of events at least"
    )
    print(
        f"   hub (commit → socket): p50 {spread(lat['commit_p50'])} ms, p99 {spread(lat['commit_p99'])} ms "
        "(from the event's ts, ms precision)"
    )
    print(f"   bare websockets:       p50 {spread(lat['broadcast_p50'])} ms, p99 {spread(lat['broadcast'])} ms")
    print(
        f"   PATCH round trip alone (HTTP + SQLite commit + agenda): p50 "
        f"{statistics.median(product.patch_ms):.1f} ms, p99 {percentile(product.patch_ms, 0.99):.1f} ms"
    )
    bare99 = statistics.median(lat["broadcast"])
    print(
        f"   ratio p99 hub / bare: from commit {statistics.median(lat['commit_p99']) / bare99:.2f} (target ≤ 1.3); "
        f"from before the PATCH {statistics.median(lat['product']) / bare99:.2f}"
    )

    print(
        f"\n== 5. Memory per idle websocket: {(rss_idle - rss_before) / n:.1f} KiB "
        f"(VmRSS {rss_before / 1024:.0f} → {rss_idle / 1024:.0f} MiB with {n} subscribed sockets; budget ≤ 20 KiB)"
    )

    # 3. Stalled clients: 1% stop reading; interleave runs with and without them.
    stalled_n = max(1, n // 100)
    with_stall: list[float] = []
    without: list[float] = []
    rss_peak = rss_kib(product_server.pid)
    for _round in range(args.runs):
        for stalled_on in (False, True):
            extra = None
            if stalled_on:
                extra = Load.start(ws_url, product.cookie, [[f"meeting:{every}"]] * stalled_n, stalled=stalled_n)
            start = product.head(every)
            sent = {}
            for k in range(args.events):
                time.sleep(0.05)
                sent[start + 1 + k] = product.event(every, f"st{k}")
                rss_peak = max(rss_peak, rss_kib(product_server.pid))
            time.sleep(1.0)
            p99 = percentile(latencies(load.receipts(), sent), 0.99)
            (with_stall if stalled_on else without).append(p99)
            if extra is not None:
                extra.stop()
    # Then enough events to fill the stalled sockets' buffers past the limit: they are cut off, memory returns.
    extra = Load.start(ws_url, product.cookie, [[f"meeting:{every}"]] * stalled_n, stalled=stalled_n)
    rss_start = rss_kib(product_server.pid)
    for k in range(args.fill_events):
        product.event(every, f"fill{k}")
        if k % 20 == 0:
            rss_peak = max(rss_peak, rss_kib(product_server.pid))
    time.sleep(3.0)
    rss_end = rss_kib(product_server.pid)
    extra.stop()
    load.receipts()
    print(f"\n== 3. {stalled_n} stalled clients (1%) among {n}")
    print(
        f"   others' p99 without stalled: {spread(without)} ms; with: {spread(with_stall)} ms; "
        f"ratio {statistics.median(with_stall) / statistics.median(without):.2f} (target ≤ 1.2)"
    )
    print(
        f"   after {args.fill_events} more events (~{args.fill_events * size / 1e6:.1f} MB per stalled socket, over "
        f"the 2 MiB send buffer): VmRSS {rss_start / 1024:.0f} → {rss_end / 1024:.0f} MiB, "
        f"peak {rss_peak / 1024:.0f} MiB"
    )

    load.stop()
    bare_load.stop()
    bare.stop()
    product_server.stop()


def part_redis(args: argparse.Namespace, workdir: Path) -> None:
    import redis

    database = f"bench_fanout_{uuid.uuid4().hex[:8]}"
    if shutil.which("psql") is None:
        print("\n== 4. skipped: psql not found (PostgreSQL needed for two workers)")
        return
    subprocess.run([*PG_ADMIN, f'CREATE DATABASE "{database}"'], check=True)
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    env = {
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "ECABINET_BROKER_URL": REDIS_URL,
        "ECABINET_BROKER_PREFIX": prefix,
        "ECABINET_SECRET_KEY": "bench-shared-key",
    }
    workers: list[Process] = []
    try:
        ports = [free_port(), free_port()]
        workers.append(start_product(workdir / "w1", ports[0], env))
        workers.append(start_product(workdir / "w2", ports[1], env, demo=False))
        product = Product(f"http://127.0.0.1:{ports[0]}")
        meeting = product.meetings[0]
        loads = [
            Load.start(f"ws://127.0.0.1:{port}/ws", product.cookie, [[f"meeting:{meeting}"]] * (args.clients // 10))
            for port in ports
        ]
        r = redis.Redis.from_url(REDIS_URL)

        def calls() -> int:
            stats = r.info("commandstats")
            return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")

        before = calls()
        events = 100
        for k in range(events):
            product.event(meeting, f"r{k}")
        time.sleep(1.0)
        after = calls()
        delivered = sum(len(load.receipts()) for load in loads)
        # Other users of the machine's Redis may add commands; a quiet Redis shows ours alone.
        per_event = (after - before) / events
        print(f"\n== 4. Two workers behind Redis ({args.clients // 10} clients on each)")
        print(
            f"   Redis commands per event: {per_event:.2f} (target ≤ 1 + 2 workers = 3); "
            f"deliveries {delivered} of {events * 2 * (args.clients // 10)}"
        )

        import websockets.sync.client as wsc

        replay_ms = []
        for _run in range(max(args.runs, 7)):
            for k in range(100):
                product.event(meeting, f"m{k}")
            head = product.head(meeting)
            socket_ = wsc.connect(
                f"ws://127.0.0.1:{ports[1]}/ws",
                additional_headers={"Cookie": f"ecabinet_session={product.cookie}"},
                compression=None,
            ).__enter__()
            started = time.perf_counter()
            socket_.send(json.dumps({"op": "subscribe", "channel": f"meeting:{meeting}", "since": head - 100}))
            got = 0
            while got < 100:
                if socket_.recv(timeout=10).startswith('{"op":"event"'):
                    got += 1
            replay_ms.append((time.perf_counter() - started) * 1000)
            socket_.close()
        print(f"   replay of 100 missed events on subscribe: {spread(replay_ms)} ms (target ≤ 20 ms)")
        for load in loads:
            load.stop()
    finally:
        for worker in workers:
            worker.stop()
        subprocess.run([*PG_ADMIN, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], check=False)


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--bare-server":
        bare_server_main(int(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=60, help="events per latency round")
    parser.add_argument("--fill-events", type=int, default=800, help="events that overflow the stalled sockets")
    parser.add_argument("--skip-redis", action="store_true")
    args = parser.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        print("needs two cores to pin server and load apart")
        return 1
    os.sched_setaffinity(0, {LOAD_CORE})
    print(
        f"fan-out benchmark: server on core {SERVER_CORE}, load on core {LOAD_CORE}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    with tempfile.TemporaryDirectory(prefix="ecabinet-fanout-") as tmp:
        workdir = Path(tmp)
        part_fanout(args, workdir)
        if not args.skip_redis:
            part_redis(args, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
