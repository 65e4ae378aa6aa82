"""Meeting status transitions (pure functions)."""

from __future__ import annotations

import pytest

from ecabinet.lifecycle import Readiness, transition_problem
from ecabinet.models import MeetingStatus as S

READY = Readiness(has_title=True, has_start=True, items=3, chairs=1)


@pytest.mark.parametrize(
    ("current", "to"),
    [(S.draft, S.scheduled), (S.scheduled, S.live), (S.live, S.closed), (S.closed, S.archived), (S.scheduled, S.draft)],
)
def test_the_forward_path_is_allowed(current: S, to: S) -> None:
    """draft → scheduled → live → closed → archived, and back to draft before it starts."""
    assert transition_problem(current, to, READY) is None


@pytest.mark.parametrize(
    ("current", "to", "message"),
    [
        (S.draft, S.live, "only a scheduled"),
        (S.closed, S.live, "only a scheduled"),
        (S.archived, S.draft, "only a scheduled"),
        (S.live, S.live, "already live"),
        (S.live, S.scheduled, "only a draft"),
    ],
)
def test_other_moves_are_refused_with_a_reason(current: S, to: S, message: str) -> None:
    """An invalid transition says which status it would need."""
    problem = transition_problem(current, to, READY)
    assert problem is not None and message in problem


def test_scheduling_needs_a_chair_items_and_a_start() -> None:
    """A meeting cannot be scheduled before it has what a meeting needs."""
    problem = transition_problem(S.draft, S.scheduled, Readiness(True, False, 0, 0))
    assert problem == "To become scheduled, the meeting needs a start date and time, at least one agenda item, a chair."
