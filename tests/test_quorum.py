"""Quorum rules (pure functions)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ecabinet.quorum import QUORUM_RULES, QuorumRule, quorum

TWO_THIRDS = QUORUM_RULES["two_thirds_of_members"]
MAJORITY = QUORUM_RULES["majority_of_members"]


@pytest.mark.parametrize(("members", "present", "met"), [(11, 8, True), (11, 7, False), (9, 6, True), (9, 5, False)])
def test_two_thirds_of_members(members: int, present: int, met: bool) -> None:
    """At least two thirds of the members with a vote must attend in person."""
    assert quorum(members, present, 0, TWO_THIRDS).met is met


def test_substitutes_do_not_count_unless_the_rule_says_so() -> None:
    """A substitute attends in the member's place but makes no quorum under the default rule."""
    assert not quorum(9, 5, 1, TWO_THIRDS).met
    lenient = QuorumRule("x", Fraction(2, 3), "căn cứ", "basis", substitutes_count=True)
    assert quorum(9, 5, 1, lenient).met


def test_more_than_half_is_strict() -> None:
    """ "More than half" of 10 is 6, not 5."""
    assert quorum(10, 5, 0, MAJORITY).required == 6
    assert quorum(11, 6, 0, MAJORITY).met


def test_no_members_means_no_quorum() -> None:
    """A meeting without voting members never has a quorum."""
    assert not quorum(0, 0, 0, TWO_THIRDS).met


def test_every_rule_carries_its_basis() -> None:
    """Rules are data with their legal citation, in Vietnamese and English."""
    assert all(rule.basis and rule.basis_en for rule in QUORUM_RULES.values())
