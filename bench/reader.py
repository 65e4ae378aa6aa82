"""Benchmark of the briefing-pack reader: a page turn reaching 100 following tablets, search over 6,000 pages on
SQLite and PostgreSQL, and a tablet downloading a 300-page pack for reading offline.

Method (DESIGN §9). Each part starts the real server (`ecabinet serve --demo`) as a subprocess on a free port with
a fresh data dir; the secretary (`thuky`) uploads generated 300-page Vietnamese packs (`packs.write_pack`, each
copy with a line of its own on every page: its ward, its number, and on one page a rare phrase) to the sample
meeting, with both cores, untimed. Then the server, its PDF workers and every thread of them are pinned to core 0
and this process and all the load (client processes, Chromium) to core 1; baseline and product measurements are
interleaved (`--runs` rounds of each), and the report gives the median and spread (min–max) across rounds, the
p50/p99 over all samples, and the ratio to the baseline. The issue sets no targets: every figure is "info".

1. **Presenter page turn → page on a following tablet**, `--followers` tablets (default 100): 99 websocket clients
   (`fanout.Load`: 4 processes, signed in as `thanhvien1`, subscribed to `meeting:{id}`) record when the
   `presenter.page` event arrives; and one real Chromium page, signed in as `thanhvien2` in the app, has the
   reader (`#/meetings/{id}/pack`, static/screens/reader.js) open and following the presenter: the time is taken
   in the page when the reader's `<img data-testid=reader-image>` has loaded the new page (`load`, naturalWidth > 0,
   src `/pages/{n}.jpg`) and at the next animation frame (drawn). The chair (`chutich`) sends each `presenter.page`
   action on its own websocket from this process; every clock is this machine's wall clock (time.time() here,
   performance.timeOrigin + now() in the page; their offset is measured and printed). Two kinds of turns,
   alternated: to a page never drawn at the reader's width (the server renders it while the tablet waits: pages
   4k, which the server's rendering ahead, pages n+1 and n+2 of each one viewed, never reaches) and to a page
   rendered beforehand (4k+1). Baselines in the same rounds: the same 99-client fan-out by a bare `websockets`
   server on core 0 (`fanout.py --bare-server`, `websockets.broadcast()` of a message of the event's size);
   `ping`→`pong` on the chair's socket (the hub's round trip without the database); and, in Chromium, fetching an
   already rendered page image with `cache: no-store` and decoding it (the image half of a turn alone), beside the
   same image by a raw HTTP client from this process. The tablet's time is broken down: the event reaching the
   page's websocket (an init script wraps `WebSocket`), the reader's handler done (the image's `src` set, seen by a
   MutationObserver; with the `history.replaceState` it makes, timed by a wrapper), the request's start and end
   (Resource Timing), the image loaded and drawn. The followers' delay from the event's commit (its `ts`, ms
   precision) is printed too, as bench/fanout.py does.
2. **Search latency**, `--packs` packs (default 20 × 300 pages = 6,000), once on SQLite (FTS5) and once on
   PostgreSQL (a database of our own, dropped after): `GET /api/search?q=…&meeting_id=…&limit=20` as the reader
   asks it, signed in as a member, for six queries (with and without diacritics, a word on every page, a rare
   phrase, a prefix), `--requests` per query per round over a prepared keep-alive connection (`state.RawConnection`),
   each request alternated with the baseline `GET /healthz` (one `SELECT 1` through the same server). Beside them,
   from this process on the same database: the index query alone (`page_index.find`, what the route runs) against
   a naive `folded LIKE '%term%'` scan of `document_page` (every term; all matches fetched, as ranking needs).
3. **Pre-downloading a 300-page pack** as static/reader/offline-copy.js does: `GET /api/meetings/{id}/pack`, then
   with 4 concurrent fetches (`--concurrency`) each page's image at `--width` (1200: the reader keeps the width it
   shows at, see page-view.js `width()`; a 1280-px tablet's frame draws at 1200), its thumbnail (200) and its text.
   Cold: a paper uploaded just before the round (its images not yet rendered; thumbnails are made on upload), then
   warm: the same again. Baseline: the paper's PDF, `GET /api/documents/{id}/file` (stamped per download). Bytes are
   the answers' bodies.

    .venv/bin/python bench/reader.py [--runs 5] [--followers 100] [--turns 10] [--packs 20] [--pages 300]
                                     [--requests 8] [--width 1200] [--concurrency 4] [--parts 1,2,3]

Exit status: 0 when every part ran, 1 when the benchmark failed, 2 when a part or a backend could not run (no
Chromium, no PostgreSQL): the other figures stand.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import fanout
import httpx
import packs
import pymupdf
import sqlalchemy as sa
import state
from fanout import PG_ADMIN, Bare, Load, percentile
from packs import children_of, cpu_secs, ratio_text, write_pack
from sqlmodel import Session
from state import BenchError, RawConnection, Row, Server, summary

from ecabinet.page_index import index_for
from ecabinet.search import terms_of

SERVER_CORE = 0
LOAD_CORE = 1
TABLET = {"width": 1280, "height": 800}
MEETING_TITLE = "Phiên họp thường kỳ UBND Thành phố tháng 12 năm 2026"
SECRETARY, CHAIR, MEMBER, BROWSER_MEMBER = "thuky", "chutich", "thanhvien1", "thanhvien2"
PASSWORD = "demo"
READY_TIMEOUT_SECS = 600.0
TURN_TIMEOUT_MS = 30_000
TURN_SETTLE_SECS = 0.15
BASELINE_GAP_SECS = 0.05
PAGE_GROUP = 4  # cold pages are 4k, rendered pages 4k+1: rendering ahead (n+1, n+2) never reaches a cold one
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
VARIANT_FONT = "notosv"
RARE_PHRASE = "dự án khu đô thị mới Thủ Thiêm"
WARDS = (
    "Bến Nghé", "Đa Kao", "Tân Định", "Cầu Ông Lãnh", "Nguyễn Thái Bình", "Phạm Ngũ Lão", "Cô Giang", "Bến Thành",
    "Cầu Kho", "Nguyễn Cư Trinh", "Thảo Điền", "An Khánh", "Bình Trưng", "Cát Lái", "Thạnh Mỹ Lợi", "Hiệp Phú",
    "Long Bình", "Phước Long", "Tăng Nhơn Phú", "Linh Trung", "Hiệp Bình", "Tam Bình", "Bình Thọ", "Trường Thọ",
)  # fmt: skip
QUERIES = (
    ("diacritics, common", "kế hoạch đầu tư công"),
    ("no diacritics, common", "ke hoach dau tu cong"),
    ("a word on every page", "thành phố"),
    ("rare phrase", "Thủ Thiêm"),
    ("rare, no diacritics", "thu thiem"),
    ("prefix", "giải ng"),
)
# In the page: when the reader's image has loaded a page, and the next animation frame (the page drawn).
WATCH_READER = """() => {
  const img = document.querySelector("[data-testid=reader-image]");
  const keyOf = (src) => {
    const m = (src || "").match(/\\/documents\\/(\\d+)\\/pages\\/(\\d+)\\.jpg\\?width=(\\d+)/);
    return m ? { key: `${m[1]}:${m[2]}`, width: Number(m[3]) } : null;
  };
  window.__shown = {};
  window.__asked = {};
  new MutationObserver(() => {
    const at = performance.timeOrigin + performance.now();
    const found = keyOf(img.getAttribute("src"));
    if (found && !(found.key in window.__asked)) window.__asked[found.key] = at;
  }).observe(img, { attributes: true, attributeFilter: ["src"] });
  img.addEventListener("load", () => {
    const loaded = performance.timeOrigin + performance.now();
    const found = keyOf(img.getAttribute("src"));
    if (!found || !img.naturalWidth) return;
    const timing = performance.getEntriesByName(img.currentSrc).pop();
    requestAnimationFrame(() => {
      window.__shown[found.key] = {
        loaded, drawn: performance.timeOrigin + performance.now(), width: found.width,
        visible: !img.hidden && img.offsetWidth > 0, srcSet: window.__asked[found.key] || null,
        asked: timing ? performance.timeOrigin + timing.startTime : null,
        fetched: timing ? performance.timeOrigin + timing.responseEnd : null,
      };
    });
  });
}"""
# Before the app loads: when each presenter.page event reaches the page's websocket, before the app sees it; and
# how long each history.replaceState takes (the reader names the page in the address on every turn).
WATCH_EVENTS = """(() => {
  const replace = history.replaceState.bind(history);
  window.__replaceMs = [];
  history.replaceState = (...args) => {
    const started = performance.now();
    replace(...args);
    window.__replaceMs.push(performance.now() - started);
  };
  const Native = window.WebSocket;
  window.__events = {};
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (message) => {
        const at = performance.timeOrigin + performance.now();
        if (typeof message.data !== "string" || !message.data.includes('"presenter.page"')) return;
        const { data } = JSON.parse(message.data);
        if (data) window.__events[`${data.document_id}:${data.page}`] = at;
      });
    }
  };
})();"""
FETCH_IMAGE = """async (url) => {
  const started = performance.now();
  const answer = await fetch(url, { cache: "no-store", credentials: "same-origin" });
  const blob = await answer.blob();
  await createImageBitmap(blob);
  return { ms: performance.now() - started, status: answer.status, bytes: blob.size };
}"""


class PartSkipped(BenchError):
    """A part (or a backend) cannot run here: the others stand."""


# ------------------------------------------------------------------------------------------------ the packs


def variant(base: Path, target: Path, number: int) -> None:
    """A copy of the base pack whose every page says its ward and number, one page the rare phrase: text of its
    own, and a sha256 of its own."""
    font = pymupdf.Font(packs.REGULAR)
    ward = WARDS[number % len(WARDS)]
    with pymupdf.open(base) as doc:
        rare_page = (number * 37) % doc.page_count
        for index, page in enumerate(doc):
            page.insert_font(fontname=VARIANT_FONT, fontbuffer=font.buffer)
            line = f"Hồ sơ số {number:02d}-{index + 1:03d} · phường {ward}"
            if index == rare_page:
                line += f" · {RARE_PHRASE}"
            page.insert_text((packs.LEFT, 826), line, fontname=VARIANT_FONT, fontsize=7, color=packs.GREY)
        doc.subset_fonts()
        doc.set_metadata({"title": f"Tài liệu kỳ họp thứ 12 – tập {number}", "producer": "bench"})
        doc.save(target, garbage=3, deflate=True)


def make_packs(tmp: Path, pages: int, count: int) -> list[Path]:
    """`count` distinct packs of `pages` pages, made on every core."""
    base = tmp / "base.pdf"
    write_pack(base, pages)
    paths = [tmp / f"tap-{number:02d}.pdf" for number in range(1, count + 1)]
    with ProcessPoolExecutor(max(1, len(os.sched_getaffinity(0)))) as pool:
        list(pool.map(variant, [base] * count, paths, range(1, count + 1)))
    return paths


# ----------------------------------------------------------------------------------------------- the server


@contextmanager
def running_server(data_dir: Path, env_extra: dict[str, str], cores: set[int]) -> Iterator[Server]:
    """`ecabinet serve --demo` on a free port with a fresh data dir, on every core until `pin_server`."""
    data_dir.mkdir(parents=True)
    port = state.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECABINET_") and k != "DATABASE_URL"}
    # The load's sockets never ping (a browser does every 20 s): keep them from the idle timeout.
    env |= {
        "ECABINET_DATA_DIR": str(data_dir),
        "ECABINET_LOG_LEVEL": "warning",
        "ECABINET_WS_IDLE_TIMEOUT_SECS": "3600",
    }
    env |= env_extra
    command = [sys.executable, "-m", "ecabinet.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)]
    command = ["taskset", "-c", ",".join(map(str, sorted(cores))), *command]
    with open(data_dir / "server.log", "w") as log:
        process = subprocess.Popen(command, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = Server(process, f"http://127.0.0.1:{port}", Path(log.name), False)
        try:
            state.wait_until_healthy(server)
            yield server
        except BaseException:
            print(f"  server log (last lines):\n{server.log_tail()}")
            raise
        finally:
            server.stop()


def descendants(pid: int) -> list[int]:
    found = []
    for child in children_of(pid):
        found += [child, *descendants(child)]
    return found


def pin_server(server: Server) -> int:
    """Pin every thread of the server and of its PDF workers to the server core; the threads pinned."""
    pinned = 0
    for pid in [server.process.pid, *descendants(server.process.pid)]:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                os.sched_setaffinity(int(task.name), {SERVER_CORE})
                pinned += 1
            except OSError:
                pass
    server.pinned = True
    return pinned


def tree_cpu_secs(server: Server) -> float:
    """CPU seconds of the server, its live PDF workers, and the workers it has retired (and reaped)."""
    pid = server.process.pid
    try:
        # Fields 16 and 17 of /proc/<pid>/stat (cutime, cstime): children waited for, such as retired workers.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return reaped + sum(cpu_secs(p) for p in [pid, *descendants(pid)])


def expect(answer: httpx.Response, status: int = 200) -> Any:
    if answer.status_code != status:
        request = answer.request
        raise BenchError(f"{request.method} {request.url.path} answered {answer.status_code}: {answer.text[:300]}")
    return answer.json() if answer.content and "json" in answer.headers.get("content-type", "") else None


def signed_in(server: Server, login: str) -> httpx.Client:
    client = httpx.Client(base_url=server.base_url, trust_env=False, timeout=120)
    session = expect(client.post("/api/session", json={"login": login, "password": PASSWORD}))
    client.headers["X-CSRF-Token"] = session["csrf_token"]
    return client


def cookie_of(client: httpx.Client) -> str:
    return str(client.cookies["ecabinet_session"])


@dataclass
class Secretary:
    """The secretary, who uploads papers to the sample meeting's items."""

    http: httpx.Client
    meeting_id: int
    items: list[int]

    @classmethod
    def of(cls, server: Server) -> Secretary:
        http = signed_in(server, SECRETARY)
        meetings = [m for m in expect(http.get("/api/meetings")) if m["title"] == MEETING_TITLE]
        if not meetings:
            raise BenchError(f"{SECRETARY} does not see the sample meeting; was it loaded?")
        meeting_id = int(meetings[0]["id"])
        items = [int(item["id"]) for item in expect(http.get(f"/api/meetings/{meeting_id}/items"))]
        return cls(http, meeting_id, items)

    def upload(self, path: Path, item_index: int = 0) -> int:
        answer = self.http.post(
            f"/api/items/{self.items[item_index % len(self.items)]}/documents",
            files={"file": (path.name, path.read_bytes(), "application/pdf")},
            data={"classification": "internal"},
        )
        return int(expect(answer, 202)[0]["id"])

    def wait_ready(self, ids: list[int]) -> list[dict[str, Any]]:
        deadline = time.monotonic() + READY_TIMEOUT_SECS
        ready: dict[int, dict[str, Any]] = {}
        while len(ready) < len(ids):
            for document_id in ids:
                if document_id in ready:
                    continue
                doc = expect(self.http.get(f"/api/documents/{document_id}"))
                if doc["state"] == "rejected":
                    raise BenchError(f"document {document_id} was rejected: {doc.get('reason_text')}")
                if doc["state"] == "ready":
                    ready[document_id] = doc
            if time.monotonic() > deadline:
                raise BenchError(f"{len(ids) - len(ready)} documents not ready after {READY_TIMEOUT_SECS:.0f} s")
            time.sleep(0.2)
        return [ready[i] for i in ids]

    def add(self, paths: list[Path], server: Server) -> tuple[list[dict[str, Any]], str]:
        """Upload the packs (spread over the items) and wait until every one is ready; the documents, and what it
        took."""
        started, cpu = time.perf_counter(), tree_cpu_secs(server)
        ids = [self.upload(path, index) for index, path in enumerate(paths)]
        docs = self.wait_ready(ids)
        secs = time.perf_counter() - started
        pages = sum(int(doc["pages"]) for doc in docs)
        took = (
            f"{len(docs)} × {pages // len(docs)}-page packs uploaded and ready in {secs:.1f} s ({pages / secs:,.0f} "
            f"pages/s, server + PDF workers {tree_cpu_secs(server) - cpu:.1f} CPU s; untimed, both cores)"
        )
        return docs, took


