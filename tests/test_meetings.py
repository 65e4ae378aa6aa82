"""The meeting, agenda and participant services, called directly on SQLite and PostgreSQL."""

from __future__ import annotations

import concurrent.futures

import pytest
from sqlmodel import select

from ecabinet import agenda_items, meetings, participants
from ecabinet.database import Database
from ecabinet.errors import Conflict, Forbidden, NotFound
from ecabinet.models import MeetingKind, MeetingStatus, User
from ecabinet.permissions import Actor
from ecabinet.schemas import ItemCreate, MeetingCreate, MeetingUpdate, ParticipantCreate, ParticipantUpdate


def actor(db: Database, login: str) -> Actor:
    with db.read() as session:
        return Actor(session.exec(select(User).where(User.login == login)).one())


def test_a_meeting_is_prepared_and_run_through_the_services(db: Database) -> None:
    """Create, fill and move a meeting to live without HTTP; the state reflects every step."""
    secretary = actor(db, "thuky")
    meeting = meetings.create_meeting(db, secretary, MeetingCreate(kind=MeetingKind.thematic, title="Chuyên đề"))
    chair = actor(db, "chutich")
    participants.add_participant(db, secretary, meeting.id, ParticipantCreate(user_id=chair.id, role="chair"))
    agenda_items.create_item(db, secretary, meeting.id, ItemCreate(title="Khai mạc"))
    with pytest.raises(Conflict, match="start date"):
        meetings.transition(db, secretary, meeting.id, MeetingStatus.scheduled)
    meetings.update_meeting(db, secretary, meeting.id, MeetingUpdate(starts_at="2026-12-20T08:00:00+07:00"))
    meetings.transition(db, secretary, meeting.id, MeetingStatus.scheduled)
    assert meetings.transition(db, chair, meeting.id, MeetingStatus.live).status == MeetingStatus.live
    state = meetings.meeting_state(db, chair, meeting.id)
    assert [i.title for i in state.items] == ["Khai mạc"] and state.meeting.my_roles == ["chair"]


def test_outsiders_and_members_are_refused_by_the_services(db: Database) -> None:
    """The permission checks live in the services: 404 for outsiders, 403 for members."""
    sample = meetings.list_meetings(db, actor(db, "thuky"))[0]
    with pytest.raises(NotFound):
        meetings.meeting_state(db, actor(db, "phogiamdoc1"), sample.id)
    with pytest.raises(Forbidden):
        agenda_items.create_item(db, actor(db, "thanhvien1"), sample.id, ItemCreate(title="x"))
    with pytest.raises(Forbidden):
        meetings.create_meeting(db, actor(db, "thanhvien1"), MeetingCreate(kind=MeetingKind.thematic, title="x"))


def test_concurrent_agenda_edits_all_succeed(db: Database) -> None:
    """Twenty items added at once from threads all land (SQLite takes the write lock up front)."""
    secretary = actor(db, "thuky")
    meeting_id = meetings.list_meetings(db, secretary)[0].id
    before = len(agenda_items.list_items(db, secretary, meeting_id))
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [
            pool.submit(agenda_items.create_item, db, secretary, meeting_id, ItemCreate(title=f"Mục {n}"))
            for n in range(20)
        ]
        for future in futures:
            future.result()
    items = agenda_items.list_items(db, secretary, meeting_id)
    assert len(items) == before + 20
    assert len({i.item_number for i in items}) == len(items)


def test_a_substitute_cannot_stand_in_for_two_members(db: Database) -> None:
    """One person attends for at most one member of a meeting."""
    secretary = actor(db, "thuky")
    state = meetings.meeting_state(db, secretary, meetings.list_meetings(db, secretary)[0].id)
    members = [p for p in state.participants if p.role == "member"]
    deputy = actor(db, "phogiamdoc1")
    participants.update_participant(db, secretary, members[0].id, ParticipantUpdate(substitute_id=deputy.id))
    with pytest.raises(Conflict):
        participants.update_participant(db, secretary, members[1].id, ParticipantUpdate(substitute_id=deputy.id))
