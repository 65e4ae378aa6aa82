"""What a document's classification means: who may see it, download it, print it, and how it is served.

Pure rules (DESIGN §7), apart from storage and HTTP: `documents.py` asks them on every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecabinet.models import Classification, MeetingStatus, ParticipantRole

# Participants read a meeting's documents once it is announced and afterwards, for the record.
READABLE_STATUSES = frozenset(
    {MeetingStatus.scheduled, MeetingStatus.live, MeetingStatus.closed, MeetingStatus.archived}
)


@dataclass(frozen=True)
class Policy:
    """How one classification is handled."""

    downloadable: bool
    printable: bool
    watermarked: bool
    cacheable: bool
    audited: bool
    to_sites: bool
    only_live: bool


POLICIES: dict[Classification, Policy] = {
    Classification.public: Policy(True, True, False, True, False, True, False),
    Classification.internal: Policy(True, True, False, True, False, True, False),
    Classification.restricted: Policy(False, False, True, False, True, True, False),
    Classification.secret: Policy(False, False, True, False, True, False, True),
}


def policy(level: Classification | str) -> Policy:
    return POLICIES[Classification(level)]


@dataclass(frozen=True)
class Viewer:
    """What the classification rules need to know about someone asking for a document."""

    can_manage: bool
    roles: frozenset[ParticipantRole]
    is_substitute: bool

    @property
    def is_site_only(self) -> bool:
        """A remote site's account (and nothing more in this meeting)."""
        return bool(self.roles) and self.roles <= {ParticipantRole.site}

    @property
    def is_named(self) -> bool:
        return bool(self.roles) or self.is_substitute


def refusal(level: Classification | str, viewer: Viewer, status: MeetingStatus | str) -> str | None:
    """Why `viewer` may not see a document of this classification now, or None when they may.

    The meeting's managers prepare its documents and may check any of them at any time (every view of
    restricted and secret pages is audited all the same).
    """
    rules = policy(level)
    if viewer.can_manage:
        return None
    if not viewer.is_named:
        return "Only the meeting's participants may read its documents."
    if MeetingStatus(status) not in READABLE_STATUSES:
        return "The meeting's documents are not yet released to participants."
    if not rules.to_sites and viewer.is_site_only:
        return "Secret documents are never shown at remote sites."
    if rules.only_live and MeetingStatus(status) != MeetingStatus.live:
        return "Secret documents are shown only while the meeting is in session."
    return None


def download_refusal(level: Classification | str) -> str | None:
    """Why the original file of this classification may not be downloaded, or None when it may."""
    if policy(level).downloadable:
        return None
    return "Restricted and secret documents can only be read on screen; they cannot be downloaded."


def cache_control(level: Classification | str) -> str:
    """The Cache-Control of a page image: immutable for shared levels, never stored for the others."""
    if policy(level).cacheable:
        return "private, max-age=31536000, immutable"
    return "no-store"
