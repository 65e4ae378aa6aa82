"""What the browser tests share: a server of the test's own, as `make run` starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ecabinet import signing
from ecabinet.database import Database
from tests.conftest import LiveServer, make_settings, serving


@pytest.fixture
def fresh_server(sqlite_db: Database, tmp_path: Path) -> Iterator[LiveServer]:
    """A server over a fresh copy of the sample (these tests change the meeting that others read), with the demo
    organisation certificate that `ecabinet demo` makes for signing the minutes."""
    settings = make_settings(tmp_path / "data", sqlite_db.url)
    signing.ensure_demo_certificate(settings.data_dir / signing.DEMO_DIR)
    with serving(settings, sqlite_db) as live:
        yield live
