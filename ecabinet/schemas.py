"""Request and response bodies of the HTTP API. Requests refuse unknown fields (422 names them)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ecabinet.errors import Invalid
from ecabinet.models import (
    Attendance,
    Classification,
    DocumentState,
    GlobalRole,
    ItemStatus,
    MeetingKind,
    MeetingStatus,
    PaperKind,
    ParticipantRole,
    SubmissionStatus,
    UnitKind,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Login = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9._-]{2,64}$")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A field validator: times sent to the API carry their zone (a naive time would be read in the wrong one)."""
    if value is not None and value.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-12-03T08:00:00+07:00")
    return value


class ErrorOut(BaseModel):
    """The one error shape (details such as `fields` or `errors` may be added)."""

    ok: bool = False
    error: str
    message: str
    status: int


def reject_nulls(changes: dict[str, Any], *names: str) -> None:
    """Refuse a PATCH that sets a required field to null (null clears only optional fields)."""
    for name in names:
        if name in changes and changes[name] is None:
            raise Invalid(f"{name}: may not be null.", field=name)


# ---- session and users -----------------------------------------------------------------------------


class SignIn(Request):
    login: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UserOut(Response):
    id: int
    login: str
    name: str
    title: str
    unit_id: int | None
    role: GlobalRole
    active: bool
    language: str | None


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str
    language: str


class MeUpdate(Request):
    language: Annotated[str, StringConstraints(pattern=r"^(vi|en)$")]


class UserCreate(Request):
    login: Login
    name: Name
    password: Annotated[str, StringConstraints(min_length=4, max_length=200)] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    unit_id: Id | None = None
    role: GlobalRole = GlobalRole.staff


class UserUpdate(Request):
    name: Name | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    unit_id: Id | None = None
    role: GlobalRole | None = None
    active: bool | None = None
    password: Annotated[str, StringConstraints(min_length=4, max_length=200)] | None = None


class PersonOut(Response):
    """What every signed-in user may see of another (the directory)."""

    id: int
    name: str
    title: str
    unit_id: int | None


# ---- units -------------------------------------------------------------------------------------------


class UnitCreate(Request):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    kind: UnitKind
    parent_id: Id | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class UnitOut(Response):
    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None


# ---- meetings ----------------------------------------------------------------------------------------


class MeetingCreate(Request):
    kind: MeetingKind
    title: Text
    starts_at: dt.datetime | None = None
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""

    _aware = field_validator("starts_at")(aware)


class MeetingUpdate(Request):
    kind: MeetingKind | None = None
    title: Text | None = None
    starts_at: dt.datetime | None = None
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None

    _aware = field_validator("starts_at")(aware)


class Transition(Request):
    to: MeetingStatus


class MeetingOut(Response):
    id: int
    kind: MeetingKind
    title: str
    starts_at: dt.datetime | None
    place: str
    status: MeetingStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    my_roles: list[ParticipantRole] = []
    can_manage: bool = False
    can_chair: bool = False


# ---- agenda ------------------------------------------------------------------------------------------


class ItemCreate(Request):
    title: Text
    parent_id: Id | None = None
    presenter_id: Id | None = None
    presenter_unit_id: Id | None = None
    duration_minutes: Annotated[int, Field(ge=0, le=24 * 60)] | None = None
    submission_due_at: dt.datetime | None = None

    _due_aware = field_validator("submission_due_at")(aware)


class ItemUpdate(Request):
    title: Text | None = None
    presenter_id: Id | None = None
    presenter_unit_id: Id | None = None
    duration_minutes: Annotated[int, Field(ge=0, le=24 * 60)] | None = None
    status: ItemStatus | None = None
    submission_due_at: dt.datetime | None = None

    _due_aware = field_validator("submission_due_at")(aware)


class OrderEntry(Request):
    id: Id
    parent_id: Id | None = None


class ItemOrder(Request):
    """Every item of the agenda in reading order, each with its parent."""

    items: Annotated[list[OrderEntry], Field(max_length=1000)]


