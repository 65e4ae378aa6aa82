"""Benchmark of the meeting-state read: `GET /api/meetings/{id}/state`, against `GET /healthz` in the same run.

Every tablet makes the state read when it opens a meeting or reconnects, so a reconnect storm is a burst
of them. This script starts the real server (`ecabinet serve --demo`) as a subprocess on a free port with
a fresh temporary data dir (SQLite, memory broker), signs in as the demo member `thanhvien1`, and loads
two endpoints with a fixed number of requests at a fixed concurrency over keep-alive connections:

- baseline: `GET /healthz`, one trivial database round trip (`SELECT 1`) through the same server,
  middleware and thread pool: the framework and database floor every request pays;
- product: `GET /api/meetings/{id}/state` on the sample meeting, signed in (session lookup, permission
  check, meeting + agenda + participants + quorum, serialization).

As DESIGN §9 asks, the server is pinned to core 0 and the load generator to core 1 where the machine
allows, baseline and product runs are interleaved (B, P, B, P, …) after a warm-up, and the report gives
per endpoint the median and spread (min–max) of throughput, latency p50/p95 and the server's CPU time per
request (from /proc/<pid>/stat), the ratio product/baseline of median throughput, and the server's resident
memory (VmRSS) after the runs. Every response must be 200 or the benchmark fails.

The load generator has one core, and it must not be the bottleneck or the baseline measures the client.
httpx.AsyncClient spends ~2.7 ms of CPU per request on this machine's cores, which caps it near 350 req/s, a
quarter of what the server answers on /healthz; so the default client (`--client raw`) writes a prepared
HTTP/1.1 GET on each keep-alive connection and reads the answer by its Content-Length (~0.1 ms per request).
`--client httpx` keeps httpx for comparison. The client's CPU share is printed, with a note when it
saturates (then the baseline's req/s is the client's limit and the throughput ratio understates the gap).
Sign-in and the set-up requests use httpx either way.

    .venv/bin/python bench/state.py [--runs 5] [--requests 1500] [--concurrency 16] [--client raw|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx
import sqlalchemy as sa

from ecabinet.sample import AGENDAS_DIR

SERVER_CORE = 0
LOAD_CORE = 1
STARTUP_TIMEOUT_SECS = 60.0
STOP_TIMEOUT_SECS = 10.0
REQUEST_TIMEOUT_SECS = 30.0
WARMUP_REQUESTS = 300
CLIENT_SATURATED_SHARE = 0.9
MEMBER_LOGIN = "thanhvien1"
MEMBER_PASSWORD = "demo"


class BenchError(RuntimeError):
    """The benchmark cannot go on: the server did not start, or answered something other than 200."""


@dataclass(frozen=True)
class Run:
    """One timed run against one endpoint."""

    label: str
    requests: int
    wall_secs: float
    latencies_ms: list[float]
    server_cpu_secs: float
    client_cpu_secs: float

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_secs

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[94]

    @property
    def server_cpu_ms_per_request(self) -> float:
        return self.server_cpu_secs * 1000 / self.requests

    @property
    def server_cpu_share(self) -> float:
        return self.server_cpu_secs / self.wall_secs

    @property
    def client_cpu_share(self) -> float:
        return self.client_cpu_secs / self.wall_secs


@dataclass
class Server:
    """The eCabinet server under test, running as a subprocess."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    pinned: bool

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise BenchError("VmRSS missing from /proc/<pid>/status")

    def cpu_secs(self) -> float:
        # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the parenthesised command name.
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def can_pin() -> bool:
    if not hasattr(os, "sched_setaffinity") or shutil.which("taskset") is None:
        return False
    return {SERVER_CORE, LOAD_CORE} <= os.sched_getaffinity(0)


