"""Agenda structure as pure functions: tree order, item numbers (1, 1.1, 2, …), and order checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class ItemLike(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def weight(self) -> int: ...


@dataclass(frozen=True)
class Placed:
    """Where an item stands in the agenda: its depth (0 = top level) and number ("2.1")."""

    id: int
    parent_id: int | None
    depth: int
    item_number: str


def tree_order(items: Sequence[ItemLike]) -> list[Placed]:
    """Items in reading order (each parent before its children), numbered like an agenda."""
    children: dict[int | None, list[ItemLike]] = {}
    ids = {item.id for item in items}
    for item in items:
        # An item whose parent is missing is shown at the top level rather than lost.
        parent = item.parent_id if item.parent_id in ids else None
        children.setdefault(parent, []).append(item)
    for siblings in children.values():
        siblings.sort(key=lambda i: (i.weight, i.id or 0))
    placed: list[Placed] = []

    def walk(parent: int | None, prefix: str, depth: int) -> None:
        for index, item in enumerate(children.get(parent, []), start=1):
            assert item.id is not None
            number = f"{prefix}{index}"
            placed.append(Placed(item.id, parent, depth, number))
            walk(item.id, number + ".", depth + 1)

    walk(None, "", 0)
    return placed


MAX_DEPTH = 3


def check_order(existing: set[int], entries: Sequence[tuple[int, int | None]]) -> dict[int, tuple[int | None, int]]:
    """Check a new agenda order and return id → (parent_id, weight).

    `entries` lists every item exactly once, in reading order, with its parent; a parent must come
    before its children. Raises ValueError with a message for people otherwise.
    """
    ids = [item_id for item_id, _ in entries]
    if len(set(ids)) != len(ids):
        raise ValueError("An item appears more than once in the new order.")
    missing = existing - set(ids)
    if missing:
        raise ValueError(f"The new order leaves out items {sorted(missing)}; list every item of the agenda.")
    unknown = set(ids) - existing
    if unknown:
        raise ValueError(f"Items {sorted(unknown)} are not on this meeting's agenda.")
    seen: set[int] = set()
    depth: dict[int, int] = {}
    weights: dict[int | None, int] = {}
    result: dict[int, tuple[int | None, int]] = {}
    for item_id, parent_id in entries:
        if parent_id is not None and parent_id not in seen:
            raise ValueError(f"Item {item_id} is placed under {parent_id}, which does not come before it.")
        depth[item_id] = 0 if parent_id is None else depth[parent_id] + 1
        if depth[item_id] >= MAX_DEPTH:
            raise ValueError(f"Items nest at most {MAX_DEPTH} levels deep.")
        weight = weights.get(parent_id, 0)
        weights[parent_id] = weight + 1
        result[item_id] = (parent_id, weight)
        seen.add(item_id)
    return result
