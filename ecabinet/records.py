"""The documents a meeting issues: its minutes (biên bản) and its invitation (giấy mời), each generated as a
PDF laid out per Decree 30/2020, kept by version, and signed with the organisation's certificate (PAdES).

Minutes made while the meeting is live are drafts, marked as such on every page; made once it is closed they
are final and may be signed. The PDF is composed in the PDF sandbox (MuPDF is C); signing is pyHanko, on our
own file, in a thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ecabinet import audit, conclusions, events, polls, signing
from ecabinet.agenda_items import items_out
from ecabinet.database import Database
from ecabinet.errors import AppError, Conflict, Forbidden, NotFound
from ecabinet.minutes import MeetingRecord, Vote, invitation_document, minutes_document
from ecabinet.models import (
    AuditEvent,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Poll,
    PollStatus,
    Record,
    User,
    utcnow,
)
from ecabinet.official_document import OfficialDocument, to_spec
from ecabinet.participants import participants_out, quorum_of
from ecabinet.permissions import Actor, MeetingAccess, meeting_access
from ecabinet.record_schemas import RecordIn, RecordOut
from ecabinet.sandbox import PRIORITY_PROCESS, Sandbox
from ecabinet.settings import Settings
from ecabinet.tasks import Calendar
from ecabinet.uploads import FileStore
from ecabinet.vote_schemas import PollResult


class SigningNotConfigured(AppError):
    """No certificate to sign with: ECABINET_SIGNING_P12 is not set (and this is not a demo)."""

    status = 409
    code = "signing_not_configured"


@dataclass(frozen=True)
class Issuing:
    """What issuing needs beyond the database: settings, the sandbox that composes, the file store."""

    settings: Settings
    db: Database
    sandbox: Sandbox
    store: FileStore


def record_out(record: Record, names: dict[int | None, str] | None = None) -> RecordOut:
    return RecordOut(
        id=record.id or 0,
        meeting_id=record.meeting_id,
        kind=record.kind,
        version=record.version,
        number=record.number,
        draft=record.draft,
        pages=record.pages,
        created_at=record.created_at,
        created_by=(names or {}).get(record.created_by_id),
        signed=record.signed_sha256 is not None,
        signed_at=record.signed_at,
        signer=record.signer,
        url=f"/api/records/{record.id}.pdf",
    )


def _may_see(access: MeetingAccess, record: Record) -> bool:
    return access.can_chair or not record.draft


def list_records(db: Database, actor: Actor, meeting_id: int) -> list[RecordOut]:
    with db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        rows = session.exec(select(Record).where(Record.meeting_id == meeting_id).order_by(col(Record.id).desc())).all()
        names = {
            u.id: u.name for u in session.exec(select(User).where(col(User.id).in_({r.created_by_id for r in rows})))
        }
        return [record_out(r, names) for r in rows if _may_see(access, r)]


def gather(session: Session, meeting: Meeting, settings: Settings) -> MeetingRecord:
    """The meeting's record as it stands: attendance, agenda, closed polls with results, conclusions and tasks."""
    assert meeting.id is not None
    people = participants_out(session, meeting.id)
    poll_rows = session.exec(select(Poll).where(Poll.meeting_id == meeting.id).order_by(col(Poll.id))).all()
    ended = None
    if meeting.status in (MeetingStatus.closed, MeetingStatus.archived):
        ended = session.exec(
            select(func.max(AuditEvent.at)).where(
                AuditEvent.meeting_id == meeting.id, AuditEvent.action == "meeting.transitioned"
            )
        ).one()
    return MeetingRecord(
        issuer=settings.issuer_name,
        place_name=settings.place_name,
        title=meeting.title,
        place=meeting.place,
        starts_at=meeting.starts_at,
        ended_at=ended,
        status=meeting.status,
        items=items_out(session, meeting.id),
        participants=people,
        quorum=quorum_of(people),
        # The result as announced at the close: no ballots or voters are read (the minutes print none).
        votes=[
            Vote(
                item_ids=json.loads(p.item_ids),
                question=p.question,
                options=polls.options_of(p),
                secret=p.ballot == "secret",
                result=PollResult.model_validate_json(p.result) if p.result else None,
            )
            for p in poll_rows
            if p.status == PollStatus.closed
        ],
        conclusions=conclusions.meeting_conclusions(session, meeting.id, Calendar.of(settings)),
    )


