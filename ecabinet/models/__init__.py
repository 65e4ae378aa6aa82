"""The database tables (DESIGN §3), one module per part of the product. Rules live in the services, not here."""

from __future__ import annotations

from ecabinet.models.annotations import Annotation, AnnotationConflict, AnnotationOp
from ecabinet.models.briefings import Briefing, RollCall
from ecabinet.models.columns import UTCDateTime, utcnow
from ecabinet.models.documents import (
    Classification,
    Document,
    DocumentPage,
    DocumentState,
    PackStatus,
    PaperKind,
    Submission,
    SubmissionStatus,
)
from ecabinet.models.meetings import (
    AgendaItem,
    Attendance,
    ItemStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Presenter,
)
from ecabinet.models.people import AuditEvent, AuditHead, GlobalRole, LoginFailure, Unit, UnitKind, User, UserSession
from ecabinet.models.record import (
    Conclusion,
    Console,
    Record,
    SpeakerRequest,
    SpeakerStatus,
    Task,
    TaskReport,
    TaskStatus,
)
from ecabinet.models.votes import Ballot, Job, PendingBallot, Poll, PollStatus, PrePosition, VoteCast

__all__ = [
    "AgendaItem",
    "Annotation",
    "AnnotationConflict",
    "AnnotationOp",
    "Attendance",
    "AuditEvent",
    "AuditHead",
    "Ballot",
    "Briefing",
    "Classification",
    "Conclusion",
    "Console",
    "Document",
    "DocumentPage",
    "DocumentState",
    "GlobalRole",
    "ItemStatus",
    "Job",
    "LoginFailure",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "PackStatus",
    "PaperKind",
    "Participant",
    "ParticipantRole",
    "PendingBallot",
    "Poll",
    "PollStatus",
    "PrePosition",
    "Presenter",
    "Record",
    "RollCall",
    "SpeakerRequest",
    "SpeakerStatus",
    "Submission",
    "SubmissionStatus",
    "Task",
    "TaskReport",
    "TaskStatus",
    "UTCDateTime",
    "Unit",
    "UnitKind",
    "User",
    "UserSession",
    "VoteCast",
    "utcnow",
]
