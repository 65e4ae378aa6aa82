"""Papers (each version a Document), their pages' text, departments' submissions and tablets' offline copies."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ecabinet.models.columns import utcnow, when


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
    uploaded_at: dt.datetime = when(default_factory=utcnow)
    processed_at: dt.datetime | None = when(nullable=True, default=None)
    # A worker that processes the file holds it until then; an expired lease means it died.
    lease_until: dt.datetime | None = when(nullable=True, default=None, index=True)
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
    updated_at: dt.datetime = when(default_factory=utcnow)


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
    submitted_at: dt.datetime = when(default_factory=utcnow)
    late: bool = False
    comment: str = Field(default="", max_length=2000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: dt.datetime | None = when(nullable=True, default=None)