def _document(issuing: Issuing, actor: Actor, meeting_id: int, data: RecordIn) -> tuple[OfficialDocument, bool]:
    """The record to compose as the meeting stands now, and whether it is a draft (refused: 403 or 409)."""
    settings = issuing.settings
    with issuing.db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        if not access.can_chair:
            raise Forbidden("Only the chair or the meeting's secretary issues the minutes and invitations.")
        status = MeetingStatus(access.meeting.status)
        if data.kind == "minutes" and status not in (MeetingStatus.live, MeetingStatus.closed, MeetingStatus.archived):
            raise Conflict(f"The meeting is {status}; minutes are made once it is live (final once it is closed).")
        if data.kind == "invitation" and status not in (
            MeetingStatus.draft,
            MeetingStatus.scheduled,
            MeetingStatus.live,
        ):
            raise Conflict(f"The meeting is {status}; invitations are made before it ends.")
        record = gather(session, access.meeting, settings)
    if data.kind == "minutes":
        draft = status == MeetingStatus.live
        return minutes_document(record, data.number, draft, settings.zone), draft
    draft = status == MeetingStatus.draft
    document = invitation_document(record, data.number, Calendar.of(settings).today(), settings.zone)
    return dataclasses.replace(document, draft=draft), draft


async def generate(issuing: Issuing, actor: Actor, meeting_id: int, data: RecordIn) -> RecordOut:
    """Generate the minutes or the invitation as it stands now, as a new version."""
    document, draft = await asyncio.to_thread(_document, issuing, actor, meeting_id, data)
    handle, path = issuing.store.temp_file()
    handle.close()
    try:
        answer = await issuing.sandbox.run("compose", PRIORITY_PROCESS, spec=to_spec(document), out=str(path))
        sha256 = await asyncio.to_thread(issuing.store.put, path.read_bytes())
    finally:
        path.unlink(missing_ok=True)
    pages = int(answer["pages"])
    return await asyncio.to_thread(_store, issuing.db, actor, meeting_id, data, draft, pages, sha256)


def _store(
    db: Database, actor: Actor, meeting_id: int, data: RecordIn, draft: bool, pages: int, sha256: str
) -> RecordOut:
    for _attempt in range(3):
        try:
            with db.write() as session:
                version = session.exec(
                    select(func.coalesce(func.max(Record.version), 0)).where(
                        Record.meeting_id == meeting_id, Record.kind == data.kind
                    )
                ).one()
                row = Record(
                    meeting_id=meeting_id,
                    kind=data.kind,
                    version=version + 1,
                    number=data.number,
                    draft=draft,
                    pages=pages,
                    sha256=sha256,
                    created_by_id=actor.id,
                )
                session.add(row)
                session.flush()
                audit.append(
                    session,
                    actor_id=actor.id,
                    action=f"{data.kind}.generated",
                    object_type="record",
                    object_id=row.id,
                    meeting_id=meeting_id,
                    data={"version": row.version, "draft": draft, "sha256": sha256},
                )
                return _announce(session, row)
        except sa.exc.IntegrityError:
            continue  # two versions made at once: this one takes the next number
    raise Conflict("Another version is being made at this moment; try again.")


def _announce(session: Session, row: Record) -> RecordOut:
    maker = session.get(User, row.created_by_id) if row.created_by_id else None
    out = record_out(row, {row.created_by_id: maker.name} if maker else {})
    data = {"record": out.model_dump(mode="json")}
    if not row.draft:
        events.emit(session, events.meeting_channel(row.meeting_id), events.RECORD_UPDATED, data)
        return out
    # Drafts are for the chair and the secretary (on their own channels); members learn of the final record.
    leads = session.exec(
        select(Participant.user_id).where(
            Participant.meeting_id == row.meeting_id,
            col(Participant.role).in_([ParticipantRole.chair, ParticipantRole.secretary]),
        )
    ).all()
    for user_id in sorted({u for u in leads if u is not None}):
        events.emit(session, events.user_channel(user_id), events.RECORD_UPDATED, data)
    return out