def pooled(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):.1f} / p99 {percentile(values, 0.99):.1f}"


def spread(values: list[float], digits: int = 1) -> str:
    return packs.spread(values, digits)


def ms_pair(values: list[float]) -> str:
    return f"{percentile(values, 0.5):.1f} / {percentile(values, 0.99):.1f} ms"


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise BenchError(f"nothing listens on port {port}")


# ------------------------------------------------------------------------------------- 1. presenter → tablets


async def meeting_socket(url: str, cookie: str, meeting_id: int) -> Any:
    """A websocket of the signed-in `cookie`, subscribed to the meeting's channel (the `subscribed` answer read)."""
    import websockets

    ws = await websockets.connect(
        url.replace("http://", "ws://") + "/ws",
        additional_headers={"Cookie": f"ecabinet_session={cookie}"},
        compression=None,
        max_size=2**24,
        ping_interval=None,
    )
    await ws.send(json.dumps({"op": "subscribe", "channel": f"meeting:{meeting_id}"}))
    while json.loads(await ws.recv())["op"] != "subscribed":
        pass
    return ws


class Chair:
    """The chair's websocket: page turns as `presenter.page` actions, pings; its own copy of each event."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.waiting: dict[str, asyncio.Future[tuple[float, dict[str, Any]]]] = {}
        self.pongs: asyncio.Queue[float] = asyncio.Queue()
        self.events: asyncio.Queue[tuple[int, float, int, dict[str, Any]]] = asyncio.Queue()
        self.reading = asyncio.create_task(self.read())

    @classmethod
    async def open(cls, url: str, cookie: str, meeting_id: int) -> Chair:
        return cls(await meeting_socket(url, cookie, meeting_id))

    async def read(self) -> None:
        async for raw in self.ws:
            at = time.time()
            message = json.loads(raw)
            op = message.get("op")
            if op in ("ack", "error") and message.get("id") in self.waiting:
                self.waiting.pop(message["id"]).set_result((at, message))
            elif op == "pong":
                self.pongs.put_nowait(at)
            elif op == "event" and message.get("type") == "presenter.page":
                self.events.put_nowait((int(message["seq"]), at, len(raw), message["data"]))

    async def turn(self, document_id: int, page: int) -> tuple[float, float, int, float, int]:
        """Send one page turn; (sent, acked, the event's seq, the chair's own receipt of it, its size)."""
        action = str(uuid.uuid4())
        answer = asyncio.get_running_loop().create_future()
        self.waiting[action] = answer
        data = {"document_id": document_id, "page": page}
        sent = time.time()
        await self.ws.send(json.dumps({"op": "action", "id": action, "type": "presenter.page", "data": data}))
        acked, message = await asyncio.wait_for(answer, 30)
        if message["op"] != "ack":
            raise BenchError(f"presenter.page {data} refused: {message}")
        while True:
            seq, at, size, event = await asyncio.wait_for(self.events.get(), 30)
            if event.get("document_id") == document_id and event.get("page") == page:
                return sent, acked, seq, at, size

    async def ping(self) -> float:
        sent = time.time()
        await self.ws.send('{"op":"ping"}')
        return (await asyncio.wait_for(self.pongs.get(), 30) - sent) * 1000

    async def close(self) -> None:
        await self.ws.close()
        self.reading.cancel()


@dataclass
class FollowRound:
    """One round's samples, in milliseconds."""

    ws: dict[str, list[float]] = field(default_factory=lambda: {"cold": [], "warm": []})
    bare: list[float] = field(default_factory=list)
    ping: list[float] = field(default_factory=list)
    ack: list[float] = field(default_factory=list)
    heard: list[float] = field(default_factory=list)
    reacted: list[float] = field(default_factory=list)
    chair_event: list[float] = field(default_factory=list)
    drawn: dict[str, list[float]] = field(default_factory=lambda: {"cold": [], "warm": []})
    loaded: dict[str, list[float]] = field(default_factory=lambda: {"cold": [], "warm": []})
    asked: dict[str, list[float]] = field(default_factory=lambda: {"cold": [], "warm": []})
    image: dict[str, list[float]] = field(default_factory=lambda: {"cold": [], "warm": []})
    fetch: list[float] = field(default_factory=list)
    raw_image: list[float] = field(default_factory=list)
    replace_ms: list[float] = field(default_factory=list)
    commit: list[float] = field(default_factory=list)
    expected: int = 0
    drawn_before: int = 0


