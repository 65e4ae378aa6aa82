"""What each classification allows (pure rules): who sees, who downloads, how pages are served."""

from __future__ import annotations

import pytest

from ecabinet.classification import Viewer, cache_control, download_refusal, policy, refusal
from ecabinet.models import Classification, MeetingStatus, ParticipantRole

MEMBER = Viewer(can_manage=False, roles=frozenset({ParticipantRole.member}), is_substitute=False)
SITE = Viewer(can_manage=False, roles=frozenset({ParticipantRole.site}), is_substitute=False)
SUBSTITUTE = Viewer(can_manage=False, roles=frozenset(), is_substitute=True)
SECRETARY = Viewer(can_manage=True, roles=frozenset(), is_substitute=False)
OUTSIDER = Viewer(can_manage=False, roles=frozenset(), is_substitute=False)
LEVELS = list(Classification)


@pytest.mark.parametrize("level", LEVELS)
def test_outsiders_never_read_and_managers_always_may(level: Classification) -> None:
    """Someone not in the meeting reads nothing; its managers check any paper in any status."""
    for status in MeetingStatus:
        assert refusal(level, OUTSIDER, status) is not None
        assert refusal(level, SECRETARY, status) is None


@pytest.mark.parametrize("level", LEVELS)
def test_participants_read_once_the_meeting_is_announced(level: Classification) -> None:
    """A draft meeting's papers are not released; from scheduled on they are (secret ones only while live)."""
    assert (
        refusal(level, MEMBER, MeetingStatus.draft) == "The meeting's documents are not yet released to participants."
    )
    assert refusal(level, MEMBER, MeetingStatus.live) is None
    assert refusal(level, SUBSTITUTE, MeetingStatus.live) is None
    for status in (MeetingStatus.scheduled, MeetingStatus.closed, MeetingStatus.archived):
        expected = "Secret documents are shown only while the meeting is in session." if level == "secret" else None
        assert refusal(level, MEMBER, status) == expected


def test_remote_sites_never_see_secret_papers() -> None:
    """A ward's site account reads public, internal and restricted papers, never secret ones."""
    for level in (Classification.public, Classification.internal, Classification.restricted):
        assert refusal(level, SITE, MeetingStatus.live) is None
    assert refusal(Classification.secret, SITE, MeetingStatus.live) == (
        "Secret documents are never shown at remote sites."
    )


def test_a_site_account_that_is_also_a_member_is_not_treated_as_a_site() -> None:
    """The rule is about accounts that are only a site in this meeting."""
    both = Viewer(False, frozenset({ParticipantRole.site, ParticipantRole.member}), False)
    assert refusal(Classification.secret, both, MeetingStatus.live) is None


@pytest.mark.parametrize(
    ("level", "downloadable", "cache"),
    [
        (Classification.public, True, "private, max-age=31536000, immutable"),
        (Classification.internal, True, "private, max-age=31536000, immutable"),
        (Classification.restricted, False, "no-store"),
        (Classification.secret, False, "no-store"),
    ],
)
def test_how_each_level_is_served(level: Classification, downloadable: bool, cache: str) -> None:
    """Shared levels download (stamped) and cache; restricted and secret are on screen only, watermarked, audited."""
    rules = policy(level)
    assert (download_refusal(level) is None) == downloadable
    assert cache_control(level) == cache
    assert rules.printable == downloadable
    assert rules.watermarked == rules.audited == (not downloadable)
