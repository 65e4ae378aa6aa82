"""Agenda items: add, edit, remove and reorder, with the agenda's numbering."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ecabinet import audit, events
from ecabinet.agenda import MAX_DEPTH, check_order, tree_order
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, Invalid, NotFound
from ecabinet.models import (
    AgendaItem,
    Document,
    DocumentPage,
    ItemStatus,
    MeetingStatus,
    Submission,
    Unit,
    User,
    utcnow,
)
from ecabinet.page_index import index_for
from ecabinet.permissions import Actor, editable_meeting, meeting_access
from ecabinet.schemas import ItemCreate, ItemOrder, ItemOut, ItemUpdate, reject_nulls


def items_out(session: Session, meeting_id: int) -> list[ItemOut]:
    """The agenda in reading order, numbered, with presenters' names."""
    items = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).all()
    by_id = {item.id: item for item in items}
    people = _names(session, User, {i.presenter_id for i in items})
    units = _names(session, Unit, {i.presenter_unit_id for i in items})
    out = []
    for placed in tree_order(items):
        item = by_id[placed.id]
        out.append(
            ItemOut(
                id=placed.id,
                meeting_id=meeting_id,
                parent_id=placed.parent_id,
                weight=item.weight,
                item_number=placed.item_number,
                depth=placed.depth,
                title=item.title,
                presenter_id=item.presenter_id,
                presenter_name=people.get(item.presenter_id),
                presenter_unit_id=item.presenter_unit_id,
                presenter_unit_name=units.get(item.presenter_unit_id),
                duration_minutes=item.duration_minutes,
                status=item.status,
                submission_due_at=item.submission_due_at,
                started_at=item.started_at,
            )
        )
    return out


def _names(session: Session, model: type[User] | type[Unit], ids: set[int | None]) -> dict[int | None, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(model.id, model.name).where(col(model.id).in_(wanted))).all()
    return {row[0]: row[1] for row in rows}


def list_items(db: Database, actor: Actor, meeting_id: int) -> list[ItemOut]:
    with db.read() as session:
        meeting_access(session, actor, meeting_id)
        return items_out(session, meeting_id)


def _check_refs(session: Session, meeting_id: int, presenter_id: int | None, presenter_unit_id: int | None) -> None:
    if presenter_id is not None and session.get(User, presenter_id) is None:
        raise Invalid(f"presenter_id: no user with id {presenter_id}.", field="presenter_id")
    if presenter_unit_id is not None and session.get(Unit, presenter_unit_id) is None:
        raise Invalid(f"presenter_unit_id: no unit with id {presenter_unit_id}.", field="presenter_unit_id")


def _depth(session: Session, item: AgendaItem) -> int:
    depth = 0
    while item.parent_id is not None:
        parent = session.get(AgendaItem, item.parent_id)
        if parent is None:
            break
        item, depth = parent, depth + 1
    return depth


def create_item(db: Database, actor: Actor, meeting_id: int, data: ItemCreate) -> ItemOut:
    """Add an item at the end of the agenda, or at the end of its parent's sub-items."""
    with db.write() as session:
        editable_meeting(session, actor, meeting_id)
        _check_refs(session, meeting_id, data.presenter_id, data.presenter_unit_id)
        if data.parent_id is not None:
            parent = session.get(AgendaItem, data.parent_id)
            if parent is None or parent.meeting_id != meeting_id:
                raise Invalid(f"parent_id: item {data.parent_id} is not on this meeting's agenda.", field="parent_id")
            if _depth(session, parent) + 1 >= MAX_DEPTH:
                raise Invalid(f"parent_id: items nest at most {MAX_DEPTH} levels deep.", field="parent_id")
        last = session.exec(
            select(func.max(AgendaItem.weight)).where(
                AgendaItem.meeting_id == meeting_id, AgendaItem.parent_id == data.parent_id
            )
        ).one()
        item = AgendaItem(meeting_id=meeting_id, weight=(last + 1) if last is not None else 0, **data.model_dump())
        session.add(item)
        session.flush()
        audit.append(
            session,
            actor_id=actor.id,
            action="item.created",
            object_type="agenda_item",
            object_id=item.id,
            meeting_id=meeting_id,
            data=data.model_dump(mode="json"),
        )
        return _announce(session, meeting_id, events.ITEM_CREATED, item.id)  # type: ignore[arg-type]


def _announce(session: Session, meeting_id: int, type_: str, item_id: int) -> ItemOut:
    """Emit an agenda event carrying the item and the whole renumbered agenda; return the item."""
    session.flush()
    items = items_out(session, meeting_id)
    item = next(i for i in items if i.id == item_id)
    data = {"item": item.model_dump(mode="json"), "items": [i.model_dump(mode="json") for i in items]}
    events.emit(session, events.meeting_channel(meeting_id), type_, data)
    return item


