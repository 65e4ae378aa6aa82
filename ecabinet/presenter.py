"""The presenter: who leads the room through the briefing pack, and the page every following tablet shows.

The chair presents, or a participant the chair designates; the meeting's managers (the secretary at the
console) may turn pages too. Each page turn is a websocket action that becomes a `presenter.page`
event, so a tablet that reconnects lands on the current page (it is also in the meeting's state).
Where each tablet is reading travels the other way as volatile `reader.position` messages, to the
chair and the secretary only.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from ecabinet import audit, events
from ecabinet.annotations import check_points
from ecabinet.database import Database
from ecabinet.documents import readable
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound
from ecabinet.lifecycle import CHECK_IN_OPEN
from ecabinet.models import Participant, ParticipantRole, Presenter, User, utcnow
from ecabinet.permissions import Actor, MeetingAccess, meeting_access
from ecabinet.schemas import PresenterOut

MAX_ZOOM = 8.0
# Who sees where each tablet is reading.
WATCHERS = (ParticipantRole.chair, ParticipantRole.secretary)


def presenter_out(session: Session, meeting_id: int) -> PresenterOut:
    row = session.get(Presenter, meeting_id)
    if row is None:
        return PresenterOut()
    who = session.get(User, row.presenter_id) if row.presenter_id is not None else None
    return PresenterOut(
        presenter_id=row.presenter_id,
        presenter_name=who.name if who else None,
        document_id=row.document_id,
        page=row.page,
        zoom=row.zoom,
        by=row.by_id,
        at=row.at,
    )


def _may_present(access: MeetingAccess, row: Presenter | None, actor: Actor) -> bool:
    if access.can_manage or ParticipantRole.chair in access.roles:
        return True
    return row is not None and row.presenter_id == actor.id


def _open(access: MeetingAccess) -> None:
    if access.meeting.status not in CHECK_IN_OPEN:
        raise Conflict(f"The meeting is {access.meeting.status}; its pack is presented while scheduled or live.")


def turn_page(db: Database, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """The `presenter.page` action: every following tablet goes to this document and page."""
    document_id = _id(data.get("document_id"), "document_id")
    page = _id(data.get("page"), "page")
    zoom = data.get("zoom", 1.0)
    if isinstance(zoom, bool) or not isinstance(zoom, int | float) or not 1.0 <= zoom <= MAX_ZOOM:
        raise Invalid(f"zoom: expected a number from 1 to {MAX_ZOOM:.0f}.", field="zoom")
    with db.write() as session:
        found = readable(session, actor, document_id)
        doc, meeting_id = found.doc, found.doc.meeting_id
        access = meeting_access(session, actor, meeting_id)
        row = session.get(Presenter, meeting_id)
        if not _may_present(access, row, actor):
            raise Forbidden("Only the chair or the presenter the chair chose may present.")
        _open(access)
        if not doc.current or not doc.published or doc.pages is None:
            raise Conflict("Only a current, ready document of the pack can be presented.")
        if not 1 <= page <= doc.pages:
            raise NotFound(f"The document has pages 1 to {doc.pages}.")
        if row is None:
            row = Presenter(meeting_id=meeting_id)
        row.document_id, row.page, row.zoom = document_id, page, float(zoom)
        row.by_id, row.at = actor.id, utcnow()
        session.add(row)
        session.flush()
        out = presenter_out(session, meeting_id).model_dump(mode="json")
        turned = {key: out[key] for key in ("document_id", "page", "zoom", "by", "presenter_id", "at")}
        events.emit(session, events.meeting_channel(meeting_id), events.PRESENTER_PAGE, turned)
        return {"presenter": out}


def designate(db: Database, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """The `presenter.designate` action: the chair hands the presentation to a participant (or takes it back)."""
    meeting_id = _id(data.get("meeting_id"), "meeting_id")
    user_id = data.get("user_id")
    if user_id is not None:
        user_id = _id(user_id, "user_id")
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        if not (access.can_manage or ParticipantRole.chair in access.roles):
            raise Forbidden("Only the chair or the meeting's secretary may choose who presents.")
        _open(access)
        if user_id is not None and not _takes_part(session, meeting_id, user_id):
            raise Invalid("user_id: the presenter must be one of the meeting's participants.", field="user_id")
        row = session.get(Presenter, meeting_id) or Presenter(meeting_id=meeting_id)
        row.presenter_id = user_id
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor_id=actor.id,
            action="presenter.designated",
            object_type="meeting",
            object_id=meeting_id,
            meeting_id=meeting_id,
            data={"presenter_id": user_id},
        )
        return _updated(session, meeting_id)


def clear(db: Database, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """The `presenter.clear` action: the presentation ends; tablets keep their page and read freely."""
    meeting_id = _id(data.get("meeting_id"), "meeting_id")
    with db.write() as session:
        access = meeting_access(session, actor, meeting_id)
        row = session.get(Presenter, meeting_id)
        if not _may_present(access, row, actor):
            raise Forbidden("Only the chair or the presenter the chair chose may present.")
        if row is not None:
            row.document_id = row.page = None
            row.zoom = 1.0
            row.by_id, row.at = actor.id, utcnow()
            session.add(row)
            session.flush()
        return _updated(session, meeting_id)


def _updated(session: Session, meeting_id: int) -> dict[str, Any]:
    out = presenter_out(session, meeting_id).model_dump(mode="json")
    events.emit(session, events.meeting_channel(meeting_id), events.PRESENTER_UPDATED, {"presenter": out})
    return {"presenter": out}


def _takes_part(session: Session, meeting_id: int, user_id: int) -> bool:
    rows = session.exec(
        select(Participant.id).where(
            Participant.meeting_id == meeting_id,
            (col(Participant.user_id) == user_id) | (col(Participant.substitute_id) == user_id),
            Participant.role != ParticipantRole.site,
        )
    ).all()
    return bool(rows)


def position(db: Database, actor: Actor, data: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The `reader.position` action: where one tablet is reading; the channels of those who watch, and the message."""
    document_id = _id(data.get("document_id"), "document_id")
    page = _id(data.get("page"), "page")
    following = data.get("following", False)
    if not isinstance(following, bool):
        raise Invalid("following: expected true or false.", field="following")
    with db.read() as session:
        doc = readable(session, actor, document_id).doc
        watchers = session.exec(
            select(Participant.user_id).where(
                Participant.meeting_id == doc.meeting_id, col(Participant.role).in_(list(WATCHERS))
            )
        ).all()
    message = {
        "meeting_id": doc.meeting_id,
        "user_id": actor.id,
        "name": actor.user.name,
        "document_id": document_id,
        "page": page,
        "following": following,
    }
    channels = sorted({events.user_channel(u) for u in watchers if u is not None and u != actor.id})
    return channels, message


