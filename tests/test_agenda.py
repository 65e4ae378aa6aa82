"""Agenda numbering and order checks (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ecabinet.agenda import check_order, tree_order


@dataclass
class Item:
    id: int
    parent_id: int | None
    weight: int


def test_tree_order_numbers_nested_items_in_reading_order() -> None:
    """Children follow their parent and are numbered under it, siblings sorted by weight."""
    items = [Item(1, None, 1), Item(2, None, 0), Item(3, 1, 1), Item(4, 1, 0), Item(5, 4, 0)]
    placed = tree_order(items)
    assert [(p.id, p.item_number, p.depth) for p in placed] == [
        (2, "1", 0),
        (1, "2", 0),
        (4, "2.1", 1),
        (5, "2.1.1", 2),
        (3, "2.2", 1),
    ]


def test_tree_order_keeps_an_orphan_at_the_top_level() -> None:
    """An item whose parent is missing is shown, not lost."""
    assert [p.item_number for p in tree_order([Item(7, 99, 0)])] == ["1"]


def test_check_order_gives_parents_and_weights() -> None:
    """A valid order becomes parent and weight per item."""
    placement = check_order({1, 2, 3}, [(2, None), (3, 2), (1, None)])
    assert placement == {2: (None, 0), 3: (2, 0), 1: (None, 1)}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([(1, None), (1, None), (2, None)], "more than once"),
        ([(1, None)], "leaves out"),
        ([(1, None), (2, None), (9, None)], "not on this meeting"),
        ([(2, 1), (1, None)], "does not come before"),
        ([(1, 1), (2, None)], "does not come before"),
    ],
)
def test_check_order_refuses_a_bad_order(entries: list[tuple[int, int | None]], message: str) -> None:
    """Duplicates, omissions, strangers and children before parents are refused with a reason."""
    with pytest.raises(ValueError, match=message):
        check_order({1, 2}, entries)


def test_check_order_limits_nesting_depth() -> None:
    """Items nest at most three levels deep."""
    with pytest.raises(ValueError, match="levels deep"):
        check_order({1, 2, 3, 4}, [(1, None), (2, 1), (3, 2), (4, 3)])
