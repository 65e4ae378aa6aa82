"""Documents: the PDFs on agenda items, their versions, and who may see them (what processing found is
recorded by `processor.py`).

A document is one version of a paper; replacing it adds a version in the same series, which becomes
the current one only once it is ready (a replaced or failed version is never shown as current).
Classification rules come from `classification.py`; the PDF work itself happens in the sandbox
(`processor.py`, `page_images.py`), never here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ecabinet import audit, events
from ecabinet.classification import Viewer, download_refusal, policy, refusal
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound, NotReady
from ecabinet.lifecycle import EDITABLE
from ecabinet.models import (
    AgendaItem,
    Classification,
    Document,
    DocumentState,
    Meeting,
    Submission,
    Unit,
    utcnow,
)
from ecabinet.permissions import Actor, MeetingAccess, meeting_access
from ecabinet.schemas import DocumentDetail, DocumentOut, DocumentUpdate
from ecabinet.uploads import UploadedFile


def document_out(doc: Document) -> DocumentOut:
    return DocumentOut(
        id=doc.id or 0,
        meeting_id=doc.meeting_id,
        item_id=doc.item_id,
        series_id=doc.series_id,
        version=doc.version,
        title=doc.title,
        filename=doc.filename,
        classification=doc.classification,
        state=doc.state,
        reason=doc.reason or None,
        reason_text=doc.reason_text or None,
        pages=doc.pages,
        pages_done=doc.pages_done,
        size_bytes=doc.size_bytes,
        sha256=doc.sha256,
        active_content=json.loads(doc.active_content),
        has_text=doc.has_text,
        text_encoding=doc.text_encoding,
        published=doc.published,
        current=doc.current,
        submission_id=doc.submission_id,
        uploaded_at=doc.uploaded_at,
        processed_at=doc.processed_at,
        signature_status=doc.signature_status,
        signatures=json.loads(doc.signatures),
    )


def viewer_of(access: MeetingAccess) -> Viewer:
    return Viewer(access.can_manage, access.roles, access.is_substitute)


def meeting_documents(session: Session, meeting_id: int) -> list[DocumentOut]:
    """The documents a meeting shows: the current version of each published paper, in upload order."""
    rows = session.exec(
        select(Document)
        .where(Document.meeting_id == meeting_id, col(Document.published), col(Document.current))
        .order_by(col(Document.item_id), col(Document.series_id), col(Document.id))
    ).all()
    return [document_out(doc) for doc in rows]


def announce(session: Session, doc: Document, type_: str = events.DOCUMENT_UPDATED) -> None:
    """Tell the meeting (published papers) and the uploader (always) about a document's change."""
    data = {"document": document_out(doc).model_dump(mode="json")}
    if doc.published:
        events.emit(session, events.meeting_channel(doc.meeting_id), type_, data)
    if doc.uploaded_by_id is not None:
        events.emit(session, events.user_channel(doc.uploaded_by_id), type_, data)


# ---- who may do what ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentAccess:
    """A document, and what one actor may do with it."""

    doc: Document
    meeting: Meeting
    access: MeetingAccess | None
    # A department user who submitted the paper sees it like a manager, until it is decided.
    submitter: bool

    @property
    def viewer(self) -> Viewer:
        if self.access is None:
            return Viewer(self.submitter, frozenset(), False)
        base = viewer_of(self.access)
        return Viewer(base.can_manage or self.submitter, base.roles, base.is_substitute)

    @property
    def can_manage(self) -> bool:
        return self.access is not None and self.access.can_manage


def _submitter_of(session: Session, actor: Actor, doc: Document) -> bool:
    if doc.submission_id is None or actor.user.unit_id is None:
        return False
    submission = session.get(Submission, doc.submission_id)
    return submission is not None and submission.unit_id == actor.user.unit_id


