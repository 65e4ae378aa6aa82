"""Event types: each documented in docs/protocol.md, and nothing undocumented can be emitted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecabinet import events
from ecabinet.database import Database
from realtime import connection
from tests.conftest import make_settings

PROTOCOL = (Path(__file__).resolve().parents[1] / "docs" / "protocol.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("event_type", sorted(events.TYPES))
def test_every_event_type_is_in_the_protocol(event_type: str) -> None:
    """docs/protocol.md has a row for every event type the services emit."""
    assert f"| `{event_type}` |" in PROTOCOL


def test_every_close_code_is_in_the_protocol() -> None:
    """Every close code the hub uses is explained, with what the client should do."""
    codes = [value for name, value in vars(connection).items() if name.startswith("CLOSE_")]
    assert codes
    for code in codes:
        assert re.search(rf"^\| {code} \|", PROTOCOL, re.MULTILINE), code


def test_every_action_is_in_the_protocol(sqlite_db: Database, tmp_path: Path) -> None:
    """Every action the app registers on the hub is documented."""
    from ecabinet.app import create_app

    app = create_app(make_settings(tmp_path, sqlite_db.url), sqlite_db)
    assert app.state.hub.handlers
    for action in app.state.hub.handlers:
        assert f"| `{action}` |" in PROTOCOL


def test_an_unknown_event_type_is_refused(sqlite_db: Database) -> None:
    """A typo in an event type fails loudly instead of reaching clients that ignore it."""
    with pytest.raises(ValueError, match="unknown event type"), sqlite_db.write() as session:
        events.emit(session, "meeting:1", "item.renamed", {})


def test_every_volatile_type_is_in_the_protocol() -> None:
    """The volatile messages the app sends are documented beside the events."""
    for kind in events.VOLATILE_TYPES:
        assert f"| `{kind}` |" in PROTOCOL
