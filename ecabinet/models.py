"""The database tables (DESIGN §3). Rules live in the services, not here."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _when(nullable: bool = False, **kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable, **kwargs)


class UnitKind(StrEnum):
    city = "city"
    department = "department"
    district = "district"
    ward = "ward"
    commune = "commune"


class GlobalRole(StrEnum):
    admin = "admin"
    secretariat = "secretariat"
    staff = "staff"


class MeetingKind(StrEnum):
    cabinet_session = "cabinet_session"
    online_briefing = "online_briefing"
    thematic = "thematic"


class MeetingStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    live = "live"
    closed = "closed"
    archived = "archived"


class ParticipantRole(StrEnum):
    chair = "chair"
    secretary = "secretary"
    member = "member"
    invitee = "invitee"
    site = "site"
    observer = "observer"


class Attendance(StrEnum):
    expected = "expected"
    present = "present"
    absent = "absent"


class ItemStatus(StrEnum):
    pending = "pending"
    current = "current"
    done = "done"


class Unit(SQLModel, table=True):
    """An organisational unit: the city, a department (Sở), a district, a ward or commune."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=300)
    kind: UnitKind = Field(sa_type=sa.String(16))
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    # Validity keeps history: the 2025 reform ended districts and wards without deleting them, so a
    # past meeting still names the unit it had.
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class User(SQLModel, table=True):
    """A person who signs in."""

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: GlobalRole = Field(default=GlobalRole.staff, sa_type=sa.String(16))
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    language: str | None = Field(default=None, max_length=8)
    created_at: dt.datetime = _when(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A server-side sign-in; the cookie carries a signed random token whose hash is the id."""

    __tablename__ = "user_session"
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = _when(default_factory=utcnow)
    expires_at: dt.datetime = _when()
    last_seen_at: dt.datetime = _when(default_factory=utcnow)
    address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, kept for the rate limit's window."""

    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: dt.datetime = _when(default_factory=utcnow, index=True)


class Meeting(SQLModel, table=True):
    """A cabinet session, online briefing or thematic meeting."""

    id: int | None = Field(default=None, primary_key=True)
    kind: MeetingKind = Field(sa_type=sa.String(24))
    title: str = Field(max_length=500)
    starts_at: dt.datetime | None = _when(nullable=True, default=None)
    place: str = Field(default="", max_length=300)
    status: MeetingStatus = Field(default=MeetingStatus.draft, sa_type=sa.String(16), index=True)
    # Set when a meeting came from agendas/ so that `ecabinet demo` loads it once.
    source_key: str | None = Field(default=None, max_length=100, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)
    updated_at: dt.datetime = _when(default_factory=utcnow)


class Participant(SQLModel, table=True):
    """Someone (a user, or a remote site's unit through its account) taking part in a meeting."""

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id", name="uq_participant_meeting_user"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    role: ParticipantRole = Field(sa_type=sa.String(16))
    can_vote: bool = False
    substitute_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    attendance: Attendance = Field(default=Attendance.expected, sa_type=sa.String(16))
    absence_reason: str = Field(default="", max_length=500)
    checked_in_at: dt.datetime | None = _when(nullable=True, default=None)
    checked_in_by_id: int | None = Field(default=None, foreign_key="user.id")
    # True when the named substitute, not the participant, is the one who checked in.
    by_substitute: bool = False


class AgendaItem(SQLModel, table=True):
    """An item on a meeting's agenda; items nest under a parent and sort by weight among siblings."""

    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="agenda_item.id", index=True)
    weight: int = 0
    title: str = Field(max_length=500)
    presenter_id: int | None = Field(default=None, foreign_key="user.id")
    presenter_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    duration_minutes: int | None = None
    # When the presenting unit's papers are due; a paper submitted after it is marked late.
    submission_due_at: dt.datetime | None = _when(nullable=True, default=None)
    status: ItemStatus = Field(default=ItemStatus.pending, sa_type=sa.String(16))
    # When the item was first taken up in the live meeting (its timer runs against duration_minutes).
    started_at: dt.datetime | None = _when(nullable=True, default=None)