def start_server(data_dir: Path, log: TextIO, pin: bool) -> Server:
    port = free_port()
    # A fresh embedded setup whatever the caller's environment says: SQLite in the temp dir, memory broker.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECABINET_") and k != "DATABASE_URL"}
    env |= {"ECABINET_DATA_DIR": str(data_dir), "ECABINET_LOG_LEVEL": "warning"}
    command = [sys.executable, "-m", "ecabinet.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)]
    if pin:
        command = ["taskset", "-c", str(SERVER_CORE), *command]
    # The working directory is the temp dir so that a stray .env in the caller's directory cannot apply.
    process = subprocess.Popen(command, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Server(process, f"http://127.0.0.1:{port}", Path(log.name), pin)


def wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECS
    with httpx.Client(base_url=server.base_url, trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise BenchError(f"the server exited with {server.process.returncode}:\n{server.log_tail()}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise BenchError(f"the server did not answer /healthz within {STARTUP_TIMEOUT_SECS:.0f} s:\n{server.log_tail()}")


def sign_in(server: Server) -> tuple[dict[str, str], str]:
    """Sign in as the member; return the cookie header and the sample meeting's state path."""
    with httpx.Client(base_url=server.base_url, trust_env=False, timeout=REQUEST_TIMEOUT_SECS) as client:
        answer = client.post("/api/session", json={"login": MEMBER_LOGIN, "password": MEMBER_PASSWORD})
        expect_ok(answer)
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        if not cookie:
            raise BenchError("signing in set no cookie")
        answer = client.get("/api/meetings")
        expect_ok(answer)
        meetings = answer.json()
        if not meetings:
            raise BenchError(f"{MEMBER_LOGIN} sees no meeting; was the sample loaded?")
        state_path = f"/api/meetings/{meetings[0]['id']}/state"
        answer = client.get(state_path)
        expect_ok(answer)
        state = answer.json()
        print(
            f"meeting {meetings[0]['id']} ({meetings[0]['title']}): {len(state['items'])} agenda items, "
            f"{len(state['participants'])} participants; state body {len(answer.content):,} bytes"
        )
        return {"cookie": cookie}, state_path


def expect_ok(answer: httpx.Response) -> None:
    if answer.status_code != 200:
        request = answer.request
        raise BenchError(f"{request.method} {request.url.path} answered {answer.status_code}: {answer.text[:300]}")


# One request on one connection: returns the status and the body.
Get = Callable[[], Awaitable[tuple[int, bytes]]]


class RawConnection:
    """One keep-alive HTTP/1.1 connection that sends a prepared GET and reads the answer: a client that costs
    the load generator's core little, so that the server is what the runs measure."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
        self.reader = reader
        self.writer = writer
        self.request = request

    @classmethod
    async def open(cls, host: str, port: int, path: str, headers: dict[str, str]) -> RawConnection:
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", *(f"{k}: {v}" for k, v in headers.items())]
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, ("\r\n".join(lines) + "\r\n\r\n").encode())

    async def get(self) -> tuple[int, bytes]:
        async with asyncio.timeout(REQUEST_TIMEOUT_SECS):
            self.writer.write(self.request)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            length = None
            for line in header_lines:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length is None:
                raise BenchError(f"an answer without Content-Length: {status_line}")
            return int(status_line.split(" ", 2)[1]), await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def open_getters(
    stack: AsyncExitStack, server: Server, client: str, path: str, headers: dict[str, str], concurrency: int
) -> list[Get]:
    """One `Get` per worker, its connection open before the clock starts (every run measures keep-alive)."""
    if client == "httpx":
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        shared = await stack.enter_async_context(
            httpx.AsyncClient(
                base_url=server.base_url, headers=headers, trust_env=False, limits=limits, timeout=REQUEST_TIMEOUT_SECS
            )
        )

        async def get() -> tuple[int, bytes]:
            answer = await shared.get(path)
            return answer.status_code, answer.content

        await asyncio.gather(*(shared.get("/healthz") for _ in range(concurrency)))
        return [get] * concurrency
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    connections = [await RawConnection.open(host, int(port), path, headers) for _ in range(concurrency)]
    for connection in connections:
        stack.push_async_callback(connection.close)
    return [connection.get for connection in connections]


async def load(server: Server, client: str, headers: dict[str, str], path: str, requests: int, concurrency: int) -> Run:
    """Issue `requests` GETs to `path` with `concurrency` in flight; fail on any status but 200."""
    latencies: list[float] = []
    remaining = requests

    async def worker(get: Get) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            status, body = await get()
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}: {body[:300].decode(errors='replace')}")

    async with AsyncExitStack() as stack:
        getters = await open_getters(stack, server, client, path, headers, concurrency)
        server_cpu, client_cpu, started = server.cpu_secs(), time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(get) for get in getters))
        wall = time.perf_counter() - started
        return Run(
            label=path,
            requests=requests,
            wall_secs=wall,
            latencies_ms=latencies,
            server_cpu_secs=server.cpu_secs() - server_cpu,
            client_cpu_secs=time.process_time() - client_cpu,
        )


def spread(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def report(baseline: list[Run], product: list[Run], rss_start_kib: int, rss_end_kib: int) -> None:
    rows = [("baseline", "GET /healthz", baseline), ("product", f"GET {product[0].label}", product)]
    print()
    print("medians over the runs, (min–max) across runs")
    print(
        f"{'':<9} {'endpoint':<26} {'req/s':>20} {'p50 ms':>20} {'p95 ms':>20} {'server CPU ms/req':>20} "
        f"{'server CPU':>10} {'client CPU':>10}"
    )
    for name, endpoint, runs in rows:
        print(
            f"{name:<9} {endpoint:<26} {spread([r.throughput for r in runs]):>20} "
            f"{spread([r.p50_ms for r in runs], 1):>20} {spread([r.p95_ms for r in runs], 1):>20} "
            f"{spread([r.server_cpu_ms_per_request for r in runs], 2):>20} "
            f"{statistics.median([r.server_cpu_share for r in runs]):>10.0%} "
            f"{statistics.median([r.client_cpu_share for r in runs]):>10.0%}"
        )
    throughput_ratio = median_of(product, "throughput") / median_of(baseline, "throughput")
    cpu_ratio = median_of(product, "server_cpu_ms_per_request") / median_of(baseline, "server_cpu_ms_per_request")
    print()
    print(f"ratio product/baseline throughput (medians): {throughput_ratio:.2f}")
    print(f"server CPU per request, product/baseline (medians): {cpu_ratio:.1f}×")
    if statistics.median([r.client_cpu_share for r in baseline]) >= CLIENT_SATURATED_SHARE:
        # The load generator has one core; when it is the bottleneck the server idles between requests.
        print(
            "note: the load generator was saturated during the baseline runs: the baseline req/s is the client's "
            "limit, not the server's,\n      and the ratio understates the gap (the raw client avoids this)."
        )
    print(
        f"server RSS (VmRSS): {rss_start_kib / 1024:.1f} MiB after start-up, "
        f"{rss_end_kib / 1024:.1f} MiB after the runs"
    )


def median_of(runs: list[Run], metric: str) -> float:
    return statistics.median(float(getattr(run, metric)) for run in runs)


def print_run(kind: str, index: int, run: Run) -> None:
    print(
        f"{kind}{index:<3} {run.label:<26} {run.throughput:>7,.0f} req/s  p50 {run.p50_ms:>6.1f} ms  "
        f"p95 {run.p95_ms:>6.1f} ms  server {run.server_cpu_ms_per_request:>5.2f} ms CPU/req  "
        f"server CPU {run.server_cpu_share:>4.0%}  client CPU {run.client_cpu_share:>4.0%}"
    )


async def bench(server: Server, client: str, runs: int, requests: int, concurrency: int) -> None:
    headers, state_path = sign_in(server)
    rss_start = server.rss_kib()
    print(f"warm-up: {WARMUP_REQUESTS} requests to each endpoint")
    await load(server, client, headers, "/healthz", WARMUP_REQUESTS, concurrency)
    await load(server, client, headers, state_path, WARMUP_REQUESTS, concurrency)
    baseline: list[Run] = []
    product: list[Run] = []
    for index in range(1, runs + 1):
        baseline.append(await load(server, client, headers, "/healthz", requests, concurrency))
        print_run("B", index, baseline[-1])
        product.append(await load(server, client, headers, state_path, requests, concurrency))
        print_run("P", index, product[-1])
    report(baseline, product, rss_start, server.rss_kib())


@dataclass(frozen=True)
class Row:
    """One line of the final summary."""

    figure: str
    product: str
    baseline: str
    ratio: str
    target: str
    verdict: str


def summary(rows: list[Row]) -> None:
    header = Row("figure", "product", "baseline", "ratio", "target", "result")
    widths = [max(len(getattr(r, name)) for r in [header, *rows]) for name in Row.__dataclass_fields__]
    print("\nSummary (medians; ratio = product/baseline)")
    for row in [header, *rows]:
        cells = [getattr(row, name) for name in Row.__dataclass_fields__]
        print(("  " + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs of each endpoint, interleaved (default 5)")
    parser.add_argument("--requests", type=int, default=1500, help="requests per run (default 1500)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument(
        "--client", choices=["raw", "httpx"], default="raw", help="load generator (default raw: see the docstring)"
    )
    args = parser.parse_args()
    if args.runs < 1 or args.requests < 20 or args.concurrency < 1:
        parser.error("--runs ≥ 1, --requests ≥ 20 and --concurrency ≥ 1")

    if not any(AGENDAS_DIR.glob("*.toml")):
        print(f"benchmark failed: no sample meeting in {AGENDAS_DIR} (agendas/*.toml) to read", file=sys.stderr)
        return 1
    pin = can_pin()
    if pin:
        os.sched_setaffinity(0, {LOAD_CORE})
    print(
        f"eCabinet meeting-state read benchmark: {args.runs} interleaved runs each, {args.requests} requests per run, "
        f"concurrency {args.concurrency}, {args.client} client"
    )
    print(
        f"server pinned to core {SERVER_CORE}, load generator to core {LOAD_CORE}"
        if pin
        else "not pinned (needs taskset and ≥ 2 cores): load generator and server share the CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="ecabinet-bench-") as tmp:
        data_dir = Path(tmp)
        with open(data_dir / "server.log", "w") as log:
            server = start_server(data_dir, log, pin)
            try:
                wait_until_healthy(server)
                asyncio.run(bench(server, args.client, args.runs, args.requests, args.concurrency))
            except BenchError as exc:
                print(f"benchmark failed: {exc}", file=sys.stderr)
                return 1
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())


@dataclass
class Backend:
    name: str
    url: str


@contextmanager
def backend(database_url: str, tmp: Path, stem: str) -> Iterator[Backend]:
    """SQLite in the temp dir, or a database of our own (`bench_<stem>_<pid>`) on the PostgreSQL server of
    `database_url`, dropped after."""
    if not database_url:
        yield Backend("SQLite", f"sqlite:///{tmp / f'{stem}.db'}")
        return
    server = sa.engine.make_url(database_url)
    if not server.drivername.startswith("postgresql"):
        raise BenchError(f"--database-url: a PostgreSQL URL, not {server.drivername}")
    name = f"bench_{stem}_{os.getpid()}"
    admin = sa.create_engine(server.set(database=server.database or "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield Backend("PostgreSQL", server.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
