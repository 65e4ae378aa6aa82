"""Vote rules as data with their legal citation, and the tally and outcome as pure functions.

A changed law is a change to `VOTE_RULES`, not to the code (DESIGN §7). The People's Committee
decides by more than half of ALL its members with a vote (Law on the Organization of Local
Government, 2025), so abstaining or being absent counts against a proposal.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

AGREE, DISAGREE, ABSTAIN = "agree", "disagree", "abstain"
DEFAULT_OPTIONS: tuple[tuple[str, str, str], ...] = (
    (AGREE, "Tán thành", "Agree"),
    (DISAGREE, "Không tán thành", "Disagree"),
    (ABSTAIN, "Không biểu quyết", "Abstain"),
)


@dataclass(frozen=True)
class VoteRule:
    """When a proposal (or an option) is adopted."""

    key: str
    label: str
    label_en: str
    share: Fraction
    # Of whom: every member with a vote ("all"), or the ballots cast ("cast").
    of: str
    strictly_more: bool
    basis: str
    basis_en: str
    # Whether the meeting's quorum must be met for a live vote to count.
    needs_quorum: bool = True
    # Whether a named substitute votes for the member they stand in for.
    substitutes_vote: bool = False

    def needed(self, members: int, cast: int) -> int:
        """Votes needed for adoption."""
        base = members if self.of == "all" else cast
        exact = base * self.share
        return math.floor(exact) + 1 if self.strictly_more else math.ceil(exact)


VOTE_RULES: dict[str, VoteRule] = {
    "majority_of_all_members": VoteRule(
        key="majority_of_all_members",
        label="Quá nửa tổng số thành viên tán thành",
        label_en="More than half of all members agree",
        share=Fraction(1, 2),
        of="all",
        strictly_more=True,
        basis="Luật Tổ chức chính quyền địa phương năm 2025: quyết định của Ủy ban nhân dân phải được quá nửa "
        "tổng số thành viên Ủy ban nhân dân biểu quyết tán thành.",
        basis_en="Law on the Organization of Local Government (2025): a decision of the People's Committee needs "
        "the agreement of more than half of all its members.",
    ),
    "majority_of_votes_cast": VoteRule(
        key="majority_of_votes_cast",
        label="Quá nửa số phiếu biểu quyết tán thành",
        label_en="More than half of the votes cast agree",
        share=Fraction(1, 2),
        of="cast",
        strictly_more=True,
        basis="Quy chế làm việc: nội dung được thông qua khi quá nửa số thành viên tham gia biểu quyết tán thành, "
        "với điều kiện cuộc họp đủ số thành viên theo quy định.",
        basis_en="Working rules: adopted when more than half of those who vote agree, the meeting having its quorum.",
    ),
    "two_thirds_of_all_members": VoteRule(
        key="two_thirds_of_all_members",
        label="Ít nhất hai phần ba tổng số thành viên tán thành",
        label_en="At least two thirds of all members agree",
        share=Fraction(2, 3),
        of="all",
        strictly_more=False,
        basis="Quy chế làm việc: các nội dung đặc biệt quan trọng được thông qua khi có ít nhất hai phần ba tổng số "
        "thành viên tán thành.",
        basis_en="Working rules: matters of special importance need the agreement of at least two thirds of all "
        "members.",
    ),
}
DEFAULT_VOTE_RULE = "majority_of_all_members"


@dataclass(frozen=True)
class Outcome:
    """A closed poll's result: the tally and whether (and which option) it adopted, under which rule."""

    tally: dict[str, int]
    cast: int
    members: int
    present: int
    quorum_met: bool | None
    needed: int
    adopted: bool
    winner: str | None
    rule: VoteRule


def tally(choices: list[str], options: list[str]) -> dict[str, int]:
    """Votes per option, every option listed (zero when nobody chose it); unknown choices are not counted."""
    counts = Counter(choice for choice in choices if choice in options)
    return {option: counts.get(option, 0) for option in options}


def outcome(
    choices: list[str], options: list[str], rule: VoteRule, members: int, present: int, quorum_met: bool | None
) -> Outcome:
    """Decide a poll: a yes/no poll is adopted when `agree` reaches the rule; an options poll adopts the option
    with the most votes when it alone reaches the rule. Without the quorum (where the rule needs one), nothing is."""
    counts = tally(choices, options)
    cast = sum(counts.values())
    needed = rule.needed(members, cast)
    if AGREE in counts and DISAGREE in counts:
        leader = AGREE
    else:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        leader = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else ""
    counted = quorum_met is not False or not rule.needs_quorum
    adopted = bool(leader) and counted and cast > 0 and counts[leader] >= needed
    return Outcome(counts, cast, members, present, quorum_met, needed, adopted, leader if adopted else None, rule)