class AuditEvent(SQLModel, table=True):
    """One state change, chained to the previous row by its hash so that tampering shows."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True, index=True)
    at: dt.datetime = _when(default_factory=utcnow)
    actor_id: int | None = None
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(default="", max_length=64)
    meeting_id: int | None = Field(default=None, index=True)
    data: str = Field(default="{}", sa_type=sa.Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's last seq and hash: its row lock orders appends, and it reveals a deleted tail."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)


class Classification(StrEnum):
    """How widely a document may travel (DESIGN §7); the rules are in `ecabinet/classification.py`."""

    public = "public"
    internal = "internal"
    restricted = "restricted"
    secret = "secret"


class DocumentState(StrEnum):
    processing = "processing"
    ready = "ready"
    rejected = "rejected"


class SubmissionStatus(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


class PaperKind(StrEnum):
    """What a department's paper is: a proposal (tờ trình), a draft decision, a report, or other."""

    proposal = "proposal"
    draft_decision = "draft_decision"
    report = "report"
    other = "other"


class Document(SQLModel, table=True):
    """One version of a PDF on an agenda item; a new version is a new row in the same series."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    # The first version's id; every version of one paper shares it.
    series_id: int | None = Field(default=None, index=True)
    version: int = 1
    title: str = Field(max_length=300)
    filename: str = Field(default="", max_length=300)
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int = 0
    classification: Classification = Field(default=Classification.internal, sa_type=sa.String(16))
    state: DocumentState = Field(default=DocumentState.processing, sa_type=sa.String(16))
    reason: str = Field(default="", max_length=32)
    reason_text: str = Field(default="", max_length=500)
    pages: int | None = None
    pages_done: int = 0
    # [[width, height], …] in points, set once the file passed its checks (pages can then be viewed).
    page_sizes: str = Field(default="[]", sa_type=sa.Text)
    outline: str = Field(default="[]", sa_type=sa.Text)
    active_content: str = Field(default="[]", max_length=200)
    has_text: bool = False
    # What search can do with the text, known once ready: "unicode", "legacy" (TCVN3/VNI fonts) or "none".
    text_encoding: str = Field(default="", max_length=16)
    # Published documents are among the item's documents; a submission's paper is not until accepted.
    published: bool = True
    # The version shown; a new version becomes current only once it is ready.
    current: bool = True
    submission_id: int | None = Field(default=None, index=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    uploaded_at: dt.datetime = _when(default_factory=utcnow)
    processed_at: dt.datetime | None = _when(nullable=True, default=None)
    # A worker that processes the file holds it until then; an expired lease means it died.
    lease_until: dt.datetime | None = _when(nullable=True, default=None, index=True)
    # Digital signatures in the file: "" until checked, then none | valid | untrusted | modified | invalid,
    # with each signature's details (JSON) as the PDF sandbox found them against the configured CA bundle.
    signature_status: str = Field(default="", max_length=16)
    signatures: str = Field(default="[]", sa_type=sa.Text)


class DocumentPage(SQLModel, table=True):
    """One page's text, with its words' boxes in points as the page is shown (for search and highlighting)."""

    __tablename__ = "document_page"
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    number: int = Field(primary_key=True)
    text: str = Field(default="", sa_type=sa.Text)
    # base64 of little-endian float32 (x0, y0, x1, y1) per word of `text`, split at spaces and line breaks
    boxes: str = Field(default="", sa_type=sa.Text)
    # `text` folded for search (folding.fold): indexed by SQLite FTS5 or PostgreSQL full-text search.
    folded: str = Field(default="", sa_type=sa.Text)


class Presenter(SQLModel, table=True):
    """Who presents a meeting's briefing pack, and the page every following tablet shows."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    # The participant the chair designated; None: the chair presents.
    presenter_id: int | None = Field(default=None, foreign_key="user.id")
    document_id: int | None = Field(default=None, foreign_key="document.id")
    page: int | None = None
    zoom: float = 1.0
    by_id: int | None = Field(default=None, foreign_key="user.id")
    at: dt.datetime | None = _when(nullable=True, default=None)