@dataclass
class Tablet:
    """The Chromium page with the reader open, following the presenter."""

    page: Any
    width: int
    errors: list[str]
    clock_offset_ms: float


async def open_tablet(browser: Any, url: str, meeting_id: int) -> Tablet:
    context = await browser.new_context(viewport=TABLET, base_url=url)
    await context.add_init_script(WATCH_EVENTS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto("/")
    await page.get_by_test_id("signin-login").fill(BROWSER_MEMBER)
    await page.get_by_test_id("signin-password").fill(PASSWORD)
    await page.get_by_test_id("signin-submit").click()
    await page.get_by_test_id("meeting-list").wait_for()
    await page.evaluate(f"() => {{ location.hash = '#/meetings/{meeting_id}/pack'; }}")
    await page.get_by_test_id("reader").wait_for()
    await page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=reader-image]');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=TURN_TIMEOUT_MS,
    )
    following = await page.get_by_test_id("follow-toggle").get_attribute("aria-pressed")
    if following != "true":
        raise BenchError(f"the reader does not follow the presenter (follow-toggle aria-pressed={following})")
    # The reader registers the service worker; once it controls the page, page images pass through it.
    await page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)
    src = await page.get_by_test_id("reader-image").get_attribute("src") or ""
    width = int(src.rsplit("width=", 1)[1]) if "width=" in src else 0
    await page.evaluate(WATCH_READER)
    offsets = []
    for _ in range(5):
        before = time.time()
        theirs = await page.evaluate("() => performance.timeOrigin + performance.now()")
        after = time.time()
        offsets.append(theirs - (before + after) / 2 * 1000)
    return Tablet(page, width, errors, statistics.median(offsets))


