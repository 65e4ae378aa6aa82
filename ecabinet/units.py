"""Units: the city, its departments, districts, wards and communes, each valid for a span of dates."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, or_, select

from ecabinet import audit
from ecabinet.database import Database
from ecabinet.errors import Conflict, Invalid
from ecabinet.models import Unit
from ecabinet.permissions import Actor
from ecabinet.schemas import UnitCreate, UnitOut


def exists_on(unit: Unit, day: dt.date) -> bool:
    """Whether a unit exists on a given day (a unit merged away in 2025 still exists on 2024 dates)."""
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)


def list_units(db: Database, actor: Actor, on: dt.date | None = None) -> list[UnitOut]:
    """Every unit, or those that exist on a given day."""
    with db.read() as session:
        query = select(Unit).order_by(col(Unit.kind), col(Unit.name))
        if on is not None:
            query = query.where(
                or_(col(Unit.valid_from).is_(None), col(Unit.valid_from) <= on),
                or_(col(Unit.valid_to).is_(None), col(Unit.valid_to) >= on),
            )
        return [UnitOut.model_validate(u) for u in session.exec(query).all()]


def create_unit(db: Database, actor: Actor, data: UnitCreate) -> UnitOut:
    actor.require_secretariat()
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        raise Invalid("valid_to: a unit cannot end before it begins.", field="valid_to")
    with db.write() as session:
        if session.exec(select(Unit).where(Unit.code == data.code)).first():
            raise Conflict(f"A unit with code {data.code} already exists.")
        if data.parent_id is not None and session.get(Unit, data.parent_id) is None:
            raise Invalid(f"parent_id: no unit with id {data.parent_id}.", field="parent_id")
        unit = Unit(**data.model_dump())
        session.add(unit)
        session.flush()
        audit.append(
            session,
            actor_id=actor.id,
            action="unit.created",
            object_type="unit",
            object_id=unit.id,
            data=data.model_dump(mode="json"),
        )
        return UnitOut.model_validate(unit)