class PackStatus(SQLModel, table=True):
    """What one tablet holds of a meeting's pack for offline reading, as it last reported."""

    __tablename__ = "pack_status"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    device_id: str = Field(max_length=64, primary_key=True)
    device_label: str = Field(default="", max_length=100)
    version: str = Field(default="", max_length=64)
    pages_cached: int = 0
    pages_total: int = 0
    complete: bool = False
    updated_at: dt.datetime = _when(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """A department's paper for an agenda item, until the secretariat accepts or returns it."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    kind: PaperKind = Field(default=PaperKind.proposal, sa_type=sa.String(24))
    title: str = Field(max_length=300)
    status: SubmissionStatus = Field(default=SubmissionStatus.submitted, sa_type=sa.String(16))
    document_id: int | None = Field(default=None, foreign_key="document.id")
    submitted_by_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: dt.datetime = _when(default_factory=utcnow)
    late: bool = False
    comment: str = Field(default="", max_length=2000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: dt.datetime | None = _when(nullable=True, default=None)


class PollStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class Poll(SQLModel, table=True):
    """A vote on an agenda item (or several: a consent agenda), live in the meeting or written with a deadline."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    # Every item the poll decides: [item_id] for one, several for a consent agenda.
    item_ids: str = Field(default="[]", max_length=2000)
    question: str = Field(max_length=500)
    # [[id, label], …]
    options: str = Field(sa_type=sa.Text)
    ballot: str = Field(default="named", max_length=8)
    mode: str = Field(default="live", max_length=8)
    rule: str = Field(max_length=64)
    status: PollStatus = Field(default=PollStatus.draft, sa_type=sa.String(8))
    deadline: dt.datetime | None = _when(nullable=True, default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)
    opened_at: dt.datetime | None = _when(nullable=True, default=None)
    closed_at: dt.datetime | None = _when(nullable=True, default=None)
    # The result as announced at close (JSON), so every later read and every repeated close agree.
    result: str = Field(default="", sa_type=sa.Text)


class VoteCast(SQLModel, table=True):
    """That a member voted in a poll (once: the unique key), by whose hand; the choice only for named polls."""

    __tablename__ = "vote_cast"
    __table_args__ = (sa.UniqueConstraint("poll_id", "participant_id"),)
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    user_id: int = Field(foreign_key="user.id")
    # The member's own request (its Idempotency-Key, hashed) or the secretary's hand.
    key_digest: str = Field(max_length=64)
    by_secretary: bool = False
    # Named polls only; a secret poll's cast row says nothing of the choice.
    choice: str = Field(default="", max_length=32)
    receipt: str = Field(default="", max_length=20)
    comment: str = Field(default="", max_length=2000)
    cast_at: dt.datetime | None = _when(nullable=True, default=None)


class Ballot(SQLModel, table=True):
    """A counted ballot: a random id, the receipt and the choice, no voter and no time.

    A secret poll's ballots wait in `pending_ballot` while it is open and are written here at close, in a
    shuffled order in one transaction, so neither ids, row order nor transaction ids follow the casting order.
    """

    id: str = Field(primary_key=True, max_length=32)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    receipt: str = Field(max_length=20)
    choice: str = Field(max_length=32)
    comment: str = Field(default="", max_length=2000)


class PendingBallot(SQLModel, table=True):
    """A secret ballot of an open poll, until the close shuffles it into `ballot` and deletes it."""

    __tablename__ = "pending_ballot"
    id: str = Field(primary_key=True, max_length=32)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    receipt: str = Field(max_length=20)
    choice: str = Field(max_length=32)
    comment: str = Field(default="", max_length=2000)


class PrePosition(SQLModel, table=True):
    """A member's position on an agenda item before the meeting: agree, object, or wish to speak."""

    __tablename__ = "pre_position"
    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: str = Field(max_length=8)
    comment: str = Field(default="", max_length=2000)
    updated_at: dt.datetime = _when(default_factory=utcnow)


class Job(SQLModel, table=True):
    """A scheduled piece of work (a written poll's reminder or close): done once, whichever worker gets it."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    # What it is about (a poll id); with `kind`, unique: scheduling again changes nothing.
    subject: str = Field(max_length=64)
    run_at: dt.datetime = _when(index=True)
    done_at: dt.datetime | None = _when(nullable=True, default=None, index=True)
    __table_args__ = (sa.UniqueConstraint("kind", "subject"),)


class SpeakerStatus(StrEnum):
    queued = "queued"
    speaking = "speaking"
    done = "done"
    withdrawn = "withdrawn"


class SpeakerRequest(SQLModel, table=True):
    """A participant's request for the floor, and their time holding it once given."""

    __tablename__ = "speaker_request"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    user_id: int = Field(foreign_key="user.id", index=True)
    status: SpeakerStatus = Field(default=SpeakerStatus.queued, sa_type=sa.String(16))
    note: str = Field(default="", max_length=300)
    requested_at: dt.datetime = _when(default_factory=utcnow)
    granted_at: dt.datetime | None = _when(nullable=True, default=None)
    ended_at: dt.datetime | None = _when(nullable=True, default=None)
    granted_by_id: int | None = Field(default=None, foreign_key="user.id")
    limit_secs: int = 0


class Console(SQLModel, table=True):
    """Who runs a live meeting's console: the chair, or the secretary who took it over."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    holder: str = Field(default="chair", max_length=16)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    since: dt.datetime = _when(default_factory=utcnow)


class Conclusion(SQLModel, table=True):
    """What the meeting concluded on an agenda item, as the secretary records it (kết luận)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    text: str = Field(sa_type=sa.Text)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)
    updated_at: dt.datetime = _when(default_factory=utcnow)


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class Task(SQLModel, table=True):
    """Work a conclusion assigns to a unit, with its due date: "rõ người, rõ việc, rõ tiến độ"."""

    id: int | None = Field(default=None, primary_key=True)
    conclusion_id: int = Field(foreign_key="conclusion.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    title: str = Field(max_length=1000)
    detail: str = Field(default="", sa_type=sa.Text)
    due_on: dt.date
    status: TaskStatus = Field(default=TaskStatus.open, sa_type=sa.String(16), index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)
    completed_at: dt.datetime | None = _when(nullable=True, default=None)


class TaskReport(SQLModel, table=True):
    """A unit's report back on its task (progress, or done)."""

    __tablename__ = "task_report"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_type=sa.Text)
    status: TaskStatus = Field(sa_type=sa.String(16))
    at: dt.datetime = _when(default_factory=utcnow)