async def follow_rounds(
    server: Server, args: argparse.Namespace, meeting_id: int, cold: list[tuple[int, int]], warm: list[tuple[int, int]],
    followers: Load, bare_load: Load, bare: Bare, n_ws: int, on_disk: Callable[[int, int, int], bool],
) -> tuple[list[FollowRound], Tablet | None]:  # fmt: skip
    chair_http = signed_in(server, CHAIR)
    chair = await Chair.open(server.base_url, cookie_of(chair_http), meeting_id)
    member = signed_in(server, BROWSER_MEMBER)
    raw = await connection(server)
    rounds: list[FollowRound] = []
    playwright_cm: Any = None
    tablet: Tablet | None = None
    try:
        executable = shutil.which("chromium")
        if executable and not args.no_browser:
            from playwright.async_api import async_playwright

            playwright_cm = async_playwright()
            playwright = await playwright_cm.__aenter__()
            browser = await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            tablet = await open_tablet(browser, server.base_url, meeting_id)
            print(
                f"  Chromium: the reader of {BROWSER_MEMBER} follows, its images are {tablet.width} px wide; "
                f"its service worker controls the page; page clock − this clock = {tablet.clock_offset_ms:+.2f} ms"
            )
        width = tablet.width if tablet else args.width
        # The rendered pages: drawn now at the reader's width, as an earlier view would have.
        for document_id, page in warm:
            expect(member.get(f"/api/documents/{document_id}/pages/{page}.jpg", params={"width": width}))
        # One untimed turn, to the last cold page (it is never turned to again, nor has it pages ahead).
        warmup = cold[-1]
        await chair.turn(*warmup)
        if tablet:
            await tablet.page.wait_for_function(f"() => window.__shown['{warmup[0]}:{warmup[1]}']", timeout=30_000)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(followers.receipts)
        size = 0
        for index in range(args.runs):
            one = FollowRound()
            if tablet:
                await tablet.page.evaluate("() => window.__replaceMs.splice(0)")
            sent: dict[int, tuple[float, str]] = {}
            sent_bare: dict[int, float] = {}
            for turn in range(args.turns):
                step = index * args.turns + turn
                for kind, target in (("cold", cold[step]), ("warm", warm[step])):
                    if kind == "cold" and on_disk(*target, width):
                        one.drawn_before += 1
                    at, acked, seq, chair_at, size = await chair.turn(*target)
                    sent[seq] = (at, kind)
                    one.ack.append((acked - at) * 1000)
                    one.chair_event.append((chair_at - at) * 1000)
                    if tablet:
                        handle = await tablet.page.wait_for_function(
                            f"() => window.__shown['{target[0]}:{target[1]}']", timeout=TURN_TIMEOUT_MS
                        )
                        shown = await handle.json_value()
                        heard = await tablet.page.evaluate(f"() => window.__events['{target[0]}:{target[1]}']")
                        if not shown["visible"]:
                            raise BenchError(f"page {target} loaded but the reader's image is hidden")
                        offset = tablet.clock_offset_ms
                        one.drawn[kind].append(shown["drawn"] - offset - at * 1000)
                        one.loaded[kind].append(shown["loaded"] - offset - at * 1000)
                        if heard:
                            one.heard.append(heard - offset - at * 1000)
                            if shown["srcSet"]:
                                one.reacted.append(shown["srcSet"] - heard)
                        if shown["asked"] and shown["fetched"]:
                            one.asked[kind].append(shown["asked"] - offset - at * 1000)
                            one.image[kind].append(shown["fetched"] - shown["asked"])
                    await asyncio.sleep(TURN_SETTLE_SECS)
                    # Baselines between the turns: the hub's round trip, the bare fan-out, the image alone.
                    if kind == "cold":
                        one.ping.append(await chair.ping())
                        await asyncio.sleep(BASELINE_GAP_SECS)
                        at_bare = await asyncio.to_thread(bare.event, "bcast", n_ws, size)
                        sent_bare[bare.seq] = at_bare
                    elif tablet:
                        url = f"/api/documents/{target[0]}/pages/{target[1]}.jpg?width={width}"
                        fetched = await tablet.page.evaluate(FETCH_IMAGE, url)
                        if fetched["status"] != 200:
                            raise BenchError(f"the page fetched {url}: {fetched['status']}")
                        one.fetch.append(fetched["ms"])
                        await asyncio.sleep(BASELINE_GAP_SECS)
                        began = time.perf_counter()
                        status, body = await fetch(raw, request_bytes(server, url, cookie_of(member)))
                        one.raw_image.append((time.perf_counter() - began) * 1000)
                        if status != 200:
                            raise BenchError(f"GET {url} answered {status}: {body[:300]!r}")
                    await asyncio.sleep(BASELINE_GAP_SECS)
            if tablet:
                one.replace_ms = await tablet.page.evaluate("() => window.__replaceMs.splice(0)")
            await asyncio.sleep(0.5)
            for seq, at, committed in await asyncio.to_thread(followers.receipts):
                if seq in sent:
                    start, kind = sent[seq]
                    one.ws[kind].append((at - start) * 1000)
                    one.commit.append((at - committed) * 1000)
            one.bare = fanout.latencies(await asyncio.to_thread(bare_load.receipts), sent_bare)
            one.expected = len(sent) * n_ws
            rounds.append(one)
            print_round(index + 1, one, tablet is not None)
    finally:
        await chair.close()
        await raw.close()
        if playwright_cm is not None:
            await playwright_cm.__aexit__(None, None, None)
    return rounds, tablet


