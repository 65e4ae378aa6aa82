"""The PDF sandbox with real worker processes: crashes, timeouts and memory bombs fail one job, never the pool."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import signal
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from ecabinet import pdf_work
from ecabinet.sandbox import PRIORITY_PROCESS, PRIORITY_VIEW, Sandbox, SandboxError, SandboxLimits
from tests import pdf_samples

LIMITS = {"max_pages": 2000, "max_page_points": 14400}


def with_sandbox(action: Callable[[Sandbox], Awaitable[None]], **limits: Any) -> None:
    settings = {"workers": 1, "memory_bytes": 512 * 1024 * 1024, "job_timeout_secs": 30.0, **limits}

    async def main() -> None:
        sandbox = Sandbox(SandboxLimits(**settings))
        await sandbox.start()
        try:
            await action(sandbox)
        finally:
            await sandbox.stop()

    asyncio.run(main())


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


async def pages_of(sandbox: Sandbox, path: str) -> int:
    info = await sandbox.run("inspect", PRIORITY_PROCESS, path=path, limits=LIMITS)
    return int(info["pages"])


def test_a_killed_worker_fails_its_job_and_is_replaced(tmp_path: Path) -> None:
    """kill -9 during a job: that job reports `crashed`; the next job runs in a new process."""
    slow = write(tmp_path, "slow.pdf", pdf_samples.slow_page())
    good = write(tmp_path, "good.pdf", pdf_samples.paper(pages=2))

    async def action(sandbox: Sandbox) -> None:
        assert await pages_of(sandbox, good) == 2
        (first,) = sandbox.pids
        job = asyncio.create_task(
            sandbox.run(
                "extract", PRIORITY_PROCESS, path=slow, first=1, last=1, thumb_width=200, thumb_dir=str(tmp_path)
            )
        )
        await asyncio.sleep(0.3)
        assert not job.done()
        os.kill(first, signal.SIGKILL)
        with pytest.raises(SandboxError) as failed:
            await job
        assert failed.value.reason == "crashed"
        assert await pages_of(sandbox, good) == 2
        assert sandbox.pids and sandbox.pids != [first]
        assert sandbox.stats["restarts"] == 1

    with_sandbox(action)


def test_a_job_over_its_time_is_stopped(tmp_path: Path) -> None:
    """A page that takes too long to draw is cut off with `timeout`, and the pool goes on."""
    slow = write(tmp_path, "slow.pdf", pdf_samples.slow_page())
    good = write(tmp_path, "good.pdf", pdf_samples.paper(pages=1))

    async def action(sandbox: Sandbox) -> None:
        with pytest.raises(SandboxError) as failed:
            await sandbox.run(
                "extract", PRIORITY_PROCESS, path=slow, first=1, last=1, thumb_width=200, thumb_dir=str(tmp_path)
            )
        assert failed.value.reason == "timeout" and "longer than 1 s" in failed.value.message
        assert await pages_of(sandbox, good) == 1

    with_sandbox(action, job_timeout_secs=1.0)


def test_memory_is_bounded_per_worker(tmp_path: Path) -> None:
    """A stream inflating to 1 GiB is read within the limit; a pixmap beyond it fails alone with out_of_memory."""
    bomb = write(tmp_path, "bomb.pdf", pdf_samples.flate_bomb(megabytes=1024))
    huge = write(tmp_path, "huge.pdf", pdf_samples.huge_media_box(side=14400))
    good = write(tmp_path, "good.pdf", pdf_samples.paper(pages=1))
    budget = 128 * 1024 * 1024

    async def action(sandbox: Sandbox) -> None:
        assert await pages_of(sandbox, good) == 1
        (pid,) = sandbox.pids
        own = vm_kib(pid, "VmSize")
        drawn = await sandbox.run(
            "render", PRIORITY_VIEW, path=bomb, number=1, width=800, fmt="jpg", out=str(tmp_path / "b.jpg"), max_px=2400
        )
        assert drawn["width"] == 800
        assert sandbox.pids == [pid] and vm_kib(pid, "VmPeak") <= own + budget // 1024
        # 8,000 px square is 192 MB of RGB: over this worker's 128 MiB.
        with pytest.raises(SandboxError) as failed:
            await sandbox.run(
                "render",
                PRIORITY_VIEW,
                path=huge,
                number=1,
                width=8000,
                fmt="jpg",
                out=str(tmp_path / "h.jpg"),
                max_px=8000,
            )
        assert failed.value.reason == "out_of_memory", failed.value.message
        assert await pages_of(sandbox, good) == 1

    with_sandbox(action, memory_bytes=budget)


def vm_kib(pid: int, key: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{key}:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match.group(1))


def test_jobs_wait_their_turn_by_priority(tmp_path: Path) -> None:
    """With one worker busy, a page someone looks at (priority 0) runs before queued processing (priority 1)."""
    good = write(tmp_path, "good.pdf", pdf_samples.paper(pages=1))
    slow = write(tmp_path, "slow.pdf", pdf_samples.slow_page(operations=1_000_000))
    order: list[str] = []

    async def action(sandbox: Sandbox) -> None:
        async def job(name: str, priority: int) -> None:
            await sandbox.run("inspect", priority, path=good, limits=LIMITS)
            order.append(name)

        await pages_of(sandbox, good)
        busy = asyncio.create_task(
            sandbox.run("extract", PRIORITY_PROCESS, path=slow, first=1, last=1, thumb_width=0, thumb_dir="")
        )
        await asyncio.sleep(0.05)
        queued = [asyncio.create_task(job(f"process{i}", PRIORITY_PROCESS)) for i in range(3)]
        await asyncio.sleep(0.01)
        view = asyncio.create_task(job("view", PRIORITY_VIEW))
        await asyncio.gather(busy, *queued, view)
        assert order[0] == "view", order

    with_sandbox(action)


def test_word_boxes_follow_the_text_word_for_word() -> None:
    """Each word of a page's text has its box, in the page's shown (rotated) coordinates."""
    for path in (pdf_samples.FOUR_PAGES, pdf_samples.CORPUS / "015-arabic" / "habibi-rotated.pdf"):
        found = pdf_work.extract(str(path), 1, 1, 0, "")["pages"][0]
        words = [w for w in re.split(r"[ \n]", found["text"]) if w] if found["text"] else []
        packed = base64.b64decode(found["boxes"])
        boxes = list(struct.iter_unpack("<4f", packed))
        assert len(boxes) == len(words) > 0
        with pymupdf.open(path) as doc:
            shown = doc[0].rect
            expected = doc[0].get_text("words", sort=False)
        for x0, y0, x1, y1 in boxes:
            assert -1 <= x0 <= x1 <= shown.width + 1 and -1 <= y0 <= y1 <= shown.height + 1
        assert words == [w[4] for w in expected]