class Record(SQLModel, table=True):
    """A document the meeting issues (minutes, invitation): one generated version, and its signed form."""

    __table_args__ = (sa.UniqueConstraint("meeting_id", "kind", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(max_length=16)
    version: int
    number: str = Field(default="", max_length=64)
    draft: bool = False
    pages: int = 0
    # Content-addressed files (files/ab/<sha256>.pdf): as generated, and as signed.
    sha256: str = Field(max_length=64)
    signed_sha256: str | None = Field(default=None, max_length=64)
    signer: str | None = Field(default=None, max_length=300)
    signed_by_id: int | None = Field(default=None, foreign_key="user.id")
    signed_at: dt.datetime | None = _when(nullable=True, default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)


class Annotation(SQLModel, table=True):
    """A member's ink, highlight or note on a page, under the uuid their tablet gave it.

    `version` counts the edits the server applied; `edited_at` is when the tablet says the last applied edit
    was made (offline edits arrive late), which decides between two devices' edits of the same annotation.
    A deletion leaves a tombstone (`deleted`), so that a device that was offline learns of it.
    """

    uuid: str = Field(primary_key=True, max_length=36)
    document_id: int = Field(foreign_key="document.id", index=True)
    # The paper (all its versions): annotations follow it to a new version.
    series_id: int = Field(index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    page: int
    kind: str = Field(max_length=16)
    visibility: str = Field(default="private", max_length=16)
    # {"points": [[x, y, pressure], …]} (ink) or {"rect": [x0, y0, x1, y1], "rects"?: […]}, PDF points as shown.
    geometry: str = Field(sa_type=sa.Text)
    # The text it is attached to: {"quote", "prefix", "suffix"} (highlights and notes), for a new version.
    anchor: str = Field(default="{}", sa_type=sa.Text)
    body: str = Field(default="", sa_type=sa.Text)
    color: str = Field(default="", max_length=16)
    version: int = 1
    deleted: bool = False
    # Its words were not found in the paper's new version: kept on it (page and geometry of the old one),
    # listed but not drawn, until its author places it again or deletes it.
    orphaned: bool = False
    edited_at: dt.datetime = _when()
    created_at: dt.datetime = _when(default_factory=utcnow)
    updated_at: dt.datetime = _when(default_factory=utcnow, index=True)


class AnnotationOp(SQLModel, table=True):
    """An applied edit, by its Idempotency-Key: a retry is answered from here and applied no second time."""

    __tablename__ = "annotation_op"
    # Keys are the user's own: one user's key never answers another's request.
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    op_id: str = Field(primary_key=True, max_length=100)
    uuid: str = Field(max_length=36)
    status: int
    answer: str = Field(sa_type=sa.Text)
    at: dt.datetime = _when(default_factory=utcnow)


class AnnotationConflict(SQLModel, table=True):
    """Two edits of one annotation made from different versions: the later kept, the other kept here, flagged."""

    __tablename__ = "annotation_conflict"
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(max_length=36, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # The edit that lost, as it was sent or as it stood (JSON), and the version that won.
    lost: str = Field(sa_type=sa.Text)
    kept_version: int
    at: dt.datetime = _when(default_factory=utcnow)
    resolved: bool = False
