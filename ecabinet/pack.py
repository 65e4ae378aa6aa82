"""The briefing pack: a meeting's readable documents in agenda order, their pages' text, tablets' offline copies.

What a user may read follows `classification.refusal` document by document, so the pack, search and
the page routes always agree. Only public and internal pages may be kept offline on a tablet.
"""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session, col, select

from ecabinet import events
from ecabinet.agenda_items import items_out
from ecabinet.classification import policy, refusal
from ecabinet.database import Database
from ecabinet.documents import page_ticket, viewer_of
from ecabinet.models import (
    Document,
    DocumentPage,
    DocumentState,
    Meeting,
    PackStatus,
    Participant,
    ParticipantRole,
    User,
    utcnow,
)
from ecabinet.page_images import WIDTHS
from ecabinet.permissions import (
    Actor,
    MeetingAccess,
    access_from,
    meeting_access,
    my_participations,
    visible_meeting_ids_clause,
)
from ecabinet.processor import THUMBNAIL_WIDTH
from ecabinet.reader_schemas import PackDocument, PackItem, PackOut, PackStatusIn, PackStatusOut, PageText
from realtime.hub import Hub


def readable_documents(session: Session, actor: Actor, meeting_id: int | None) -> list[tuple[Document, MeetingAccess]]:
    """The current, ready, published documents the actor may read now: in one meeting, or in all they see."""
    if meeting_id is not None:
        accesses = {meeting_id: meeting_access(session, actor, meeting_id)}
    else:
        query = select(Meeting)
        clause = visible_meeting_ids_clause(actor)
        if clause is not None:
            query = query.where(clause)  # type: ignore[arg-type]
        rows: dict[int, list[Participant]] = {}
        for row in my_participations(session, actor):
            rows.setdefault(row.meeting_id, []).append(row)
        accesses = {m.id or 0: access_from(m, rows.get(m.id or 0, []), actor) for m in session.exec(query).all()}
    if not accesses:
        return []
    documents = session.exec(
        select(Document)
        .where(
            col(Document.meeting_id).in_(list(accesses)),
            col(Document.published),
            col(Document.current),
            Document.state == DocumentState.ready,
        )
        .order_by(col(Document.item_id), col(Document.series_id))
    ).all()
    found = []
    for doc in documents:
        access = accesses[doc.meeting_id]
        if refusal(doc.classification, viewer_of(access), access.meeting.status) is None:
            found.append((doc, access))
    return found


def pack(db: Database, actor: Actor, meeting_id: int) -> PackOut:
    """The meeting's pack for this user: items in reading order, each with the documents they may read."""
    with db.read() as session:
        meeting = meeting_access(session, actor, meeting_id).meeting
        readable = readable_documents(session, actor, meeting_id)
        by_item: dict[int, list[Document]] = {}
        for doc, _access in readable:
            by_item.setdefault(doc.item_id, []).append(doc)
        items: list[PackItem] = []
        documents: list[PackDocument] = []
        for item in items_out(session, meeting_id):
            mine = by_item.get(item.id, [])
            items.append(
                PackItem(
                    id=item.id,
                    item_number=item.item_number,
                    title=item.title,
                    level=item.depth + 1,
                    documents=[d.id or 0 for d in mine],
                )
            )
            documents.extend(_pack_document(doc) for doc in mine)
        return PackOut(
            meeting_id=meeting_id,
            title=meeting.title,
            version=pack_version(session, meeting_id),
            items=items,
            documents=documents,
            pages_total=sum(d.pages for d in documents),
            offline_pages=sum(d.pages for d in documents if d.offline),
            widths=list(WIDTHS),
        )


def pack_version(session: Session, meeting_id: int) -> str:
    """A fingerprint of the meeting's pack, the same for every reader: it changes when any paper or item does.

    It covers papers a given reader may not see, so one version serves every tablet (and the secretary
    can tell which tablets are behind) at the cost of an occasional check that finds nothing to fetch.
    """
    documents = session.exec(
        select(Document)
        .where(
            Document.meeting_id == meeting_id,
            col(Document.published),
            col(Document.current),
            Document.state == DocumentState.ready,
        )
        .order_by(col(Document.id))
    ).all()
    items = [[i.id, i.item_number, i.title] for i in items_out(session, meeting_id)]
    papers = [[d.id, d.item_id, d.sha256, d.title, str(d.classification)] for d in documents]
    fingerprint = json.dumps([items, papers], ensure_ascii=False)
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


