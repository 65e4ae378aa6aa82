"""Units, users, their sessions and sign-in failures, and the hash-chained audit log of what they did."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ecabinet.models.columns import utcnow, when


class UnitKind(StrEnum):
    city = "city"
    department = "department"
    district = "district"
    ward = "ward"
    commune = "commune"


class GlobalRole(StrEnum):
    admin = "admin"
    secretariat = "secretariat"
    staff = "staff"


class Unit(SQLModel, table=True):
    """An organisational unit: the city, a department (Sở), a district, a ward or commune."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=300)
    kind: UnitKind = Field(sa_type=sa.String(16))
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    # Validity keeps history: the 2025 reform ended districts and wards without deleting them, so a
    # past meeting still names the unit it had.
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class User(SQLModel, table=True):
    """A person who signs in."""

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: GlobalRole = Field(default=GlobalRole.staff, sa_type=sa.String(16))
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    language: str | None = Field(default=None, max_length=8)
    created_at: dt.datetime = when(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A server-side sign-in; the cookie carries a signed random token whose hash is the id."""

    __tablename__ = "user_session"
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = when(default_factory=utcnow)
    expires_at: dt.datetime = when()
    last_seen_at: dt.datetime = when(default_factory=utcnow)
    address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, kept for the rate limit's window."""

    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: dt.datetime = when(default_factory=utcnow, index=True)


class AuditEvent(SQLModel, table=True):
    """One state change, chained to the previous row by its hash so that tampering shows."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True, index=True)
    at: dt.datetime = when(default_factory=utcnow)
    actor_id: int | None = None
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(default="", max_length=64)
    meeting_id: int | None = Field(default=None, index=True)
    data: str = Field(default="{}", sa_type=sa.Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's last seq and hash: its row lock orders appends, and it reveals a deleted tail."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)
