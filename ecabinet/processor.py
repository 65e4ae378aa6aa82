"""The document processor: takes each uploaded PDF through the sandbox, page run by page run.

First the file is inspected (limits, page sizes, outline, active content); from then on its pages can
be viewed while the text and thumbnails of the rest are extracted in runs spread over the pool's
workers, each run reported as volatile progress. A document whose worker dies mid-way is claimed
again when its lease runs out (by this or another server process), so an upload is never stuck.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ecabinet import documents, events, reanchoring, signing
from ecabinet.database import Database
from ecabinet.errors import Conflict
from ecabinet.folding import fold, text_encoding
from ecabinet.models import Document, DocumentPage, DocumentState, utcnow
from ecabinet.page_index import index_for
from ecabinet.sandbox import PRIORITY_PROCESS, Sandbox, SandboxError
from ecabinet.schemas import DocumentOut
from ecabinet.settings import Settings
from ecabinet.uploads import FileStore

log = logging.getLogger("ecabinet.processor")

# Pages per extraction job: small enough that progress moves, both workers share a file and a page
# someone opens meanwhile waits for one run at most.
RUN_PAGES = 10
THUMBNAIL_WIDTH = 200
# How often each server process looks for documents whose processing was cut off (seconds).
SWEEP_SECS = 30.0
# A process working on a document holds it this long, renewed with each run of pages.
PROCESSING_LEASE_SECS = 120


class DocumentProcessor:
    """Processes documents in the background of one server process."""

    def __init__(self, settings: Settings, db: Database, sandbox: Sandbox, store: FileStore, hub: Any) -> None:
        self.settings = settings
        self.db = db
        self.sandbox = sandbox
        self.store = store
        self.hub = hub
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep())

    async def stop(self) -> None:
        tasks = list(self._tasks.values()) + ([self._sweeper] if self._sweeper else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    def submit(self, document_id: int) -> None:
        """Start processing a document just uploaded (the caller's transaction has committed)."""
        self._start(document_id, claimed=False)

    def _start(self, document_id: int, claimed: bool) -> None:
        if document_id in self._tasks:
            return
        task = asyncio.create_task(self._process(document_id, claimed))
        self._tasks[document_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(document_id, None))

    async def idle(self) -> None:
        """Wait until every document this process took on is finished (tests and the CLI use this)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def _sweep(self) -> None:
        while True:
            try:
                for document_id, _sha in await asyncio.to_thread(claim, self.db):
                    self._start(document_id, claimed=True)
                for document_id in await asyncio.to_thread(reanchoring.waiting, self.db):
                    await self.carry_annotations(document_id)
            except Exception:
                log.exception("looking for unfinished documents failed")
            await asyncio.sleep(SWEEP_SECS)

    async def carry_annotations(self, document_id: int) -> None:
        """Carry the annotations on older versions of a paper over to `document_id`, its current version."""
        for carry in await asyncio.to_thread(reanchoring.carries, self.db, document_id):
            try:
                answer = await self.sandbox.run(
                    "reanchor",
                    PRIORITY_PROCESS,
                    old_path=str(self.store.path_for(carry.old_sha256)),
                    new_path=str(self.store.path_for(carry.new_sha256)),
                    annotations=carry.annotations,
                )
            except SandboxError as exc:
                # Left where they are, shown on the older version's pages; the next sweep tries again.
                log.warning("carrying annotations to document %s failed: %s", document_id, exc.message)
                continue
            await asyncio.to_thread(reanchoring.record, self.db, carry, answer)

    async def _process(self, document_id: int, claimed: bool) -> None:
        try:
            if not claimed:
                taken = await asyncio.to_thread(claim, self.db, document_id)
                if not taken:
                    return
            await self._run(document_id)
        except asyncio.CancelledError:
            raise
        except Conflict:
            pass  # removed or finished elsewhere meanwhile
        except Exception:
            log.exception("processing document %s failed", document_id)

    async def _run(self, document_id: int) -> None:
        detail = await asyncio.to_thread(processing_target, self.db, document_id)
        if detail is None:
            return
        sha256, channels = detail
        path = str(self.store.path_for(sha256))
        limits = {"max_pages": self.settings.pdf_max_pages, "max_page_points": self.settings.pdf_max_page_points}
        try:
            info = await self.sandbox.run("inspect", PRIORITY_PROCESS, path=path, limits=limits)
            checked = await asyncio.to_thread(record_inspection, self.db, document_id, info)
            pages = int(info["pages"])
            self._progress(channels, checked.model_dump(mode="json"), 0, pages)
            thumbs = str(self.store.page_dir(sha256))
            runs = [(first, min(first + RUN_PAGES - 1, pages)) for first in range(1, pages + 1, RUN_PAGES)]

            # One run per worker in flight, the next starting as soon as one ends: a page someone opens
            # (a higher priority) waits for one run at most, and another upload's pages are not kept waiting.
            slots = asyncio.Semaphore(max(1, self.sandbox.limits.workers))
            failures: list[SandboxError] = []

            async def extract(first: int, last: int) -> None:
                async with slots:
                    if failures:
                        return
                    try:
                        found = await self.sandbox.run(
                            "extract",
                            PRIORITY_PROCESS,
                            path=path,
                            first=first,
                            last=last,
                            thumb_width=THUMBNAIL_WIDTH,
                            thumb_dir=thumbs,
                        )
                    except SandboxError as exc:
                        failures.append(exc)
                        return
                done = await asyncio.to_thread(record_pages, self.db, document_id, found["pages"])
                self._progress(channels, {"id": document_id}, done, pages)

            async def check_signatures() -> None:
                # A signature that cannot be checked (a worker timeout, say) marks the signature, not the paper.
                try:
                    found = await self.sandbox.run(
                        "signatures", PRIORITY_PROCESS, path=path, ca_bundle=signing.trust_bundle(self.settings)
                    )
                except SandboxError as exc:
                    found = {"status": "invalid", "signatures": [], "error": exc.reason}
                await asyncio.to_thread(record_signatures, self.db, document_id, found)

            checks = [check_signatures()] if info.get("signed") else []
            await asyncio.gather(*checks, *(extract(first, last) for first, last in runs))
            if failures:
                raise failures[0]
            ready = await asyncio.to_thread(record_ready, self.db, document_id)
            if ready.current and ready.version > 1:
                await self.carry_annotations(document_id)
        except SandboxError as exc:
            await asyncio.to_thread(record_rejection, self.db, document_id, exc.reason, exc.message)

    def _progress(self, channels: list[str], document: dict[str, Any], done: int, pages: int) -> None:
        for channel in channels:
            self.hub.volatile(channel, events.DOCUMENT_PROGRESS, {"document": document, "done": done, "pages": pages})


# ---- what processing found ---------------------------------------------------------------------------


def claim(db: Database, document_id: int | None = None) -> list[tuple[int, str]]:
    """Take documents to process (one, or every unfinished one whose worker went away): [(id, sha256)]."""
    now = utcnow()
    with db.write() as session:
        query = select(Document).where(Document.state == DocumentState.processing)
        if document_id is not None:
            query = query.where(Document.id == document_id)
        else:
            query = query.where(sa.or_(col(Document.lease_until).is_(None), col(Document.lease_until) < now))
        claimed = []
        for doc in session.exec(query.with_for_update(skip_locked=True)).all():
            doc.lease_until = now + dt.timedelta(seconds=PROCESSING_LEASE_SECS)
            session.add(doc)
            claimed.append((doc.id or 0, doc.sha256))
        return claimed


def record_inspection(db: Database, document_id: int, info: dict[str, Any]) -> DocumentOut:
    """The file passed its checks: its pages can be viewed from now on, while their text is extracted."""
    with db.write() as session:
        doc = _processing(session, document_id)
        doc.pages = int(info["pages"])
        doc.page_sizes = json.dumps(info["sizes"])
        doc.outline = json.dumps(info["outline"], ensure_ascii=False)
        doc.active_content = json.dumps(info["active_content"])
        # A signed file is checked alongside its text; an unsigned one is settled now.
        doc.signature_status = "" if info.get("signed") else "none"
        session.add(doc)
        documents.announce(session, doc)
        return documents.document_out(doc)


def record_signatures(db: Database, document_id: int, found: dict[str, Any]) -> None:
    """Keep what the signature check found (status and each signature), told to everyone who sees the paper."""
    with db.write() as session:
        doc = _processing(session, document_id)
        doc.signature_status = str(found["status"])
        doc.signatures = json.dumps(found["signatures"], ensure_ascii=False)
        session.add(doc)
        documents.announce(session, doc)


def record_pages(db: Database, document_id: int, pages: list[dict[str, Any]]) -> int:
    """Store a run of pages' text and word boxes and extend the processing lease; returns the pages done."""
    with db.write() as session:
        doc = _processing(session, document_id)
        doc.lease_until = utcnow() + dt.timedelta(seconds=PROCESSING_LEASE_SECS)
        numbers = [p["number"] for p in pages]
        session.execute(
            sa.delete(DocumentPage).where(
                col(DocumentPage.document_id) == document_id, col(DocumentPage.number).in_(numbers)
            )
        )
        folded = [(int(p["number"]), fold(p["text"])) for p in pages]
        session.execute(
            sa.insert(DocumentPage),
            [
                {"document_id": document_id, "number": p["number"], "text": p["text"], "boxes": p["boxes"], "folded": f}
                for p, (_, f) in zip(pages, folded, strict=True)
            ],
        )
        index_for(session).add(session, document_id, folded)
        doc.pages_done = session.exec(
            select(sa.func.count()).select_from(DocumentPage).where(DocumentPage.document_id == document_id)
        ).one()
        if any(p["text"].strip() for p in pages):
            doc.has_text = True
        session.add(doc)
        return doc.pages_done


def record_ready(db: Database, document_id: int) -> DocumentOut:
    """Processing finished: the version becomes the paper's current one."""
    with db.write() as session:
        doc = _processing(session, document_id)
        doc.state = DocumentState.ready
        doc.processed_at = utcnow()
        doc.lease_until = None
        texts = session.exec(select(DocumentPage.text).where(DocumentPage.document_id == document_id)).all()
        doc.text_encoding = text_encoding(list(texts))
        if doc.published:
            for older in session.exec(
                select(Document).where(
                    Document.series_id == doc.series_id, Document.id != doc.id, col(Document.current)
                )
            ).all():
                older.current = False
                session.add(older)
                if older.published:
                    documents.announce(session, older)
            doc.current = True
        session.add(doc)
        documents.announce(session, doc)
        return documents.document_out(doc)


def record_rejection(db: Database, document_id: int, reason: str, text: str) -> DocumentOut:
    """Processing failed: the version is rejected with its reason, and an older version stays current."""
    with db.write() as session:
        doc = _processing(session, document_id)
        doc.state = DocumentState.rejected
        doc.reason = reason[:32]
        doc.reason_text = text[:500]
        doc.processed_at = utcnow()
        doc.lease_until = None
        session.execute(sa.delete(DocumentPage).where(col(DocumentPage.document_id) == document_id))
        doc.pages_done = 0
        session.add(doc)
        documents.announce(session, doc)
        return documents.document_out(doc)


def _processing(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None or doc.state != DocumentState.processing:
        raise Conflict("The document is no longer being processed.")
    return doc


def processing_target(db: Database, document_id: int) -> tuple[str, list[str]] | None:
    """A document's file, and who hears its progress: its meeting if published, and its uploader."""
    with db.read() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            return None
        channels = [events.meeting_channel(doc.meeting_id)] if doc.published else []
        if doc.uploaded_by_id is not None:
            channels.append(events.user_channel(doc.uploaded_by_id))
        return doc.sha256, channels