def print_round(number: int, one: FollowRound, browser: bool) -> None:
    ws = one.ws["cold"] + one.ws["warm"]
    line = (
        f"  run {number}  P: ws followers {pooled(ws)} ms ({len(ws)}/{one.expected} events)"
        f"; ack {statistics.median(one.ack):.1f} ms"
    )
    if browser:
        line += f"; tablet drawn: rendered {pooled(one.drawn['warm'])}, first view {pooled(one.drawn['cold'])} ms"
    print(line)
    line = f"         B: bare broadcast {pooled(one.bare)} ms; ping→pong {pooled(one.ping)} ms"
    if browser:
        line += f"; image fetch alone {pooled(one.fetch)} ms"
    print(line)


def part_follow(args: argparse.Namespace, tmp: Path, paths: list[Path], cores: set[int]) -> list[Row]:
    browser = shutil.which("chromium") is not None and not args.no_browser
    n_ws = args.followers - 1 if browser else args.followers
    print(
        f"\n1. Presenter page turn → page on {args.followers} following tablets ({n_ws} websocket clients"
        f"{' + 1 Chromium reader' if browser else ''}); {args.runs} rounds × {args.turns} turns of each kind"
    )
    if not browser:
        print("  no Chromium (or --no-browser): websocket followers only")
    rows: list[Row] = []
    with running_server(tmp / "follow", {}, cores) as server:
        secretary = Secretary.of(server)
        docs, took = secretary.add(paths, server)
        pages = int(docs[0]["pages"])
        print(f"  {took}")
        per_doc = pages // PAGE_GROUP
        cold = [(int(d["id"]), PAGE_GROUP * k) for d in docs for k in range(1, per_doc + 1)]
        warm = [(int(d["id"]), PAGE_GROUP * k + 1) for d in docs for k in range(1, per_doc)]
        threads = pin_server(server)
        print(
            f"  server and its PDF workers pinned to core {SERVER_CORE} ({threads} threads); load on core {LOAD_CORE}"
        )
        member = signed_in(server, MEMBER)
        bare_port = state.free_port()
        bare_server = fanout.Process(
            [sys.executable, fanout.__file__, "--bare-server", str(bare_port)], dict(os.environ), tmp / "bare.log"
        )
        followers = bare_load = None
        try:
            wait_port(bare_port)
            ws_url = server.base_url.replace("http://", "ws://") + "/ws"
            followers = Load.start(ws_url, cookie_of(member), [[f"meeting:{secretary.meeting_id}"]] * n_ws)
            bare_load = Load.start(f"ws://127.0.0.1:{bare_port}/", "", [[] for _ in range(n_ws)])
            bare = Bare(bare_port)
            sha = {int(d["id"]): str(d["sha256"]) for d in docs}

            def on_disk(document_id: int, page: int, width: int) -> bool:
                # The server's cache of page images (ecabinet/uploads.py FileStore.page_dir).
                digest = sha[document_id]
                return (tmp / "follow" / "pages" / digest[:2] / digest / f"{page}-w{width}.jpg").exists()

            rounds, tablet = asyncio.run(
                follow_rounds(server, args, secretary.meeting_id, cold, warm, followers, bare_load, bare, n_ws, on_disk)
            )
        finally:
            for load in (followers, bare_load):
                if load is not None:
                    load.stop()
            bare_server.stop()
    ws = [v for r in rounds for v in r.ws["cold"] + r.ws["warm"]]
    received = sum(len(r.ws["cold"]) + len(r.ws["warm"]) for r in rounds) / sum(r.expected for r in rounds)
    bare_all = [v for r in rounds for v in r.bare]
    ping = [v for r in rounds for v in r.ping]
    ack = [v for r in rounds for v in r.ack]
    print(f"  medians (min–max) of the {args.runs} rounds' p50 and p99, and over all samples; ms")
    print(f"  {'':<50} {'p50 per round':>22} {'p99 per round':>22}   all samples")
    table = [
        (f"P turn → event at {n_ws} ws followers", [r.ws["cold"] + r.ws["warm"] for r in rounds]),
        ("P   commit → event at them (ts, ms precision)", [r.commit for r in rounds]),
        ("P turn → ack (chair: database, event log)", [r.ack for r in rounds]),
        ("P turn → the chair's own copy of the event", [r.chair_event for r in rounds]),
        (f"B bare websockets broadcast to {n_ws}", [r.bare for r in rounds]),
        ("B ping → pong on the chair's socket", [r.ping for r in rounds]),
    ]
    if tablet is not None:
        table += [
            ("P turn → tablet drawn, page rendered before", [r.drawn["warm"] for r in rounds]),
            ("P turn → tablet drawn, first view (render)", [r.drawn["cold"] for r in rounds]),
            ("  of which: turn → event at the tablet's socket", [r.heard for r in rounds]),
            ("  event → the reader's handler done (JS)", [r.reacted for r in rounds]),
            ("    of which history.replaceState in the handler", [r.replace_ms for r in rounds]),
            ("  turn → the image's request starts", [r.asked["warm"] + r.asked["cold"] for r in rounds]),
            ("  the image's fetch, rendered before", [r.image["warm"] for r in rounds]),
            ("  the image's fetch, first view (render)", [r.image["cold"] for r in rounds]),
            ("  turn → image loaded, rendered before", [r.loaded["warm"] for r in rounds]),
            ("B tablet fetches a rendered image (no-store)", [r.fetch for r in rounds]),
            ("B the same image by a raw HTTP client", [r.raw_image for r in rounds]),
        ]
    for label, samples in table:
        every = [v for s in samples for v in s]
        print(
            f"  {label:<50} {spread([percentile(s, 0.5) for s in samples]):>22} "
            f"{spread([percentile(s, 0.99) for s in samples]):>22}   {pooled(every)} (n={len(every)})"
        )
    print(f"  websocket followers received {received:.1%} of the events")
    if tablet is not None:
        print(
            f"  first-view pages found already drawn at their turn: {sum(r.drawn_before for r in rounds)} of "
            f"{args.runs * args.turns}; "
            f"page errors in Chromium: {len(tablet.errors)}{': ' + tablet.errors[0] if tablet.errors else ''}"
        )
    p99_ratio = percentile(ws, 0.99) / percentile(bare_all, 0.99)
    rows.append(
        Row(
            f"1 turn → event, {n_ws} ws followers (p50/p99)",
            ms_pair(ws),
            f"bare ws {ms_pair(bare_all)}",
            f"{ratio_text(p99_ratio)} p99",
            "info",
            "info",
        )
    )
    commit = [v for r in rounds for v in r.commit]
    rows.append(
        Row(
            f"1 commit → event, {n_ws} ws followers (p50/p99)",
            ms_pair(commit),
            f"bare ws {ms_pair(bare_all)}",
            f"{ratio_text(percentile(commit, 0.99) / percentile(bare_all, 0.99))} p99",
            "info",
            "info",
        )
    )
    rows.append(
        Row(
            "1 turn → ack at the chair (p50/p99)",
            ms_pair(ack),
            f"ping {ms_pair(ping)}",
            f"{ratio_text(percentile(ack, 0.5) / percentile(ping, 0.5))} p50",
            "info",
            "info",
        )
    )
    if tablet is not None:
        fetch = [v for r in rounds for v in r.fetch]
        for kind, label in (("warm", "rendered before"), ("cold", "first view")):
            drawn_all = [v for r in rounds for v in r.drawn[kind]]
            rows.append(
                Row(
                    f"1 turn → Chromium tablet drawn, {label} (p50/p99)",
                    ms_pair(drawn_all),
                    f"image fetch {ms_pair(fetch)}",
                    f"{ratio_text(percentile(drawn_all, 0.5) / percentile(fetch, 0.5))} p50",
                    "info",
                    "info",
                )
            )
    else:
        rows.append(Row("1 turn → Chromium tablet drawn", "—", "—", "—", "info", "SKIPPED"))
    return rows