def document_access(session: Session, actor: Actor, document_id: int) -> DocumentAccess:
    """The document if the actor may know of it (else 404): a participant, a manager, or its submitter."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("No such document.")
    meeting = session.get(Meeting, doc.meeting_id)
    assert meeting is not None
    submitter = _submitter_of(session, actor, doc)
    try:
        access: MeetingAccess | None = meeting_access(session, actor, doc.meeting_id)
    except NotFound:
        if not submitter:
            raise
        access = None
    if not doc.published and not submitter and not (access and access.can_manage):
        raise NotFound("No such document.")
    return DocumentAccess(doc, meeting, access, submitter)


def readable(session: Session, actor: Actor, document_id: int) -> DocumentAccess:
    """The document if the actor may read its pages now (403 with the classification's reason if not)."""
    found = document_access(session, actor, document_id)
    why = refusal(found.doc.classification, found.viewer, found.meeting.status)
    if why:
        raise Forbidden(why)
    return found


def _manageable(session: Session, actor: Actor, document_id: int) -> DocumentAccess:
    found = document_access(session, actor, document_id)
    if not found.can_manage:
        raise Forbidden("Only the meeting's secretary or the secretariat may change its documents.")
    if found.meeting.status not in EDITABLE:
        raise Conflict(f"The meeting is {found.meeting.status}; its documents can no longer change.")
    return found


# ---- reading -----------------------------------------------------------------------------------------


def get_document(db: Database, actor: Actor, document_id: int) -> DocumentDetail:
    with db.read() as session:
        found = document_access(session, actor, document_id)
        doc = found.doc
        versions = session.exec(
            select(Document).where(Document.series_id == doc.series_id).order_by(col(Document.version))
        ).all()
        rules = policy(doc.classification)
        return DocumentDetail(
            **document_out(doc).model_dump(),
            page_sizes=json.loads(doc.page_sizes),
            outline=json.loads(doc.outline),
            versions=[document_out(v) for v in versions if v.published or found.can_manage or found.submitter],
            may_download=rules.downloadable and refusal(doc.classification, found.viewer, found.meeting.status) is None,
            watermarked=rules.watermarked,
            image_url=f"/api/documents/{doc.id}/pages/{{page}}.jpg?v={doc.sha256[:16]}",
        )


def item_documents(db: Database, actor: Actor, item_id: int, all_versions: bool = False) -> list[DocumentOut]:
    """An item's published papers: the current versions, or (for managers) every version."""
    with db.read() as session:
        item = session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No such agenda item.")
        access = meeting_access(session, actor, item.meeting_id)
        query = select(Document).where(Document.item_id == item_id, col(Document.published))
        if not (all_versions and access.can_manage):
            query = query.where(col(Document.current))
        rows = session.exec(query.order_by(col(Document.series_id), col(Document.version))).all()
        return [document_out(doc) for doc in rows]


@dataclass(frozen=True)
class PageTicket:
    """What rendering one page needs: the file, the page, how to serve it, the watermark if any."""

    document_id: int
    meeting_id: int
    sha256: str
    page: int
    pages: int
    classification: Classification
    watermark: str


def page_ticket(db: Database, actor: Actor, document_id: int, page: int) -> PageTicket:
    """Check that the actor may see this page now; record the view when the classification asks for it.

    Most pages are public or internal: those are checked in a read, with no write per page turned.
    """
    with db.read() as session:
        ticket = _page_ticket(session, actor, document_id, page)
    rules = policy(ticket.classification)
    if not rules.audited and not rules.watermarked:
        return ticket
    with db.write() as session:
        # Checked again in the transaction that records the view, with the viewer's watermark.
        ticket = _page_ticket(session, actor, document_id, page)
        rules = policy(ticket.classification)
        if rules.audited:
            audit.append(
                session,
                actor_id=actor.id,
                action="document.viewed",
                object_type="document",
                object_id=document_id,
                meeting_id=ticket.meeting_id,
                data={"page": page, "classification": str(ticket.classification)},
            )
        return replace(ticket, watermark=_mark(session, actor) if rules.watermarked else "")


def _page_ticket(session: Session, actor: Actor, document_id: int, page: int) -> PageTicket:
    doc = readable(session, actor, document_id).doc
    if doc.state == DocumentState.rejected:
        raise Conflict(f"The document was rejected: {doc.reason_text}", reason=doc.reason)
    if doc.pages is None:
        raise NotReady(
            "The document is still being checked; its pages appear in a moment.", headers={"Retry-After": "1"}
        )
    if not 1 <= page <= doc.pages:
        raise NotFound(f"The document has pages 1 to {doc.pages}.")
    return PageTicket(document_id, doc.meeting_id, doc.sha256, page, doc.pages, doc.classification, "")


def _mark(session: Session, actor: Actor, at: dt.datetime | None = None) -> str:
    """The line stamped on what one person sees or downloads: name, unit and time (Hanoi time)."""
    unit = session.get(Unit, actor.user.unit_id) if actor.user.unit_id is not None else None
    when = (at or utcnow()).astimezone(dt.timezone(dt.timedelta(hours=7)))
    parts = [actor.user.name, unit.name if unit else "", when.strftime("%d/%m/%Y %H:%M")]
    return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class DownloadTicket:
    sha256: str
    filename: str
    line: str


def download_ticket(db: Database, actor: Actor, document_id: int) -> DownloadTicket:
    """Check that the actor may download the original; the download is audited and stamped with `line`."""
    with db.write() as session:
        return downloading(session, actor, document_id, "document.downloaded")


def downloading(
    session: Session, actor: Actor, document_id: int, action: str, suffix: str = "", data: dict[str, Any] | None = None
) -> DownloadTicket:
    """A copy of a paper leaving for the actor's device (where its classification allows), audited as `action`."""
    found = readable(session, actor, document_id)
    doc = found.doc
    why = download_refusal(doc.classification)
    if why:
        raise Forbidden(why)
    if doc.state != DocumentState.ready:
        raise NotReady("The document is still being processed; download it when it is ready.")
    audit.append(
        session,
        actor_id=actor.id,
        action=action,
        object_type="document",
        object_id=document_id,
        meeting_id=doc.meeting_id,
        data=data,
    )
    stem = doc.filename[:-4] if doc.filename.lower().endswith(".pdf") else doc.filename or doc.title
    return DownloadTicket(doc.sha256, f"{stem or 'document'}{suffix}.pdf", "Bản của " + _mark(session, actor))


def original_ticket(db: Database, actor: Actor, document_id: int) -> DownloadTicket:
    """The unaltered file of a signed paper, for checking its signature: where a download is allowed; audited."""
    with db.write() as session:
        found = readable(session, actor, document_id)
        doc = found.doc
        if doc.signature_status in ("", "none"):
            raise NotFound("This paper carries no digital signature; download the stamped copy instead.")
        why = download_refusal(doc.classification)
        if why:
            raise Forbidden(why)
        audit.append(
            session,
            actor_id=actor.id,
            action="document.original_downloaded",
            object_type="document",
            object_id=document_id,
            meeting_id=doc.meeting_id,
        )
        stem = doc.filename[:-4] if doc.filename.lower().endswith(".pdf") else doc.filename or doc.title
        return DownloadTicket(doc.sha256, f"{stem or 'document'}.pdf", "")


# ---- changing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadTarget:
    """Where an upload goes, checked before its body is read."""

    item_id: int
    meeting_id: int
    replaces: Document | None


def upload_target(db: Database, actor: Actor, item_id: int, replaces: int | None) -> UploadTarget:
    """Check that the actor may add documents to this item (and replace `replaces`), before any byte is read."""
    with db.read() as session:
        item = session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No such agenda item.")
        access = meeting_access(session, actor, item.meeting_id)
        if not access.can_manage:
            raise Forbidden("Only the meeting's secretary or the secretariat may upload documents.")
        if access.meeting.status not in EDITABLE:
            raise Conflict(f"The meeting is {access.meeting.status}; its documents can no longer change.")
        old = None
        if replaces is not None:
            old = session.get(Document, replaces)
            if old is None or old.item_id != item_id or not old.published:
                raise Invalid("replaces: no such document on this item.", field="replaces")
        return UploadTarget(item_id, item.meeting_id, old)


def add_documents(
    session: Session,
    actor: Actor,
    target: UploadTarget,
    uploads: list[UploadedFile],
    classification: Classification,
    *,
    published: bool = True,
    submission_id: int | None = None,
) -> list[Document]:
    """Add one document per uploaded file (already in the store), in the caller's transaction."""
    added = []
    for upload in uploads:
        doc = Document(
            meeting_id=target.meeting_id,
            item_id=target.item_id,
            title=upload.title,
            filename=upload.filename[:300],
            sha256=upload.sha256,
            size_bytes=upload.size,
            classification=classification,
            published=published,
            submission_id=submission_id,
            uploaded_by_id=actor.id,
        )
        if target.replaces is not None and len(uploads) == 1:
            series = target.replaces.series_id or target.replaces.id
            newest = session.exec(select(sa.func.max(Document.version)).where(Document.series_id == series)).one()
            doc.series_id = series
            doc.version = (newest or 1) + 1
            doc.title = target.replaces.title
            # The old version stays current until this one is ready.
            doc.current = False
        session.add(doc)
        session.flush()
        if doc.series_id is None:
            doc.series_id = doc.id
            session.add(doc)
        audit.append(
            session,
            actor_id=actor.id,
            action="document.uploaded",
            object_type="document",
            object_id=doc.id,
            meeting_id=target.meeting_id,
            data={"sha256": doc.sha256, "filename": doc.filename, "version": doc.version, "item_id": target.item_id},
        )
        announce(session, doc, events.DOCUMENT_ADDED)
        added.append(doc)
    return added


def create_documents(
    db: Database, actor: Actor, target: UploadTarget, uploads: list[UploadedFile], classification: Classification
) -> list[DocumentOut]:
    """The secretariat's direct upload: the documents join the item at once (processing)."""
    if target.replaces is not None and len(uploads) != 1:
        raise Invalid("replaces: a new version is one file.", field="replaces")
    with db.write() as session:
        return [document_out(d) for d in add_documents(session, actor, target, uploads, classification)]


def update_document(db: Database, actor: Actor, document_id: int, data: DocumentUpdate) -> DocumentOut:
    """Rename a document or change its classification (every version of the paper changes with it)."""
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    with db.write() as session:
        doc = _manageable(session, actor, document_id).doc
        for version in session.exec(select(Document).where(Document.series_id == doc.series_id)).all():
            for key, value in changes.items():
                setattr(version, key, value)
            session.add(version)
            if version.current or version.id == doc.id:
                announce(session, version)
        audit.append(
            session,
            actor_id=actor.id,
            action="document.updated",
            object_type="document",
            object_id=document_id,
            meeting_id=doc.meeting_id,
            data={k: str(v) for k, v in changes.items()},
        )
        session.flush()
        return document_out(doc)


def remove_document(db: Database, actor: Actor, document_id: int) -> None:
    """Take a paper (every version of it) off its item; the audit keeps what it was."""
    with db.write() as session:
        doc = _manageable(session, actor, document_id).doc
        versions = session.exec(select(Document).where(Document.series_id == doc.series_id)).all()
        for version in versions:
            was_shown = version.published and version.current
            version.published = False
            version.current = False
            session.add(version)
            if was_shown:
                data = {"document": {"id": version.id, "item_id": version.item_id}}
                events.emit(session, events.meeting_channel(version.meeting_id), events.DOCUMENT_REMOVED, data)
        audit.append(
            session,
            actor_id=actor.id,
            action="document.removed",
            object_type="document",
            object_id=document_id,
            meeting_id=doc.meeting_id,
            data={"versions": [v.id for v in versions], "title": doc.title},
        )
