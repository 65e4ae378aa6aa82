"""The PDF sandbox: a supervised pool of worker processes that do every PyMuPDF job on uploaded files.

MuPDF is C and uploaded files are hostile, so no PDF is parsed in the server process. Each worker is
a separate `python -m ecabinet.sandbox` process with an address-space limit; the supervisor gives each
job a wall-clock limit and kills a worker that overruns it. A worker that dies (a crash, the memory
limit, a kill) fails only the job it was running and is replaced before the next one: unlike a plain
`ProcessPoolExecutor`, nothing else breaks (DESIGN §10). Jobs and answers are length-prefixed JSON on
the worker's stdin and stdout; nothing from a worker is unpickled.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import resource
import signal
import struct
import sys
from dataclasses import dataclass, field
from typing import Any, BinaryIO

log = logging.getLogger("ecabinet.sandbox")

HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
# A worker is replaced after this many jobs, so that whatever MuPDF keeps between jobs cannot grow.
JOBS_PER_WORKER = 400
SPAWN_TIMEOUT_SECS = 30.0

# Lower runs first: a page someone is looking at, then a document's processing, then pages ahead.
PRIORITY_VIEW = 0
PRIORITY_PROCESS = 1
PRIORITY_AHEAD = 2


class SandboxError(Exception):
    """A job failed; `reason` is a stable code (timeout, crashed, out_of_memory, or the job's own)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class SandboxLimits:
    """What one worker may use: processes, extra memory beyond its own code, seconds per job."""

    workers: int
    memory_bytes: int
    job_timeout_secs: float


@dataclass(order=True)
class _Job:
    priority: int
    order: int
    name: str = field(compare=False)
    args: dict[str, Any] = field(compare=False)
    future: asyncio.Future[dict[str, Any]] = field(compare=False)


class _Worker:
    """One worker process, spawned on first use and again after it dies."""

    def __init__(self, limits: SandboxLimits) -> None:
        self.limits = limits
        self.process: asyncio.subprocess.Process | None = None
        self.jobs_done = 0

    async def ensure(self) -> asyncio.subprocess.Process:
        if self.process is not None and self.process.returncode is None and self.jobs_done < JOBS_PER_WORKER:
            return self.process
        await self.kill()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ecabinet.sandbox",
            str(self.limits.memory_bytes),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        self.jobs_done = 0
        ready = await asyncio.wait_for(self._read(self.process), SPAWN_TIMEOUT_SECS)
        if not ready.get("ready"):
            raise SandboxError("crashed", "The PDF worker did not start.")
        return self.process

    async def run(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        process = await self.ensure()
        assert process.stdin is not None
        payload = json.dumps({"job": name, "args": args}).encode()
        process.stdin.write(HEADER.pack(len(payload)) + payload)
        try:
            await process.stdin.drain()
            answer = await asyncio.wait_for(self._read(process), self.limits.job_timeout_secs)
        except TimeoutError:
            await self.kill()
            raise SandboxError(
                "timeout", f"Processing took longer than {self.limits.job_timeout_secs:.0f} s and was stopped."
            ) from None
        except (asyncio.IncompleteReadError, ConnectionError, BrokenPipeError):
            code = await self._reap()
            if code == -signal.SIGKILL or code == -signal.SIGSEGV or code == -signal.SIGABRT or code is None:
                raise SandboxError("crashed", "The PDF reader crashed on this file.") from None
            raise SandboxError("crashed", f"The PDF reader stopped on this file (exit {code}).") from None
        self.jobs_done += 1
        if answer.get("ok"):
            result: dict[str, Any] = answer["result"]
            return result
        raise SandboxError(str(answer.get("reason", "failed")), str(answer.get("message", "The job failed.")))

    async def _read(self, process: asyncio.subprocess.Process) -> dict[str, Any]:
        assert process.stdout is not None
        (size,) = HEADER.unpack(await process.stdout.readexactly(HEADER.size))
        if size > MAX_FRAME_BYTES:
            await self.kill()
            raise SandboxError("crashed", "The PDF worker answered with an oversized message.")
        answer: dict[str, Any] = json.loads(await process.stdout.readexactly(size))
        return answer

    async def _reap(self) -> int | None:
        process, self.process = self.process, None
        if process is None:
            return None
        try:
            return await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            process.kill()
            return await process.wait()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
        await self._reap()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.returncode is None else None


class Sandbox:
    """The pool: `await sandbox.run(job, **args)` runs one job in a worker process and returns its answer."""

    def __init__(self, limits: SandboxLimits) -> None:
        self.limits = limits
        self._workers = [_Worker(limits) for _ in range(limits.workers)]
        self._queue: asyncio.PriorityQueue[_Job] | None = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._order = itertools.count()
        self.stats = {"jobs": 0, "failed": 0, "restarts": 0}

    async def start(self) -> None:
        self._queue = asyncio.PriorityQueue()
        self._wake = asyncio.Event()
        self._tasks = [asyncio.create_task(self._serve(worker)) for worker in self._workers]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for worker in self._workers:
            await worker.kill()

    async def run(self, job: str, priority: int = PRIORITY_VIEW, **args: Any) -> dict[str, Any]:
        """Run one job; raises SandboxError with the reason when the file or the worker fails it."""
        if self._queue is None:
            raise RuntimeError("the sandbox is not started")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(priority, next(self._order), job, args, future))
        self._wake.set()
        return await future

    def warm(self) -> None:
        """Start the worker processes now (an upload has begun), so its file does not wait for them."""
        if self._queue is not None:
            self._wake.set()

    @property
    def pids(self) -> list[int]:
        """The live workers' process ids (tests and the benchmark watch them)."""
        return [pid for pid in (w.pid for w in self._workers) if pid is not None]

    @property
    def waiting(self) -> int:
        return self._queue.qsize() if self._queue is not None else 0

    async def _serve(self, worker: _Worker) -> None:
        assert self._queue is not None
        # Workers start when first needed (a server that never sees a PDF never pays for them), or on `warm()`.
        await self._wake.wait()
        try:
            await worker.ensure()
        except Exception:
            log.exception("a PDF worker could not start; it is tried again on the next job")
        while True:
            job = await self._queue.get()
            if job.future.done():
                continue
            self.stats["jobs"] += 1
            try:
                result = await worker.run(job.name, job.args)
            except SandboxError as exc:
                self.stats["failed"] += 1
                if exc.reason in ("timeout", "crashed"):
                    self.stats["restarts"] += 1
                    log.warning("PDF worker %s on %s: %s", exc.reason, job.name, exc.message)
                if not job.future.done():
                    job.future.set_exception(exc)
            except asyncio.CancelledError:
                if not job.future.done():
                    job.future.set_exception(SandboxError("stopped", "The server is stopping."))
                raise
            except Exception as exc:  # a worker that cannot even start must not stop the pool
                log.exception("PDF worker failed")
                await worker.kill()
                if not job.future.done():
                    job.future.set_exception(SandboxError("crashed", f"The PDF worker failed: {exc}"))
            else:
                if not job.future.done():
                    job.future.set_result(result)


def _frame(stream: BinaryIO, message: dict[str, Any]) -> None:
    payload = json.dumps(message, ensure_ascii=False).encode()
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def _limit_memory(extra_bytes: int) -> None:
    # The limit is the worker's own footprint (interpreter, MuPDF, Pillow) plus the configured budget.
    with open("/proc/self/statm") as statm:
        own = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = own + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def worker_main(memory_bytes: int) -> None:
    """The worker's loop: read a job, run it, answer; exit when the supervisor closes stdin."""
    # Jobs arrive on stdin and answers leave on stdout; nothing else may write there.
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr
    # PyMuPDF loads its optional layout analyser (an ONNX runtime) when installed: 0.2 s and 50 MiB per
    # worker that no job uses. A None entry makes that import fail, which PyMuPDF expects and skips.
    sys.modules["pymupdf.layout"] = None  # type: ignore[assignment]
    import pymupdf

    from ecabinet import pdf_work

    _limit_memory(memory_bytes)
    _frame(stdout, {"ready": True})
    while True:
        header = stdin.read(HEADER.size)
        if len(header) < HEADER.size:
            return
        (size,) = HEADER.unpack(header)
        request = json.loads(stdin.read(size))
        try:
            job: Any = pdf_work.JOBS[request["job"]]
            result = job(**request["args"])
            answer: dict[str, Any] = {"ok": True, "result": result}
        except pdf_work.Rejection as exc:
            answer = {"ok": False, "reason": exc.reason, "message": exc.message}
        except MemoryError:
            answer = {"ok": False, "reason": "out_of_memory", "message": "The file needs more memory than allowed."}
        except Exception as exc:
            text = str(exc)
            if "malloc" in text or "memory" in text.lower() or "overly large" in text.lower():
                answer = {"ok": False, "reason": "out_of_memory", "message": "The file needs more memory than allowed."}
            else:
                answer = {"ok": False, "reason": "damaged", "message": "The file is damaged and cannot be read."}
        # Drop what MuPDF cached for this file before the next job, so one file's cost does not linger.
        pymupdf.TOOLS.store_shrink(100)  # type: ignore[no-untyped-call]
        _frame(stdout, answer)


if __name__ == "__main__":
    worker_main(int(sys.argv[1]))
