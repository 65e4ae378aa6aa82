"""Users and units."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from ecabinet import units, users
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.schemas import PersonOut, UnitCreate, UnitOut, UserCreate, UserOut, UserUpdate

router = APIRouter(tags=["people"])


@router.get("/users", response_model=list[UserOut] | list[PersonOut])
def list_users(actor: CurrentActor, context: Context, q: str = "") -> list[PersonOut] | list[UserOut]:
    """The directory: active users by name or login (accounts in full for the secretariat)."""
    return users.directory(context.db, actor, q[:100])


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, actor: CurrentActor, context: Context) -> UserOut:
    """Create an account (administrators)."""
    return users.create_user(context.db, actor, body)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: ObjectId, body: UserUpdate, actor: CurrentActor, context: Context) -> UserOut:
    """Change an account: name, unit, role, password, or disable it (administrators)."""
    return users.update_user(context.db, actor, user_id, body)


@router.get("/units", response_model=list[UnitOut])
def list_units(actor: CurrentActor, context: Context, on: dt.date | None = None) -> list[UnitOut]:
    """Every unit, or (with `on`) those that exist on that day."""
    return units.list_units(context.db, actor, on)


@router.post("/units", response_model=UnitOut, status_code=201)
def create_unit(body: UnitCreate, actor: CurrentActor, context: Context) -> UnitOut:
    """Create a unit (secretariat)."""
    return units.create_unit(context.db, actor, body)