# ------------------------------------------------------------------------------------------------- 2. search


def request_bytes(server: Server, path: str, cookie: str) -> bytes:
    host = server.base_url.removeprefix("http://")
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", f"Cookie: ecabinet_session={cookie}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def connection(server: Server) -> RawConnection:
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    return await RawConnection.open(host, int(port), "/healthz", {})


async def fetch(conn: RawConnection, request: bytes) -> tuple[int, bytes]:
    conn.request = request
    return await conn.get()


@dataclass
class SearchFigures:
    """One backend's samples in milliseconds: per query, the baseline, and the direct queries."""

    product: dict[str, list[list[float]]]
    health: list[list[float]]
    index: dict[str, list[float]]
    like: dict[str, list[float]]
    hits: dict[str, int]
    matches: dict[str, int]


async def search_requests(
    server: Server, cookie: str, meeting_id: int, runs: int, requests: int, direct: Any
) -> SearchFigures:
    paths = {label: "/api/search?" + urlencode({"q": q, "meeting_id": meeting_id, "limit": 20}) for label, q in QUERIES}
    prepared = {label: request_bytes(server, path, cookie) for label, path in paths.items()}
    health = request_bytes(server, "/healthz", cookie)
    conn = await connection(server)
    figures = SearchFigures({label: [] for label, _ in QUERIES}, [], {}, {}, {}, {})
    try:
        for label, _ in QUERIES:
            status, body = await fetch(conn, prepared[label])
            if status != 200:
                raise BenchError(f"GET {paths[label]} answered {status}: {body[:300]!r}")
            figures.hits[label] = len(json.loads(body)["results"])
        for _ in range(runs):
            run_health: list[float] = []
            for label, _ in QUERIES:
                run: list[float] = []
                for _ in range(requests):
                    for request, into in ((health, run_health), (prepared[label], run)):
                        started = time.perf_counter()
                        status, body = await fetch(conn, request)
                        into.append((time.perf_counter() - started) * 1000)
                        if status != 200:
                            raise BenchError(f"a search answered {status}: {body[:300]!r}")
                figures.product[label].append(run)
            figures.health.append(run_health)
            direct(figures)
    finally:
        await conn.close()
    return figures


def direct_queries(url: str, document_ids: list[int], repeat: int) -> Any:
    """Index lookups and LIKE scans on the database itself, from this process; adds to the figures each call."""
    engine = sa.create_engine(url)

    def measure(figures: SearchFigures) -> None:
        for label, q in QUERIES:
            terms = terms_of(q)
            where = " AND ".join(f"folded LIKE :t{i}" for i in range(len(terms)))
            scan = sa.text(f"SELECT document_id, number FROM document_page WHERE {where}")
            params = {f"t{i}": f"%{term}%" for i, term in enumerate(terms)}
            for _ in range(repeat):
                with Session(engine) as session:
                    started = time.perf_counter()
                    index_for(session).find(session, terms, document_ids, 20)
                    figures.index.setdefault(label, []).append((time.perf_counter() - started) * 1000)
                with engine.connect() as conn:
                    started = time.perf_counter()
                    figures.matches[label] = len(conn.execute(scan, params).all())
                    figures.like.setdefault(label, []).append((time.perf_counter() - started) * 1000)

    return measure


