"""Department submissions: a Sở's papers for its agenda items, and the secretariat's accept or return.

An item whose presenting unit is a department expects that unit's papers by the item's deadline. The
department's users submit PDFs (processed like any upload, but not yet among the item's documents);
the secretariat sees per item what is submitted, late or missing, and accepts a paper (it joins the
item's documents) or returns it with a comment (the department submits again).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from ecabinet import audit, events
from ecabinet.agenda_items import items_out
from ecabinet.database import Database
from ecabinet.documents import UploadTarget, add_documents, document_out
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound
from ecabinet.lifecycle import EDITABLE
from ecabinet.models import (
    AgendaItem,
    Classification,
    Document,
    DocumentState,
    Meeting,
    PaperKind,
    Submission,
    SubmissionStatus,
    Unit,
    User,
    utcnow,
)
from ecabinet.permissions import Actor, meeting_access
from ecabinet.schemas import BoardRow, ItemOut, SubmissionDecision, SubmissionOut
from ecabinet.uploads import UploadedFile

MISSING = "missing"
SUBMITTED = "submitted"
LATE = "late"
ACCEPTED = "accepted"
RETURNED = "returned"
NOT_EXPECTED = "not_expected"


def submission_out(session: Session, submission: Submission, item: ItemOut | None = None) -> SubmissionOut:
    if item is None:
        item = next(i for i in items_out(session, submission.meeting_id) if i.id == submission.item_id)
    unit = session.get(Unit, submission.unit_id) if submission.unit_id is not None else None
    by = session.get(User, submission.submitted_by_id) if submission.submitted_by_id is not None else None
    doc = session.get(Document, submission.document_id) if submission.document_id is not None else None
    return SubmissionOut(
        id=submission.id or 0,
        meeting_id=submission.meeting_id,
        item_id=submission.item_id,
        item_title=item.title,
        item_number=item.item_number,
        unit_id=submission.unit_id,
        unit_name=unit.name if unit else None,
        kind=submission.kind,
        title=submission.title,
        status=submission.status,
        late=submission.late,
        comment=submission.comment,
        submitted_by_name=by.name if by else None,
        submitted_at=submission.submitted_at,
        decided_at=submission.decided_at,
        document=document_out(doc) if doc else None,
    )


def _announce(session: Session, submission: Submission) -> SubmissionOut:
    out = submission_out(session, submission)
    brief = {"id": out.id, "item_id": out.item_id, "status": str(out.status), "late": out.late}
    events.emit(
        session, events.meeting_channel(submission.meeting_id), events.SUBMISSION_UPDATED, {"submission": brief}
    )
    if submission.submitted_by_id is not None:
        data = {"submission": out.model_dump(mode="json")}
        events.emit(session, events.user_channel(submission.submitted_by_id), events.SUBMISSION_UPDATED, data)
    return out


# ---- the department's side ---------------------------------------------------------------------------


def submission_target(db: Database, actor: Actor, item_id: int) -> UploadTarget:
    """Check, before the body is read, that the actor's unit presents this item and may still submit."""
    with db.read() as session:
        item = session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No such agenda item.")
        meeting = session.get(Meeting, item.meeting_id)
        assert meeting is not None
        presents = actor.user.unit_id is not None and item.presenter_unit_id == actor.user.unit_id
        if not presents:
            # Managers may submit on a department's behalf (a paper brought on paper or by e-mail).
            try:
                manages = meeting_access(session, actor, item.meeting_id).can_manage
            except NotFound:
                manages = False
            if not manages:
                raise NotFound("No such agenda item.")
        if meeting.status not in EDITABLE:
            raise Conflict(f"The meeting is {meeting.status}; papers can no longer be submitted.")
        return UploadTarget(item_id, item.meeting_id, None)


def submit(
    db: Database,
    actor: Actor,
    target: UploadTarget,
    uploads: list[UploadedFile],
    kind: PaperKind,
    title: str,
    classification: Classification,
) -> list[SubmissionOut]:
    """Submit one paper per file for the item; each is processed and waits for the secretariat."""
    with db.write() as session:
        item = session.get(AgendaItem, target.item_id)
        assert item is not None
        now = utcnow()
        late = item.submission_due_at is not None and now > item.submission_due_at
        out = []
        for upload in uploads:
            submission = Submission(
                meeting_id=target.meeting_id,
                item_id=target.item_id,
                unit_id=item.presenter_unit_id if item.presenter_unit_id is not None else actor.user.unit_id,
                kind=kind,
                title=(title if title and len(uploads) == 1 else upload.title)[:300],
                submitted_by_id=actor.id,
                submitted_at=now,
                late=late,
            )
            session.add(submission)
            session.flush()
            (doc,) = add_documents(
                session, actor, target, [upload], classification, published=False, submission_id=submission.id
            )
            doc.title = submission.title
            submission.document_id = doc.id
            session.add_all([doc, submission])
            audit.append(
                session,
                actor_id=actor.id,
                action="submission.submitted",
                object_type="submission",
                object_id=submission.id,
                meeting_id=target.meeting_id,
                data={"item_id": target.item_id, "late": late, "sha256": upload.sha256, "title": submission.title},
            )
            session.flush()
            out.append(_announce(session, submission))
        return out


