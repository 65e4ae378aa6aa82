"""Agenda items."""

from __future__ import annotations

from fastapi import APIRouter

from ecabinet import agenda_items
from ecabinet.api.dependencies import Context, CurrentActor, ObjectId
from ecabinet.schemas import ItemCreate, ItemOrder, ItemOut, ItemUpdate

router = APIRouter(tags=["agenda"])


@router.get("/meetings/{meeting_id}/items", response_model=list[ItemOut])
def list_items(meeting_id: ObjectId, actor: CurrentActor, context: Context) -> list[ItemOut]:
    """The agenda in reading order, numbered."""
    return agenda_items.list_items(context.db, actor, meeting_id)


@router.post("/meetings/{meeting_id}/items", response_model=ItemOut, status_code=201)
def create_item(meeting_id: ObjectId, body: ItemCreate, actor: CurrentActor, context: Context) -> ItemOut:
    """Add an item at the end of the agenda (or of its parent's sub-items)."""
    return agenda_items.create_item(context.db, actor, meeting_id, body)


@router.patch("/items/{item_id}", response_model=ItemOut)
def update_item(item_id: ObjectId, body: ItemUpdate, actor: CurrentActor, context: Context) -> ItemOut:
    """Rename an item, change its presenter, time or status."""
    return agenda_items.update_item(context.db, actor, item_id, body)


@router.delete("/items/{item_id}", status_code=204)
def delete_item(item_id: ObjectId, actor: CurrentActor, context: Context) -> None:
    """Remove an item with its sub-items."""
    agenda_items.delete_item(context.db, actor, item_id)


@router.post("/meetings/{meeting_id}/items/order", response_model=list[ItemOut])
def reorder_items(meeting_id: ObjectId, body: ItemOrder, actor: CurrentActor, context: Context) -> list[ItemOut]:
    """Set the order and nesting of the whole agenda."""
    return agenda_items.reorder_items(context.db, actor, meeting_id, body)


@router.post("/items/{item_id}/current", response_model=ItemOut)
def take_up(item_id: ObjectId, actor: CurrentActor, context: Context) -> ItemOut:
    """The live meeting moves to this item (its timer starts); the item that was current is done."""
    return agenda_items.set_current_item(context.db, actor, item_id)