# A stroke's preview travels in pieces of at most this many points (a tablet sends one every 50 ms or so).
PREVIEW_MAX_POINTS = 200


def preview(db: Database, actor: Actor, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The `presenter.pointer` and `presenter.ink` actions: where the presenter points, and the stroke they are
    drawing, for every tablet that follows; the channel and the volatile message. The finished stroke is an
    annotation (shared), which is the record."""
    document_id = _id(data.get("document_id"), "document_id")
    page = _id(data.get("page"), "page")
    with db.read() as session:
        found = readable(session, actor, document_id)
        access = meeting_access(session, actor, found.doc.meeting_id)
        if not _may_present(access, session.get(Presenter, found.doc.meeting_id), actor):
            raise Forbidden("Only the chair or the presenter the chair chose may present.")
        _open(access)
        doc = found.doc
    if doc.pages is None or not 1 <= page <= doc.pages:
        raise NotFound(f"The document has pages 1 to {doc.pages or 0}.")
    width, height = json.loads(doc.page_sizes)[page - 1]
    message: dict[str, Any] = {"document_id": document_id, "page": page, "by": actor.id}
    if "point" in data:  # the pointer; null hides it
        point = data["point"]
        message["point"] = None if point is None else check_points([point], width, height, 1, 1)[0]
    else:
        stroke = data.get("stroke")
        if not isinstance(stroke, str) or not 1 <= len(stroke) <= 36:
            raise Invalid("stroke: the id the tablet gave the stroke it is drawing.", field="stroke")
        done = data.get("done", False)
        if not isinstance(done, bool):
            raise Invalid("done: expected true or false.", field="done")
        message |= {
            "stroke": stroke,
            "points": check_points(data.get("points"), width, height, 0 if done else 1, PREVIEW_MAX_POINTS),
            "done": done,
        }
    return events.meeting_channel(doc.meeting_id), message


def _id(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        raise Invalid(f"{name}: expected a positive whole number.", field=name)
    return value