def _item(session: Session, actor: Actor, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound("No such agenda item.")
    meeting_access(session, actor, item.meeting_id)  # 404 for outsiders, before anything else
    return item


def update_item(db: Database, actor: Actor, item_id: int, data: ItemUpdate) -> ItemOut:
    changes = data.model_dump(exclude_unset=True)
    with db.write() as session:
        item = _item(session, actor, item_id)
        editable_meeting(session, actor, item.meeting_id)
        reject_nulls(changes, "title", "status")
        _check_refs(session, item.meeting_id, changes.get("presenter_id"), changes.get("presenter_unit_id"))
        for key, value in changes.items():
            setattr(item, key, value)
        if item.status == ItemStatus.current:
            item.started_at = item.started_at or utcnow()
        session.add(item)
        audit.append(
            session,
            actor_id=actor.id,
            action="item.updated",
            object_type="agenda_item",
            object_id=item_id,
            meeting_id=item.meeting_id,
            data=data.model_dump(mode="json", exclude_unset=True),
        )
        return _announce(session, item.meeting_id, events.ITEM_UPDATED, item_id)


def delete_item(db: Database, actor: Actor, item_id: int) -> None:
    """Remove an item and its sub-items."""
    with db.write() as session:
        item = _item(session, actor, item_id)
        meeting_id = item.meeting_id
        editable_meeting(session, actor, meeting_id)
        doomed = [item_id]
        frontier = [item_id]
        while frontier:
            kids = session.exec(select(AgendaItem.id).where(col(AgendaItem.parent_id).in_(frontier))).all()
            frontier = [k for k in kids if k is not None]
            doomed.extend(frontier)
        # Their papers go with them (the files stay in the store, which is content-addressed).
        documents = [d for d in session.exec(select(Document.id).where(col(Document.item_id).in_(doomed))) if d]
        index_for(session).remove(session, documents)
        session.execute(sa.delete(DocumentPage).where(col(DocumentPage.document_id).in_(documents)))
        session.execute(sa.delete(Submission).where(col(Submission.item_id).in_(doomed)))
        session.execute(sa.delete(Document).where(col(Document.item_id).in_(doomed)))
        # Children first, so the parent foreign key never dangles mid-statement.
        for doomed_id in reversed(doomed):
            session.execute(sa.delete(AgendaItem).where(col(AgendaItem.id) == doomed_id))
        audit.append(
            session,
            actor_id=actor.id,
            action="item.deleted",
            object_type="agenda_item",
            object_id=item_id,
            meeting_id=meeting_id,
            data={"deleted": doomed, "title": item.title},
        )
        items = [i.model_dump(mode="json") for i in items_out(session, meeting_id)]
        data = {"item": {"id": item_id}, "ids": doomed, "items": items}
        events.emit(session, events.meeting_channel(meeting_id), events.ITEM_DELETED, data)


def reorder_items(db: Database, actor: Actor, meeting_id: int, data: ItemOrder) -> list[ItemOut]:
    """Set the whole agenda's order and nesting at once (drag and drop, or the arrows)."""
    with db.write() as session:
        editable_meeting(session, actor, meeting_id)
        items = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).all()
        try:
            placement = check_order(
                {i.id for i in items if i.id is not None}, [(e.id, e.parent_id) for e in data.items]
            )
        except ValueError as exc:
            raise Invalid(f"items: {exc}", field="items") from None
        for item in items:
            assert item.id is not None
            item.parent_id, item.weight = placement[item.id]
            session.add(item)
        audit.append(
            session,
            actor_id=actor.id,
            action="items.reordered",
            object_type="meeting",
            object_id=meeting_id,
            meeting_id=meeting_id,
            data={"order": [[e.id, e.parent_id] for e in data.items]},
        )
        session.flush()
        ordered = items_out(session, meeting_id)
        agenda = {"items": [i.model_dump(mode="json") for i in ordered]}
        events.emit(session, events.meeting_channel(meeting_id), events.AGENDA_REORDERED, agenda)
        return ordered


def set_current_item(db: Database, actor: Actor, item_id: int) -> ItemOut:
    """The chair (or secretary) moves the live meeting to an item; the item that was current is done."""
    with db.write() as session:
        item = _item(session, actor, item_id)
        access = meeting_access(session, actor, item.meeting_id)
        if not (access.can_manage or access.can_chair):
            raise Forbidden("Only the chair or the meeting's secretary may move the meeting to another item.")
        if access.meeting.status != MeetingStatus.live:
            raise Conflict(f"The meeting is {access.meeting.status}; items are taken up while it is live.")
        for other in session.exec(
            select(AgendaItem).where(AgendaItem.meeting_id == item.meeting_id, AgendaItem.status == ItemStatus.current)
        ).all():
            if other.id != item_id:
                other.status = ItemStatus.done
                session.add(other)
        item.status = ItemStatus.current
        item.started_at = item.started_at or utcnow()
        session.add(item)
        audit.append(
            session,
            actor_id=actor.id,
            action="item.current",
            object_type="agenda_item",
            object_id=item_id,
            meeting_id=item.meeting_id,
        )
        return _announce(session, item.meeting_id, events.ITEM_UPDATED, item_id)
