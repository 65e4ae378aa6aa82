"""Quorum as a pure function, with the rule kept as data beside its legal basis."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class QuorumRule:
    """How many of the members with a vote must attend for a meeting to proceed."""

    key: str
    share: Fraction
    basis: str  # the citation in Vietnamese, as the law is written
    basis_en: str
    # "more than half" is strict; "at least two thirds" is not.
    strictly_more: bool = False
    substitutes_count: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError("a quorum share lies in (0, 1]")


# The People's Committee meets when at least two thirds of its members attend (Law on the
# Organization of Local Government). A changed law is a change to this data, not to the code.
QUORUM_RULES: dict[str, QuorumRule] = {
    "two_thirds_of_members": QuorumRule(
        key="two_thirds_of_members",
        share=Fraction(2, 3),
        basis="Luật Tổ chức chính quyền địa phương: phiên họp Ủy ban nhân dân chỉ được tiến hành khi có ít nhất "
        "hai phần ba tổng số thành viên Ủy ban nhân dân tham dự.",
        basis_en="Law on the Organization of Local Government: a meeting of the People's Committee proceeds only "
        "when at least two thirds of all its members attend.",
    ),
    "majority_of_members": QuorumRule(
        key="majority_of_members",
        share=Fraction(1, 2),
        strictly_more=True,
        basis="Quy chế làm việc: cuộc họp được tiến hành khi có quá nửa số thành viên tham dự.",
        basis_en="Working rules: a meeting proceeds when more than half of its members attend.",
    ),
}
DEFAULT_QUORUM_RULE = "two_thirds_of_members"


@dataclass(frozen=True)
class Quorum:
    """Whether a meeting has its quorum: members with a vote, how many attend, how many must."""

    rule: QuorumRule
    members: int
    present: int
    required: int

    @property
    def met(self) -> bool:
        return self.members > 0 and self.present >= self.required


def quorum(members: int, present_in_person: int, present_by_substitute: int, rule: QuorumRule) -> Quorum:
    """The quorum of `members` voting members of whom some attend in person and some by substitute."""
    present = present_in_person + (present_by_substitute if rule.substitutes_count else 0)
    exact = members * rule.share
    required = math.floor(exact) + 1 if rule.strictly_more else math.ceil(exact)
    return Quorum(rule, members, present, required)
