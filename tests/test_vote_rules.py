"""Vote rules and tallies (pure functions): more than half of ALL members, of the votes cast, two thirds."""

from __future__ import annotations

import pytest

from ecabinet.vote_rules import DEFAULT_VOTE_RULE, VOTE_RULES, outcome, tally

YES_NO = ["agree", "disagree", "abstain"]
ALL = VOTE_RULES["majority_of_all_members"]
CAST = VOTE_RULES["majority_of_votes_cast"]
TWO_THIRDS = VOTE_RULES["two_thirds_of_all_members"]


def votes(agree: int, disagree: int = 0, abstain: int = 0) -> list[str]:
    return ["agree"] * agree + ["disagree"] * disagree + ["abstain"] * abstain


def test_the_default_is_more_than_half_of_all_members_with_its_citation() -> None:
    """A People's Committee decides by more than half of ALL its members, under the 2025 law."""
    assert DEFAULT_VOTE_RULE == "majority_of_all_members"
    assert "quá nửa tổng số thành viên" in ALL.basis and "2025" in ALL.basis


@pytest.mark.parametrize(
    ("agree", "disagree", "abstain", "members", "adopted"),
    [
        (6, 0, 0, 10, True),  # 6 of 10 is more than half
        (5, 0, 0, 10, False),  # exactly half is not
        (5, 0, 0, 9, True),  # 5 of 9
        (5, 1, 4, 11, False),  # abstaining counts against: 5 of 11 is not more than half
    ],
)
def test_more_than_half_of_all_members(agree: int, disagree: int, abstain: int, members: int, adopted: bool) -> None:
    decided = outcome(votes(agree, disagree, abstain), YES_NO, ALL, members, members, True)
    assert decided.adopted is adopted and decided.needed == members // 2 + 1


def test_absent_members_count_against_under_the_default_but_not_of_votes_cast() -> None:
    """4 agree, 1 disagrees, 5 absent: not adopted of all members (needs 6), adopted of the votes cast (needs 3)."""
    choices = votes(4, 1)
    assert not outcome(choices, YES_NO, ALL, 10, 7, True).adopted
    assert outcome(choices, YES_NO, CAST, 10, 7, True).adopted
    assert outcome(choices, YES_NO, CAST, 10, 7, True).needed == 3


def test_two_thirds_is_inclusive() -> None:
    assert outcome(votes(6), YES_NO, TWO_THIRDS, 9, 9, True).adopted
    assert not outcome(votes(5), YES_NO, TWO_THIRDS, 9, 9, True).adopted


def test_without_the_quorum_nothing_is_adopted_in_the_room() -> None:
    """A live vote without its quorum adopts nothing; a written poll (quorum None) is decided on its answers."""
    assert not outcome(votes(9), YES_NO, ALL, 10, 5, False).adopted
    assert outcome(votes(9), YES_NO, ALL, 10, 0, None).adopted


def test_an_options_poll_adopts_the_single_leader_that_reaches_the_rule() -> None:
    options = ["o1", "o2", "o3"]
    won = outcome(["o2"] * 6 + ["o1"] * 3, options, ALL, 10, 10, True)
    assert won.adopted and won.winner == "o2"
    tied = outcome(["o1"] * 3 + ["o2"] * 3, options, CAST, 10, 10, True)
    assert not tied.adopted and tied.winner is None


def test_the_tally_lists_every_option_and_ignores_unknown_choices() -> None:
    assert tally(["agree", "agree", "maybe"], YES_NO) == {"agree": 2, "disagree": 0, "abstain": 0}