def search_backend(
    args: argparse.Namespace, name: str, data_dir: Path, env: dict[str, str], database_url: str, paths: list[Path],
    cores: set[int],
) -> list[Row]:  # fmt: skip
    with running_server(data_dir, env, cores) as server:
        secretary = Secretary.of(server)
        docs, took = secretary.add(paths, server)
        pages = sum(int(d["pages"]) for d in docs)
        print(f"  {name}: {took}")
        pin_server(server)
        member = signed_in(server, MEMBER)
        direct = direct_queries(database_url, [int(d["id"]) for d in docs], args.direct)
        figures = asyncio.run(
            search_requests(server, cookie_of(member), secretary.meeting_id, args.runs, args.requests, direct)
        )
    health = [v for run in figures.health for v in run]
    print(f"  {name}, ms: p50/p99 over {args.runs} × {args.requests} requests; per-round p50 median (min–max)")
    print(
        f"  {'query':<24} {'q':<22} {'results':>7} {'pages':>6} {'GET /api/search':>18} {'round p50':>18} "
        f"{'index alone p50':>15} {'LIKE scan p50':>13}"
    )
    for label, q in QUERIES:
        every = [v for run in figures.product[label] for v in run]
        print(
            f"  {label:<24} {q:<22} {figures.hits[label]:>7} {figures.matches[label]:>6} {ms_pair(every):>18} "
            f"{spread([statistics.median(run) for run in figures.product[label]]):>18} "
            f"{statistics.median(figures.index[label]):>15.1f} {statistics.median(figures.like[label]):>13.1f}"
        )
    print(
        f"  {'baseline GET /healthz':<24} {'':<22} {'':>7} {'':>6} {ms_pair(health):>18} "
        f"{spread([statistics.median(run) for run in figures.health]):>18}"
    )
    product = [v for runs in figures.product.values() for run in runs for v in run]
    rows = [
        Row(
            f"2 search {name}, {pages:,} p, {len(QUERIES)} queries (p50/p99)",
            ms_pair(product),
            f"/healthz {ms_pair(health)}",
            f"{ratio_text(percentile(product, 0.5) / percentile(health, 0.5))} p50",
            "info",
            "info",
        )
    ]
    # Queries that match most pages (the index ranks them all) apart from the rare ones (few matches).
    common = [label for label, _ in QUERIES if figures.matches[label] > pages // 10]
    for which, labels in (("common", common), ("rare", [label for label, _ in QUERIES if label not in common])):
        if not labels:
            continue
        index = statistics.median(statistics.median(figures.index[label]) for label in labels)
        like = statistics.median(statistics.median(figures.like[label]) for label in labels)
        rows.append(
            Row(
                f"2 {name}: index query alone, {which} words ({len(labels)} q)",
                f"{index:.1f} ms",
                f"LIKE scan {like:.1f} ms",
                ratio_text(index / like),
                "info",
                "info",
            )
        )
    return rows


def part_search(args: argparse.Namespace, tmp: Path, paths: list[Path], cores: set[int]) -> tuple[list[Row], bool]:
    print(f"\n2. Search over {len(paths)} packs on SQLite and PostgreSQL, as a member; {len(QUERIES)} queries")
    rows = search_backend(
        args, "SQLite", tmp / "search-sqlite", {}, f"sqlite:///{tmp / 'search-sqlite' / 'ecabinet.db'}", paths, cores
    )
    database = f"bench_reader_{uuid.uuid4().hex[:8]}"
    try:
        if shutil.which("psql") is None:
            raise PartSkipped("psql not found")
        made = subprocess.run([*PG_ADMIN, f'CREATE DATABASE "{database}"'], capture_output=True, text=True)
        if made.returncode != 0:
            raise PartSkipped(f"PostgreSQL: {made.stderr.strip()[:200]}")
    except PartSkipped as exc:
        print(f"  PostgreSQL skipped: {exc}")
        return [*rows, Row("2 search PostgreSQL", "—", "—", "—", "info", "SKIPPED")], False
    try:
        url = PG_URL.format(database=database)
        rows += search_backend(args, "PostgreSQL", tmp / "search-pg", {"DATABASE_URL": url}, url, paths, cores)
    finally:
        subprocess.run([*PG_ADMIN, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'], capture_output=True)
    return rows, True


# ----------------------------------------------------------------------------------------------- 3. download


@dataclass
class Download:
    """One download: seconds, body bytes by kind, requests, and the server's (with its workers') CPU seconds."""

    secs: float
    sizes: dict[str, int]
    requests: int
    server_cpu: float
    latencies: dict[str, list[float]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


async def download_pack(
    server: Server, cookie: str, meeting_id: int, document_id: int, width: int, concurrency: int
) -> Download:
    """As offline-copy.js: the pack, then per page its image, thumbnail and text, `concurrency` pages at a time."""
    conns = [await connection(server) for _ in range(concurrency)]
    cpu, started = tree_cpu_secs(server), time.perf_counter()
    sizes = {"pack": 0, "images": 0, "thumbnails": 0, "texts": 0}
    latencies: dict[str, list[float]] = {"images": [], "thumbnails": [], "texts": []}
    requests = 1
    try:
        status, body = await fetch(conns[0], request_bytes(server, f"/api/meetings/{meeting_id}/pack", cookie))
        if status != 200:
            raise BenchError(f"GET the pack answered {status}: {body[:300]!r}")
        sizes["pack"] = len(body)
        doc = next(d for d in json.loads(body)["documents"] if d["id"] == document_id)
        queue = list(range(1, int(doc["pages"]) + 1))
        thumb = int(doc.get("thumbnail_width") or 200)

        async def worker(conn: RawConnection) -> None:
            nonlocal requests
            while queue:
                page = str(queue.pop(0))
                for kind, path in (
                    ("images", f"{doc['image_url'].replace('{page}', page)}?width={width}"),
                    ("thumbnails", f"{doc['image_url'].replace('{page}', page)}?width={thumb}"),
                    ("texts", doc["text_url"].replace("{page}", page)),
                ):
                    began = time.perf_counter()
                    status, body = await fetch(conn, request_bytes(server, path, cookie))
                    latencies[kind].append((time.perf_counter() - began) * 1000)
                    if status != 200:
                        raise BenchError(f"GET {path} answered {status}: {body[:300]!r}")
                    sizes[kind] += len(body)
                    requests += 1

        await asyncio.gather(*(worker(conn) for conn in conns))
        return Download(time.perf_counter() - started, sizes, requests, tree_cpu_secs(server) - cpu, latencies)
    finally:
        for conn in conns:
            await conn.close()


async def download_file(server: Server, cookie: str, document_id: int) -> Download:
    conn = await connection(server)
    cpu, started = tree_cpu_secs(server), time.perf_counter()
    try:
        status, body = await fetch(conn, request_bytes(server, f"/api/documents/{document_id}/file", cookie))
        if status != 200:
            raise BenchError(f"GET the file answered {status}: {body[:300]!r}")
        return Download(time.perf_counter() - started, {"pdf": len(body)}, 1, tree_cpu_secs(server) - cpu)
    finally:
        await conn.close()


def part_download(args: argparse.Namespace, tmp: Path, paths: list[Path], cores: set[int]) -> list[Row]:
    print(
        f"\n3. Pre-downloading a {args.pages}-page pack as a tablet does: images at {args.width} px, thumbnails, "
        f"texts; {args.concurrency} fetches at once; {len(paths)} rounds of cold, baseline, warm"
    )
    figures: dict[str, list[Download]] = {"cold": [], "pdf": [], "warm": []}
    with running_server(tmp / "download", {}, cores) as server:
        secretary = Secretary.of(server)
        # Processed with both cores, before pinning; each round downloads its own paper (unrendered until then).
        docs, took = secretary.add(paths, server)
        print(f"  {took}")
        pin_server(server)
        cookie = cookie_of(signed_in(server, MEMBER))
        for number, doc in enumerate(docs, 1):
            document_id = int(doc["id"])
            cold = asyncio.run(
                download_pack(server, cookie, secretary.meeting_id, document_id, args.width, args.concurrency)
            )
            pdf = asyncio.run(download_file(server, cookie, document_id))
            warm = asyncio.run(
                download_pack(server, cookie, secretary.meeting_id, document_id, args.width, args.concurrency)
            )
            for kind, one in (("cold", cold), ("pdf", pdf), ("warm", warm)):
                figures[kind].append(one)
            print(
                f"  run {number}  P cold: {cold.secs:.2f} s, {cold.total / 1e6:.1f} MB in {cold.requests} requests, "
                f"server CPU {cold.server_cpu:.1f} s; P warm: {warm.secs:.2f} s, {warm.total / 1e6:.1f} MB, "
                f"server CPU {warm.server_cpu:.1f} s; B PDF: {pdf.secs:.2f} s, {pdf.total / 1e6:.2f} MB"
            )
    first = figures["warm"][0]
    parts = ", ".join(f"{kind} {size / 1e6:.2f} MB" for kind, size in first.sizes.items())
    print(
        f"  bytes of one pack: {parts}; {first.total / args.pages / 1024:.0f} KiB per page in all "
        f"(the pack lists the {len(docs)} papers of the rounds; each round fetches its own)"
    )
    print(f"  median (min–max) over {len(paths)} rounds: seconds; server + PDF workers CPU seconds")
    for kind, label in (("cold", "P pack, cold (rendered now)"), ("warm", "P pack, warm"), ("pdf", "B the PDF")):
        runs = figures[kind]
        size = statistics.median(d.total for d in runs) / 1e6
        print(
            f"  {label:<28} {spread([d.secs for d in runs], 2):>20} s  "
            f"{spread([d.server_cpu for d in runs], 2):>20} CPU s  {size:.2f} MB"
        )
    for kind in ("cold", "warm"):
        each = ", ".join(
            f"{what} {pooled([v for d in figures[kind] for v in d.latencies[what]])}"
            for what in ("images", "thumbnails", "texts")
        )
        print(f"  {kind} requests, ms with {args.concurrency} in flight: {each}")
    pdf_secs = statistics.median(d.secs for d in figures["pdf"])
    pdf_bytes = statistics.median(d.total for d in figures["pdf"])
    rows = []
    for kind in ("cold", "warm"):
        secs = statistics.median(d.secs for d in figures[kind])
        size = statistics.median(d.total for d in figures[kind])
        rows.append(
            Row(
                f"3 pack pre-download, {kind} ({args.pages} p, {args.width} px)",
                f"{secs:.2f} s, {size / 1e6:.1f} MB",
                f"PDF {pdf_secs:.2f} s, {pdf_bytes / 1e6:.2f} MB",
                f"{ratio_text(secs / pdf_secs)} time, {ratio_text(size / pdf_bytes)} bytes",
                "info",
                "info",
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds in each part (default 5)")
    parser.add_argument("--followers", type=int, default=100, help="following tablets in part 1 (default 100)")
    parser.add_argument("--turns", type=int, default=10, help="page turns of each kind per round (default 10)")
    parser.add_argument("--no-browser", action="store_true", help="part 1 without Chromium")
    parser.add_argument("--packs", type=int, default=20, help="packs searched in part 2 (default 20)")
    parser.add_argument("--pages", type=int, default=300, help="pages per pack (default 300)")
    parser.add_argument("--requests", type=int, default=8, help="requests per query per round (default 8)")
    parser.add_argument("--direct", type=int, default=2, help="index and LIKE queries per query per round (2)")
    parser.add_argument("--width", type=int, default=1200, help="image width pre-downloaded in part 3 (1200)")
    parser.add_argument("--concurrency", type=int, default=4, help="fetches at once in part 3 (default 4)")
    parser.add_argument("--parts", default="1,2,3", help="which parts to run (default 1,2,3)")
    args = parser.parse_args()
    try:
        parts = {int(part) for part in args.parts.split(",")}
    except ValueError:
        parser.error("--parts: numbers from 1 to 3, comma-separated")
    if args.runs < 1 or args.turns < 1 or args.followers < 2 or args.packs < 1 or args.requests < 1:
        parser.error("--runs, --turns, --packs, --requests ≥ 1 and --followers ≥ 2")
    if args.pages < 2 * PAGE_GROUP or not parts <= {1, 2, 3}:
        parser.error(f"--pages ≥ {2 * PAGE_GROUP}; --parts from 1 to 3")
    cores = os.sched_getaffinity(0)
    if not {SERVER_CORE, LOAD_CORE} <= cores or shutil.which("taskset") is None:
        print("benchmark failed: needs cores 0 and 1 and taskset to pin server and load apart", file=sys.stderr)
        return 1

    # Part 1 turns to pages 4k (cold) and 4k+1 (rendered): enough packs for runs × turns of each.
    follow_packs = -(-args.runs * args.turns // (args.pages // PAGE_GROUP - 1)) if 1 in parts else 0
    search_packs = args.packs if 2 in parts else 0
    download_packs = args.runs if 3 in parts else 0
    print(
        f"eCabinet reader benchmark: parts {','.join(map(str, sorted(parts)))}, {args.runs} interleaved rounds; "
        f"server on core {SERVER_CORE}, load on core {LOAD_CORE}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    rows: list[Row] = []
    status = 0
    with tempfile.TemporaryDirectory(prefix="ecabinet-reader-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        paths = make_packs(tmp, args.pages, max(follow_packs, search_packs, download_packs))
        print(
            f"generated {len(paths)} distinct {args.pages}-page packs in {time.perf_counter() - started:.1f} s "
            f"({statistics.median(p.stat().st_size for p in paths) / 1e6:.2f} MB each)"
        )
        os.sched_setaffinity(0, {LOAD_CORE})
        try:
            if 1 in parts:
                rows += part_follow(args, tmp, paths[:follow_packs], cores)
                if shutil.which("chromium") is None or args.no_browser:
                    status = 2
            if 2 in parts:
                more, complete = part_search(args, tmp, paths[:search_packs], cores)
                rows += more
                status = status if complete else 2
            if 3 in parts:
                rows += part_download(args, tmp, paths[:download_packs], cores)
        except (BenchError, packs.BenchError) as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        print(f"\nmeasured in {time.perf_counter() - started:.0f} s")
    summary(rows)
    print(
        "\nThe issue asks for p50/p99 with 100 followers, search latency on both databases, and the bytes and time of "
        "a pack's pre-download; it sets no targets, so every figure is info."
    )
    if status:
        print("note: a part or a backend did not run (see above); the exit status is 2")
    return status


if __name__ == "__main__":
    sys.exit(main())