class ItemOut(Response):
    id: int
    meeting_id: int
    parent_id: int | None
    weight: int
    item_number: str
    depth: int
    title: str
    presenter_id: int | None
    presenter_name: str | None
    presenter_unit_id: int | None
    presenter_unit_name: str | None
    duration_minutes: int | None
    status: ItemStatus
    submission_due_at: dt.datetime | None = None
    # When the item was taken up in the live meeting: its timer runs from here.
    started_at: dt.datetime | None = None


# ---- participants ------------------------------------------------------------------------------------


class ParticipantCreate(Request):
    user_id: Id | None = None
    unit_id: Id | None = None
    role: ParticipantRole
    can_vote: bool | None = None


class ParticipantUpdate(Request):
    role: ParticipantRole | None = None
    can_vote: bool | None = None
    substitute_id: Id | None = None
    attendance: Attendance | None = None
    absence_reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class ParticipantOut(Response):
    id: int
    meeting_id: int
    user_id: int | None
    name: str
    title: str
    unit_id: int | None
    unit_name: str | None
    role: ParticipantRole
    can_vote: bool
    substitute_id: int | None
    substitute_name: str | None
    attendance: Attendance
    absence_reason: str
    checked_in_at: dt.datetime | None
    by_substitute: bool


class QuorumOut(BaseModel):
    rule: str
    basis: str
    basis_en: str
    members: int
    present: int
    required: int
    met: bool


# ---- documents and submissions ---------------------------------------------------------------------


class DocumentOut(Response):
    """A document version as lists and events show it."""

    id: int
    meeting_id: int
    item_id: int
    series_id: int | None
    version: int
    title: str
    filename: str
    classification: Classification
    state: DocumentState
    reason: str | None
    reason_text: str | None
    pages: int | None
    pages_done: int
    size_bytes: int
    sha256: str
    active_content: list[str]
    has_text: bool
    # "unicode" (searchable), "legacy" (old TCVN3/VNI fonts), "none" (a scan); "" while processing
    text_encoding: str
    published: bool
    current: bool
    submission_id: int | None
    uploaded_at: dt.datetime
    processed_at: dt.datetime | None
    # Digital signatures in the file: "" until checked, then none | valid | untrusted | modified | invalid.
    signature_status: str = ""
    signatures: list[dict[str, Any]] = []


class DocumentDetail(DocumentOut):
    """One document with its pages' sizes, its outline and what its classification allows."""

    page_sizes: list[list[float]]
    outline: list[dict[str, Any]]
    versions: list[DocumentOut]
    may_download: bool
    watermarked: bool
    image_url: str


class DocumentUpdate(Request):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = None
    classification: Classification | None = None


class SubmissionOut(Response):
    id: int
    meeting_id: int
    item_id: int
    item_title: str
    item_number: str
    unit_id: int | None
    unit_name: str | None
    kind: PaperKind
    title: str
    status: SubmissionStatus
    late: bool
    comment: str
    submitted_by_name: str | None
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    document: DocumentOut | None


class SubmissionDecision(Request):
    status: SubmissionStatus
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class BoardRow(BaseModel):
    """One agenda item on the secretariat's submissions board (and on a department's list of its items)."""

    meeting_id: int
    meeting_title: str
    meeting_starts_at: dt.datetime | None
    item: ItemOut
    due_at: dt.datetime | None
    expected_unit_id: int | None
    expected_unit_name: str | None
    state: str
    submissions: list[SubmissionOut]


# ---- the presenter, and a meeting's whole state ------------------------------------------------------


class PresenterOut(BaseModel):
    """Who presents (None: the chair) and the page every following tablet shows (None until presented)."""

    presenter_id: int | None = None
    presenter_name: str | None = None
    document_id: int | None = None
    page: int | None = None
    zoom: float = 1.0
    by: int | None = None
    at: dt.datetime | None = None


class MeetingState(BaseModel):
    """Everything a meeting page shows, in one answer."""

    meeting: MeetingOut
    items: list[ItemOut]
    participants: list[ParticipantOut]
    documents: list[DocumentOut] = []
    presenter: PresenterOut = PresenterOut()
    quorum: QuorumOut
    # The floor (record_schemas.FloorOut) as its floor.updated event carries it.
    floor: dict[str, Any] | None = None
    channel: str
    seq: int
    epoch: str


class ImportReport(BaseModel):
    ok: bool
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, object]] = []


class Health(BaseModel):
    ok: bool
    database: str
