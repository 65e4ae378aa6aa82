"""Page images: rendered in the sandbox on demand, at a few widths, cached on disk by the file's sha256.

A request for any width is served at the next bucket up (so a tablet and a phone share a cache), as
JPEG by default (Pillow's is ~5 ms a page; WebP costs 28–92 ms, so WebP is made only in the
background for pages someone asked for in WebP). Concurrent requests for one image render it once.
Restricted and secret pages carry the viewer's watermark, so they are rendered per view and never
cached.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path

from ecabinet.sandbox import PRIORITY_AHEAD, PRIORITY_VIEW, Sandbox
from ecabinet.uploads import FileStore

log = logging.getLogger("ecabinet.page_images")

WIDTHS = (200, 400, 800, 1200, 1600, 2400)
DEFAULT_WIDTH = 800
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Pages rendered ahead of the one just viewed (the next ones a presenter or reader turns to).
AHEAD_PAGES = 2
# Rendering ahead is skipped when this many jobs are already waiting: it must never delay a real view.
AHEAD_MAX_WAITING = 4


def bucket(width: int, max_px: int) -> int:
    """The cached width serving a requested one: the smallest bucket at least as wide, within the cap."""
    for candidate in WIDTHS:
        if candidate >= width:
            return min(candidate, max_px)
    return min(WIDTHS[-1], max_px)


class PageImages:
    """Renders and caches page images for one server process."""

    def __init__(self, sandbox: Sandbox, store: FileStore, max_px: int) -> None:
        self.sandbox = sandbox
        self.store = store
        self.max_px = max_px
        self._flights: dict[Path, asyncio.Future[Path]] = {}
        self._background: set[asyncio.Task[None]] = set()

    def path(self, sha256: str, page: int, width: int, fmt: str) -> Path:
        return self.store.page_dir(sha256) / f"{page}-w{width}.{fmt}"

    async def cached(self, sha256: str, page: int, width: int, fmt: str, priority: int = PRIORITY_VIEW) -> Path:
        """The image file, rendered now unless it is on disk or already being rendered."""
        path = self.path(sha256, page, width, fmt)
        if path.exists():
            return path
        flight = self._flights.get(path)
        if flight is not None:
            return await asyncio.shield(flight)
        flight = asyncio.get_running_loop().create_future()
        flight.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._flights[path] = flight
        try:
            await self.sandbox.run(
                "render",
                priority,
                path=str(self.store.path_for(sha256)),
                number=page,
                width=width,
                fmt=fmt,
                out=str(path),
                max_px=self.max_px,
            )
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        else:
            flight.set_result(path)
        finally:
            self._flights.pop(path, None)
        return path

    async def watermarked(self, sha256: str, page: int, width: int, fmt: str, mark: str) -> bytes:
        """An image carrying `mark`, made for one view and not kept."""
        self.store.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.store.tmp, suffix=f".{fmt}")
        os.close(fd)
        try:
            await self.sandbox.run(
                "render",
                PRIORITY_VIEW,
                path=str(self.store.path_for(sha256)),
                number=page,
                width=width,
                fmt=fmt,
                out=name,
                max_px=self.max_px,
                watermark=mark,
            )
            return await asyncio.to_thread(Path(name).read_bytes)
        finally:
            Path(name).unlink(missing_ok=True)

    def ahead(self, sha256: str, page: int, pages: int, width: int, fmt: str) -> None:
        """Render the next pages in the background, while the pool has room."""
        for number in range(page + 1, min(page + AHEAD_PAGES, pages) + 1):
            self.later(sha256, number, width, fmt)

    def later(self, sha256: str, page: int, width: int, fmt: str) -> None:
        """Render one image in the background (ahead of need, or a WebP for the next request)."""
        path = self.path(sha256, page, width, fmt)
        if path.exists() or path in self._flights or self.sandbox.waiting >= AHEAD_MAX_WAITING:
            return

        async def render() -> None:
            try:
                await self.cached(sha256, page, width, fmt, PRIORITY_AHEAD)
            except Exception as exc:
                log.debug("rendering ahead failed: %s", exc)

        task = asyncio.create_task(render())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