def _record(session: Session, actor: Actor, record_id: int) -> tuple[Record, MeetingAccess]:
    row = session.get(Record, record_id)
    if row is None:
        raise NotFound("No such record.")
    access = meeting_access(session, actor, row.meeting_id)
    if not _may_see(access, row):
        raise NotFound("No such record.")
    return row, access


async def sign(issuing: Issuing, actor: Actor, record_id: int) -> RecordOut:
    """Sign a final record with the organisation's certificate; signing it again answers the signed record."""
    row = await asyncio.to_thread(_signable, issuing.db, actor, record_id)
    if row.signed_sha256 is not None:
        return record_out(row)
    identity = signing.identity(issuing.settings)
    if identity is None:
        raise SigningNotConfigured("No signing certificate is configured (ECABINET_SIGNING_P12).")
    try:
        signer = await asyncio.to_thread(signing.load_signer, *identity)
    except signing.SigningError as exc:
        raise SigningNotConfigured(f"The signing certificate cannot be used: {exc.message}") from None
    source = issuing.store.path_for(row.sha256)
    reason = "Ký số biên bản cuộc họp" if row.kind == "minutes" else "Ký số giấy mời họp"
    signed = await asyncio.to_thread(
        signing.sign_pdf, source.read_bytes(), signer, reason=reason, location=issuing.settings.place_name
    )
    sha256 = await asyncio.to_thread(issuing.store.put, signed)
    return await asyncio.to_thread(_keep_signed, issuing.db, actor, record_id, sha256, signing.subject_name(signer))


def _signable(db: Database, actor: Actor, record_id: int) -> Record:
    with db.read() as session:
        row, access = _record(session, actor, record_id)
        if not access.can_chair:
            raise Forbidden("Only the chair or the meeting's secretary signs the minutes and invitations.")
        if row.draft:
            raise Conflict("A draft is not signed; generate the minutes again once the meeting is closed.")
        return row


def _keep_signed(db: Database, actor: Actor, record_id: int, sha256: str, signer: str) -> RecordOut:
    with db.write() as session:
        row = session.exec(select(Record).where(Record.id == record_id).with_for_update()).one()
        if row.signed_sha256 is None:  # whoever signed first is the signature kept
            row.signed_sha256, row.signer = sha256, signer
            row.signed_by_id, row.signed_at = actor.id, utcnow()
            session.add(row)
            audit.append(
                session,
                actor_id=actor.id,
                action=f"{row.kind}.signed",
                object_type="record",
                object_id=row.id,
                meeting_id=row.meeting_id,
                data={"sha256": sha256, "signer": row.signer},
            )
            return _announce(session, row)
        return record_out(row)


@dataclass(frozen=True)
class RecordFile:
    path: Path
    filename: str


def record_file(db: Database, store: FileStore, actor: Actor, record_id: int) -> RecordFile:
    """The record's PDF to download: the signed file once signed."""
    with db.read() as session:
        row, _access = _record(session, actor, record_id)
        return _file(store, row)


def latest_file(db: Database, store: FileStore, actor: Actor, meeting_id: int, kind: str) -> RecordFile:
    """The newest minutes or invitation of a meeting the actor may see."""
    with db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        rows = session.exec(
            select(Record)
            .where(Record.meeting_id == meeting_id, Record.kind == kind)
            .order_by(col(Record.version).desc())
        ).all()
        row = next((r for r in rows if _may_see(access, r)), None)
        if row is None:
            raise NotFound(f"No {kind} have been issued for this meeting yet.")
        return _file(store, row)


def _file(store: FileStore, row: Record) -> RecordFile:
    name = "bien-ban" if row.kind == "minutes" else "giay-moi"
    suffix = "-ky-so" if row.signed_sha256 else ("-du-thao" if row.draft else "")
    return RecordFile(
        store.path_for(row.signed_sha256 or row.sha256), f"{name}-{row.meeting_id}-v{row.version}{suffix}.pdf"
    )
