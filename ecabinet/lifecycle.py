"""A meeting's status moves draft → scheduled → live → closed → archived; these rules say when."""

from __future__ import annotations

from dataclasses import dataclass

from ecabinet.models import MeetingStatus

S = MeetingStatus

# to-status → the statuses it may be reached from
ALLOWED: dict[MeetingStatus, tuple[MeetingStatus, ...]] = {
    S.scheduled: (S.draft,),
    S.draft: (S.scheduled,),  # taken back to preparation before it starts
    S.live: (S.scheduled,),
    S.closed: (S.live,),
    S.archived: (S.closed,),
}

# Transitions the chair may make as well as the secretariat.
CHAIR_MAY: frozenset[tuple[MeetingStatus, MeetingStatus]] = frozenset({(S.scheduled, S.live), (S.live, S.closed)})

# Statuses in which the agenda and the participants may still change.
EDITABLE: frozenset[MeetingStatus] = frozenset({S.draft, S.scheduled, S.live})

# Statuses in which participants check in.
CHECK_IN_OPEN: frozenset[MeetingStatus] = frozenset({S.scheduled, S.live})


@dataclass(frozen=True)
class Readiness:
    """What a transition needs to know about the meeting besides its status."""

    has_title: bool
    has_start: bool
    items: int
    chairs: int


def transition_problem(current: MeetingStatus, to: MeetingStatus, ready: Readiness) -> str | None:
    """Why the meeting cannot move from `current` to `to`, or None if it can."""
    if current == to:
        return f"The meeting is already {to.value}."
    sources = ALLOWED.get(to, ())
    if current not in sources:
        if not sources:
            return f"A meeting cannot be moved to {to.value}."
        allowed = " or ".join(s.value for s in sources)
        return f"A {current.value} meeting cannot become {to.value}; only a {allowed} meeting can."
    if to in (S.scheduled, S.live):
        missing = []
        if not ready.has_title:
            missing.append("a title")
        if not ready.has_start:
            missing.append("a start date and time")
        if ready.items == 0:
            missing.append("at least one agenda item")
        if ready.chairs == 0:
            missing.append("a chair")
        if missing:
            return f"To become {to.value}, the meeting needs " + ", ".join(missing) + "."
    return None