def my_submissions(db: Database, actor: Actor) -> list[BoardRow]:
    """The items the actor's unit presents, in meetings still being prepared, with what it has submitted."""
    if actor.user.unit_id is None:
        return []
    with db.read() as session:
        items = session.exec(
            select(AgendaItem)
            .join(Meeting, col(Meeting.id) == col(AgendaItem.meeting_id))
            .where(AgendaItem.presenter_unit_id == actor.user.unit_id, col(Meeting.status).in_(list(EDITABLE)))
        ).all()
        rows: list[BoardRow] = []
        for meeting_id in sorted({i.meeting_id for i in items}):
            wanted = {i.id for i in items if i.meeting_id == meeting_id}
            rows.extend(r for r in _board(session, meeting_id) if r.item.id in wanted)
        return rows


# ---- the secretariat's side --------------------------------------------------------------------------


def _state(item: AgendaItem, submissions: list[Submission]) -> str:
    if not submissions:
        if item.presenter_unit_id is None:
            return NOT_EXPECTED
        return LATE if item.submission_due_at is not None and utcnow() > item.submission_due_at else MISSING
    latest = max(submissions, key=lambda s: s.id or 0)
    if latest.status == SubmissionStatus.accepted:
        return ACCEPTED
    if latest.status == SubmissionStatus.returned:
        return RETURNED
    return LATE if latest.late else SUBMITTED


def _board(session: Session, meeting_id: int) -> list[BoardRow]:
    items = {i.id: i for i in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).all()}
    submissions = session.exec(
        select(Submission).where(Submission.meeting_id == meeting_id).order_by(col(Submission.id))
    ).all()
    units = {u.id: u.name for u in session.exec(select(Unit)).all()}
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None
    rows = []
    for numbered in items_out(session, meeting_id):
        item = items[numbered.id]
        mine = [s for s in submissions if s.item_id == item.id]
        rows.append(
            BoardRow(
                meeting_id=meeting_id,
                meeting_title=meeting.title,
                meeting_starts_at=meeting.starts_at,
                item=numbered,
                due_at=item.submission_due_at,
                expected_unit_id=item.presenter_unit_id,
                expected_unit_name=units.get(item.presenter_unit_id) if item.presenter_unit_id else None,
                state=_state(item, mine),
                submissions=[submission_out(session, s, numbered) for s in mine],
            )
        )
    return rows


def board(db: Database, actor: Actor, meeting_id: int) -> list[BoardRow]:
    """Per agenda item: the unit expected to submit, the deadline, and what is submitted, late or missing."""
    with db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        access.require_manage()
        return _board(session, meeting_id)


def decide(db: Database, actor: Actor, submission_id: int, data: SubmissionDecision) -> SubmissionOut:
    """Accept a paper (it joins the item's documents) or return it to the department with a comment."""
    if data.status == SubmissionStatus.submitted:
        raise Conflict("A paper is accepted or returned; it cannot be made submitted again.")
    with db.write() as session:
        submission = session.get(Submission, submission_id)
        if submission is None:
            raise NotFound("No such submission.")
        access = meeting_access(session, actor, submission.meeting_id)
        if not access.can_manage:
            raise Forbidden("Only the meeting's secretary or the secretariat may accept or return papers.")
        if access.meeting.status not in EDITABLE:
            raise Conflict(f"The meeting is {access.meeting.status}; its papers can no longer change.")
        if submission.status != SubmissionStatus.submitted:
            raise Conflict(f"This paper was already {submission.status}.")
        if data.status == SubmissionStatus.returned and not data.comment:
            raise Invalid(
                "comment: say why the paper is returned, so the department can put it right.", field="comment"
            )
        doc = session.get(Document, submission.document_id) if submission.document_id is not None else None
        if doc is not None and doc.state == DocumentState.rejected and data.status == SubmissionStatus.accepted:
            raise Conflict(f"The paper's file cannot be used ({doc.reason_text}); return it instead.")
        submission.status = data.status
        submission.comment = data.comment
        submission.decided_by_id = actor.id
        submission.decided_at = utcnow()
        session.add(submission)
        if doc is not None and data.status == SubmissionStatus.accepted:
            doc.published = True
            doc.current = True
            session.add(doc)
            session.flush()
            data_out = {"document": document_out(doc).model_dump(mode="json")}
            events.emit(session, events.meeting_channel(doc.meeting_id), events.DOCUMENT_ADDED, data_out)
        audit.append(
            session,
            actor_id=actor.id,
            action=f"submission.{data.status}",
            object_type="submission",
            object_id=submission_id,
            meeting_id=submission.meeting_id,
            data={"comment": data.comment},
        )
        session.flush()
        return _announce(session, submission)
