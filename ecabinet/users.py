"""Users: the directory everyone may search, and the accounts administrators manage."""

from __future__ import annotations

from sqlmodel import col, select

from ecabinet import audit
from ecabinet.auth import end_user_sessions
from ecabinet.database import Database
from ecabinet.errors import Conflict, Invalid, NotFound
from ecabinet.folding import fold
from ecabinet.models import Unit, User
from ecabinet.passwords import hash_password
from ecabinet.permissions import Actor
from ecabinet.schemas import MeUpdate, PersonOut, UserCreate, UserOut, UserUpdate, reject_nulls

DIRECTORY_LIMIT = 50


def directory(db: Database, actor: Actor, query: str = "") -> list[PersonOut] | list[UserOut]:
    """Active users whose name or login matches, with or without diacritics; the secretariat sees whole
    accounts and every match, others names only and the first DIRECTORY_LIMIT."""
    wanted = fold(query.strip())
    with db.read() as session:
        users = session.exec(select(User).where(col(User.active))).all()
    # A city's directory is thousands of people at most: folding in Python keeps "Đức" and "duc" equal on
    # every database, which SQL's LIKE does not.
    matches = sorted((u for u in users if wanted in fold(u.name) or wanted in u.login), key=lambda u: fold(u.name))
    if actor.is_secretariat:
        return [UserOut.model_validate(u) for u in matches]
    return [PersonOut.model_validate(u) for u in matches[:DIRECTORY_LIMIT]]


def create_user(db: Database, actor: Actor, data: UserCreate) -> UserOut:
    actor.require_admin()
    with db.write() as session:
        if session.exec(select(User).where(User.login == data.login)).first():
            raise Conflict(f"The login {data.login} is taken.")
        if data.unit_id is not None and session.get(Unit, data.unit_id) is None:
            raise Invalid(f"unit_id: no unit with id {data.unit_id}.", field="unit_id")
        fields = data.model_dump(exclude={"password"})
        user = User(**fields, password_hash=hash_password(data.password) if data.password else None)
        session.add(user)
        session.flush()
        audit.append(
            session,
            actor_id=actor.id,
            action="user.created",
            object_type="user",
            object_id=user.id,
            data=fields | {"password_set": data.password is not None},
        )
        return UserOut.model_validate(user)


def update_user(db: Database, actor: Actor, user_id: int, data: UserUpdate) -> UserOut:
    actor.require_admin()
    changes = data.model_dump(exclude_unset=True)
    reject_nulls(changes, "name", "title", "role", "active")
    with db.write() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}.")
        if changes.get("unit_id") is not None and session.get(Unit, changes["unit_id"]) is None:
            raise Invalid(f"unit_id: no unit with id {changes['unit_id']}.", field="unit_id")
        password = changes.pop("password", None)
        if password is not None:
            user.password_hash = hash_password(password)
        for key, value in changes.items():
            setattr(user, key, value)
        if password is not None or changes.get("active") is False:
            end_user_sessions(session, user_id)
        session.add(user)
        audit.append(
            session,
            actor_id=actor.id,
            action="user.updated",
            object_type="user",
            object_id=user_id,
            data=changes | {"password_changed": password is not None},
        )
        return UserOut.model_validate(user)


def update_me(db: Database, actor: Actor, data: MeUpdate) -> UserOut:
    with db.write() as session:
        user = session.get(User, actor.id)
        assert user is not None
        user.language = data.language
        session.add(user)
        return UserOut.model_validate(user)
