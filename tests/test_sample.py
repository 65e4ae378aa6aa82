"""The sample meeting in agendas/."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from ecabinet import sample
from ecabinet.database import Database
from ecabinet.models import Meeting, Participant, User
from tests.conftest import DEMO_PASSWORD

LOGINS = {"thuky", "chutich", "admin", *(f"thanhvien{n}" for n in range(1, 10)), "diemcau1", "diemcau2", "diemcau3"}


def test_the_sample_has_the_people_of_the_design(db: Database) -> None:
    """The sample meeting is scheduled, with the logins DESIGN §5 names in their roles."""
    with db.read() as session:
        logins = set(session.exec(select(User.login)).all())
        meeting = session.exec(select(Meeting)).one()
        roles = {
            login: role
            for login, role in session.exec(
                select(User.login, Participant.role).join(Participant, Participant.user_id == User.id)
            ).all()
        }
    assert LOGINS <= logins
    assert meeting.status == "scheduled"
    assert roles["thuky"] == "secretary" and roles["chutich"] == "chair"
    assert all(roles[f"thanhvien{n}"] == "member" for n in range(1, 10))
    assert all(roles[f"diemcau{n}"] == "site" for n in range(1, 4))


def test_loading_twice_creates_everything_once(db: Database) -> None:
    """`ecabinet demo` is idempotent."""

    def counts() -> tuple[int, ...]:
        with db.read() as session:
            return tuple(
                session.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in ("unit", "user", "meeting", "participant", "agenda_item")
            )

    before = counts()
    loaded = sample.load_sample(db, DEMO_PASSWORD)
    assert loaded.meetings_created == loaded.users_created == loaded.units_created == 0
    assert counts() == before
