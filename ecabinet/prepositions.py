"""Pre-positions: before the meeting, each member marks an item agree, object or wish to speak.

The chair sees the tally per item; the items with positions and no objection can be adopted together
in one vote (a consent agenda).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ecabinet import audit, events, polls
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound
from ecabinet.lifecycle import CHECK_IN_OPEN
from ecabinet.models import AgendaItem, PrePosition, User, utcnow
from ecabinet.permissions import Actor, MeetingAccess, meeting_access
from ecabinet.vote_schemas import PollCreate, PollOut, PrePositionIn, PrePositionsOut, PrePositionTally

POSITIONS = ("agree", "object", "speak")
CONSENT_QUESTION = "Thông qua các nội dung không có ý kiến phản đối"


def _item(session: Session, actor: Actor, item_id: int) -> tuple[AgendaItem, MeetingAccess]:
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound("No such agenda item.")
    return item, meeting_access(session, actor, item.meeting_id)


def _tally(session: Session, meeting_id: int, item_id: int) -> PrePositionTally:
    rows = session.exec(select(PrePosition.position).where(PrePosition.item_id == item_id)).all()
    return PrePositionTally(item_id=item_id, **{p: sum(r == p for r in rows) for p in POSITIONS})


def set_position(db: Database, actor: Actor, item_id: int, data: PrePositionIn | None) -> PrePositionTally:
    """Set (or with None withdraw) the actor's position on an item; members with a vote only, before it is decided."""
    try:
        return _set_position(db, actor, item_id, data)
    except sa.exc.IntegrityError:
        # The same member's first position arrived twice at once: the other insert won; this one updates it.
        return _set_position(db, actor, item_id, data)


def _set_position(db: Database, actor: Actor, item_id: int, data: PrePositionIn | None) -> PrePositionTally:
    with db.write() as session:
        item, access = _item(session, actor, item_id)
        if not polls.votes_in(session, access, actor.id):
            raise Forbidden("Only members with a vote give a position on the agenda.")
        if access.meeting.status not in CHECK_IN_OPEN:
            raise Conflict(
                f"The meeting is {access.meeting.status}; positions are given while it is scheduled or live."
            )
        row = session.get(PrePosition, (item_id, actor.id))
        if data is None:
            if row is not None:
                session.delete(row)
        else:
            row = row or PrePosition(item_id=item_id, user_id=actor.id, meeting_id=item.meeting_id, position="")
            row.position, row.comment, row.updated_at = data.position, data.comment, utcnow()
            session.add(row)
        session.flush()
        audit.append(
            session,
            actor_id=actor.id,
            action="preposition.set" if data else "preposition.withdrawn",
            object_type="agenda_item",
            object_id=item_id,
            meeting_id=item.meeting_id,
            data={"position": data.position} if data else {},
        )
        tally = _tally(session, item.meeting_id, item_id)
        events.emit(session, events.meeting_channel(item.meeting_id), events.PREPOSITION_UPDATED, tally.model_dump())
        tally.mine = data.position if data else None
        return tally


def positions(db: Database, actor: Actor, meeting_id: int) -> PrePositionsOut:
    """Per item the tally and the actor's own position; who said what for the chair and secretary."""
    with db.read() as session:
        access = meeting_access(session, actor, meeting_id)
        items = session.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)).all()
        rows = session.exec(select(PrePosition).where(PrePosition.meeting_id == meeting_id)).all()
        out = []
        for item_id in items:
            mine = [r for r in rows if r.item_id == item_id]
            tally = PrePositionTally(item_id=item_id, **{p: sum(r.position == p for r in mine) for p in POSITIONS})
            tally.mine = next((r.position for r in mine if r.user_id == actor.id), None)
            out.append(tally)
        members = []
        if polls.may_run(access):
            names = {
                u.id: u.name for u in session.exec(select(User).where(col(User.id).in_([r.user_id for r in rows])))
            }
            members = [
                {"user_id": r.user_id, "name": names.get(r.user_id, ""), "item_id": r.item_id, "position": r.position,
                 "comment": r.comment}
                for r in rows
            ]  # fmt: skip
        return PrePositionsOut(items=out, consent_item_ids=_consent(out), members=members)


def _consent(tallies: list[PrePositionTally]) -> list[int]:
    """The items with positions given and none of them an objection."""
    return [t.item_id for t in tallies if t.object == 0 and t.agree + t.speak > 0]


def consent_poll(db: Database, actor: Actor, meeting_id: int, item_ids: list[int] | None) -> PollOut:
    """A draft poll adopting together the items nobody objects to (or those given, if none is objected to)."""
    current = positions(db, actor, meeting_id)
    allowed = set(current.consent_item_ids)
    chosen = item_ids or current.consent_item_ids
    if not chosen:
        raise Conflict("No item is free of objections for a consent vote.")
    if not set(chosen) <= allowed:
        raise Invalid(
            "item_ids: an item someone objects to, or without positions, is voted on by itself.", field="item_ids"
        )
    return polls.create_poll(db, actor, chosen[0], PollCreate(question=CONSENT_QUESTION, item_ids=chosen))
