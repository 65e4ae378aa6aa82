"""Event types and their emission: what the hub delivers when a durable change commits.

A service calls `emit()` inside its write transaction; the event joins the transaction's outbox and
is written to the event log with its seq just before the commit (`Database.write`), then the hub rings
the doorbell. Every type is listed in docs/protocol.md with its data.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ecabinet.database import outbox
from realtime.eventlog import Pending

MEETING_UPDATED = "meeting.updated"
MEETING_TRANSITIONED = "meeting.transitioned"
ITEM_CREATED = "item.created"
ITEM_UPDATED = "item.updated"
ITEM_DELETED = "item.deleted"
AGENDA_REORDERED = "agenda.reordered"
PARTICIPANT_ADDED = "participant.added"
PARTICIPANT_UPDATED = "participant.updated"
PARTICIPANT_REMOVED = "participant.removed"
MEETINGS_CHANGED = "meetings.changed"
DOCUMENT_ADDED = "document.added"
DOCUMENT_UPDATED = "document.updated"
DOCUMENT_REMOVED = "document.removed"
SUBMISSION_UPDATED = "submission.updated"
POLL_UPDATED = "poll.updated"
POLL_CAST = "poll.cast"
POLL_REMINDER = "poll.reminder"
PREPOSITION_UPDATED = "preposition.updated"
PRESENTER_PAGE = "presenter.page"
PRESENTER_UPDATED = "presenter.updated"
FLOOR_UPDATED = "floor.updated"
CONCLUSION_UPDATED = "conclusion.updated"
CONCLUSION_DELETED = "conclusion.deleted"
TASK_UPDATED = "task.updated"
TASK_REMINDER = "task.reminder"
RECORD_UPDATED = "record.updated"
ANNOTATION_UPDATED = "annotation.updated"
ANNOTATION_DELETED = "annotation.deleted"
ANNOTATIONS_MOVED = "annotations.moved"
BRIEFING_UPDATED = "briefing.updated"
# Volatile (never logged, never replayed): a document's processing, page by page; a tablet's page and
# its offline copy of the pack, to the meeting's chair and secretary.
DOCUMENT_PROGRESS = "document.progress"
READER_POSITION = "reader.position"
PACK_STATUS = "pack.status"
# The presenter's pointer and the stroke they are drawing, to every tablet of the meeting.
PRESENTER_POINTER = "presenter.pointer"
PRESENTER_INK = "presenter.ink"
# The bridge's own offer to one peer (renegotiation), and whose track each of its lines now carries, on that
# peer's user:{id}; who is connected, on bridge:{id}.
RTC_OFFER = "rtc.offer"
RTC_TRACKS = "rtc.tracks"
BRIEFING_PEERS = "briefing.peers"
VOLATILE_TYPES = (
    DOCUMENT_PROGRESS,
    READER_POSITION,
    PACK_STATUS,
    PRESENTER_POINTER,
    PRESENTER_INK,
    RTC_OFFER,
    RTC_TRACKS,
    BRIEFING_PEERS,
)

# Every event type with its one-line description (docs/protocol.md lists each; a test checks).
TYPES: dict[str, str] = {
    MEETING_UPDATED: 'The meeting\'s details changed (title, time, place, kind): data {"meeting"}.',
    MEETING_TRANSITIONED: 'The meeting moved to another status: data {"meeting", "from"}.',
    ITEM_CREATED: 'An agenda item was added: data {"item", "items"} (the whole agenda, renumbered).',
    ITEM_UPDATED: 'An agenda item changed (title, presenter, duration, status): data {"item", "items"}.',
    ITEM_DELETED: 'An agenda item and its sub-items were removed: data {"item": {"id"}, "ids", "items"}.',
    AGENDA_REORDERED: 'The agenda\'s order or nesting changed: data {"items"}.',
    PARTICIPANT_ADDED: 'Someone joined the meeting\'s participants: data {"participant", "quorum"}.',
    PARTICIPANT_UPDATED: (
        'A participant changed (role, vote, substitute, attendance, check-in): data {"participant", "quorum"}.'
    ),
    PARTICIPANT_REMOVED: 'A participant was removed: data {"participant": {"id", "user_id"}, "quorum"}.',
    MEETINGS_CHANGED: 'On user:{id}: the user\'s list of meetings changed: data {"meeting_id"}.',
    DOCUMENT_ADDED: (
        'A document (or a new version) was uploaded and is processing: data {"document"}. On meeting:{id} for '
        "published papers, and on the uploader's user:{id}."
    ),
    DOCUMENT_UPDATED: (
        "A document changed: checked (pages known), ready, rejected (with reason), renamed, reclassified, or no "
        'longer current: data {"document"}. Same channels as document.added.'
    ),
    DOCUMENT_REMOVED: 'A paper was taken off its item: data {"document": {"id", "item_id"}}.',
    SUBMISSION_UPDATED: (
        'A department\'s paper was submitted, accepted or returned: data {"submission"} on user:{id} of its '
        'submitter; on meeting:{id} only {"submission": {"id", "item_id", "status", "late"}}.'
    ),
    PRESENTER_PAGE: (
        'The presenter turned to a page; following tablets go there: data {"document_id", "page", "zoom", "by", '
        '"presenter_id", "at"}.'
    ),
    PRESENTER_UPDATED: 'Who presents changed, or the presentation ended: data {"presenter"}.',
    POLL_UPDATED: 'A poll was created, opened or closed (with its result): data {"poll"}.',
    POLL_CAST: (
        'A member voted (never what, while the poll is open; never what at all in a secret poll): data {"poll_id", '
        '"cast", "eligible", "user_id"}.'
    ),
    POLL_REMINDER: 'On user:{id}: a written poll the user has not answered closes soon: data {"poll_id", "meeting_id", '
    '"question", "deadline"}.',
    PREPOSITION_UPDATED: (
        'A member set or withdrew a position on an item: data {"item_id", "agree", "object", "speak"}.'
    ),
    FLOOR_UPDATED: (
        "Someone asked to speak or withdrew, the floor was given or a turn ended, or the console changed hands: "
        'data {"floor"}.'
    ),
    CONCLUSION_UPDATED: 'A conclusion on an item was recorded or edited, or its tasks changed: data {"conclusion"}.',
    CONCLUSION_DELETED: 'A conclusion was removed with its tasks: data {"conclusion": {"id", "item_id"}}.',
    TASK_UPDATED: (
        'A task was created or changed (status, due date, owner) or its unit reported on it: data {"task"}; on '
        "meeting:{id} and on user:{id} of each person in the owner unit."
    ),
    TASK_REMINDER: (
        'On user:{id} of each person in the task\'s unit: a task falls due soon or is overdue: data {"task", '
        '"kind": "due_soon"|"overdue"}.'
    ),
    ANNOTATION_UPDATED: (
        'An annotation was made or changed: data {"annotation"}. On meeting:{id} while it is shared, and on the '
        "author's user:{id} always (their other devices)."
    ),
    ANNOTATION_DELETED: (
        'An annotation was deleted, or (on meeting:{id}) made private: data {"annotation": {"uuid", "document_id", '
        '"page"}} on the meeting; the tombstone on the author\'s user:{id}.'
    ),
    ANNOTATIONS_MOVED: (
        "A paper's new version became current and the annotations on its older versions were carried over to it: "
        'data {"document_id", "from_document_ids"}; on user:{id} of each author moved, with "placed" and '
        '"orphaned" counts of their own, and on meeting:{id} when shared ones moved. Devices read the paper\'s '
        "annotations again."
    ),
    BRIEFING_UPDATED: (
        "The online briefing started or ended, or a remote site's roll call changed (joined, absent, excused): "
        'data {"briefing"} on bridge:{id}.'
    ),
    RECORD_UPDATED: (
        'Minutes or an invitation were generated, or signed: data {"record"}; a draft only on user:{id} of the '
        "meeting's chair and secretary."
    ),
}

# Events after which a channel's clients must be authorized again (someone may have lost access).
REAUTHORIZE_AFTER = frozenset({MEETING_TRANSITIONED, PARTICIPANT_UPDATED, PARTICIPANT_REMOVED})


def meeting_channel(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def user_channel(user_id: int) -> str:
    return f"user:{user_id}"


def bridge_channel(meeting_id: int) -> str:
    return f"bridge:{meeting_id}"


def emit(session: Session, channel: str, type_: str, data: Any) -> None:
    """Add an event to the transaction's outbox; it is logged and delivered only if the transaction commits."""
    if type_ not in TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    outbox(session).append(Pending(channel, type_, data))