def _pack_document(doc: Document) -> PackDocument:
    rules = policy(doc.classification)
    encoding = doc.text_encoding or ("unicode" if doc.has_text else "none")
    return PackDocument(
        id=doc.id or 0,
        item_id=doc.item_id,
        title=doc.title,
        state=str(doc.state),
        pages=doc.pages or 0,
        page_sizes=json.loads(doc.page_sizes),
        classification=str(doc.classification),
        offline=rules.cacheable,
        watermarked=rules.watermarked,
        may_download=rules.downloadable,
        sha256=doc.sha256,
        has_text=doc.has_text,
        searchable=encoding == "unicode",
        text_encoding=encoding,
        outline=json.loads(doc.outline),
        image_url=f"/api/documents/{doc.id}/pages/{{page}}.jpg",
        text_url=f"/api/documents/{doc.id}/pages/{{page}}/text",
        thumbnail_width=THUMBNAIL_WIDTH,
    )


def page_text(db: Database, actor: Actor, document_id: int, page: int) -> tuple[PageText, str]:
    """A page's text and word boxes, checked (and audited) as a view of the page; with its classification."""
    ticket = page_ticket(db, actor, document_id, page)
    with db.read() as session:
        row = session.get(DocumentPage, (document_id, page))
        doc = session.get(Document, document_id)
        assert doc is not None
        width, height = json.loads(doc.page_sizes)[page - 1]
        return (
            PageText(
                document_id=document_id,
                page=page,
                text=row.text if row else "",
                boxes=row.boxes if row else "",
                width=width,
                height=height,
            ),
            str(ticket.classification),
        )


# ---- tablets' offline copies ------------------------------------------------------------------------------


def report_status(db: Database, actor: Actor, meeting_id: int, data: PackStatusIn, hub: Hub) -> PackStatusOut:
    """A tablet says how much of the pack it holds offline; the meeting's managers hear of it."""
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        row = session.get(PackStatus, (meeting_id, actor.id, data.device_id))
        if row is None:
            row = PackStatus(meeting_id=meeting_id, user_id=actor.id, device_id=data.device_id)
        row.device_label = data.device_label
        row.version = data.version
        row.pages_cached = min(data.pages_cached, data.pages_total)
        row.pages_total = data.pages_total
        row.complete = data.complete and data.pages_cached >= data.pages_total
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        out = _status_out(row, actor.user.name, pack_version(session, meeting_id))
        managers = _manager_ids(session, access)
    for user_id in managers:
        hub.volatile(events.user_channel(user_id), events.PACK_STATUS, out.model_dump(mode="json"))
    return out


def statuses(db: Database, actor: Actor, meeting_id: int) -> list[PackStatusOut]:
    """Every tablet's offline copy of the pack, for the meeting's managers."""
    with db.read() as session:
        meeting_access(session, actor, meeting_id).require_manage()
        current = pack_version(session, meeting_id)
        rows = session.exec(select(PackStatus).where(PackStatus.meeting_id == meeting_id)).all()
        names = {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_([r.user_id for r in rows])))}
        out = [_status_out(r, names.get(r.user_id, ""), current) for r in rows]
    return sorted(out, key=lambda s: (s.name, s.device_label, s.device_id))


def _status_out(row: PackStatus, name: str, current: str) -> PackStatusOut:
    return PackStatusOut(
        meeting_id=row.meeting_id,
        user_id=row.user_id,
        name=name,
        device_id=row.device_id,
        device_label=row.device_label,
        version=row.version,
        pages_cached=row.pages_cached,
        pages_total=row.pages_total,
        complete=row.complete,
        current=row.version == current,
        updated_at=row.updated_at,
    )


def _manager_ids(session: Session, access: MeetingAccess) -> list[int]:
    """The users who watch the meeting's tablets: its chair and its secretary."""
    rows = session.exec(
        select(Participant.user_id).where(
            Participant.meeting_id == access.meeting.id,
            col(Participant.role).in_([ParticipantRole.chair, ParticipantRole.secretary]),
        )
    ).all()
    return sorted({user_id for user_id in rows if user_id is not None})
