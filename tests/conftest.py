"""Fixtures: real databases (SQLite, and the machine's PostgreSQL), a real uvicorn server, real Chromium.

ECABINET_TEST_DATABASE_URL (a PostgreSQL server URL) enables the PostgreSQL half of the database tests;
ECABINET_TEST_BROWSER=required makes a missing Chromium a failure instead of a skip. CI sets both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import sqlalchemy as sa
import uvicorn

from ecabinet import sample
from ecabinet.app import create_app
from ecabinet.auth import CSRF_HEADER
from ecabinet.database import Database
from ecabinet.settings import Settings

DEMO_PASSWORD = "demo"
PG_URL = os.environ.get("ECABINET_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("ECABINET_TEST_REDIS_URL", "")
BROWSER_REQUIRED = os.environ.get("ECABINET_TEST_BROWSER", "") == "required"


def _pg_admin_url() -> str:
    url = sa.engine.make_url(PG_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_url(database: str) -> str:
    url = sa.engine.make_url(PG_URL)
    return url.set(drivername="postgresql+psycopg", database=database).render_as_string(hide_password=False)


def _pg_execute(statement: str) -> None:
    with psycopg.connect(_pg_admin_url(), autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _require_pg() -> None:
    if not PG_URL:
        pytest.skip("ECABINET_TEST_DATABASE_URL is not set (CI sets it; then PostgreSQL must be reachable)")


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the sample loaded, copied for each test (hashing passwords is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    sample.load_sample(db, DEMO_PASSWORD)
    db.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def pg_template(run_id: str) -> Iterator[str]:
    """A PostgreSQL database of this run, migrated with the sample loaded, that each test copies."""
    _require_pg()
    name = f"ecabinet_tmpl_{run_id}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    db = Database(_pg_url(name))
    db.migrate()
    sample.load_sample(db, DEMO_PASSWORD)
    db.dispose()
    yield name
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_db(kind: str, request: pytest.FixtureRequest, tmp_path: Path, run_id: str) -> Iterator[Database]:
    if kind == "sqlite":
        path = tmp_path / "ecabinet.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        db = Database(f"sqlite:///{path}")
        yield db
        db.dispose()
        return
    template = request.getfixturevalue("pg_template")
    name = f"ecabinet_t_{run_id}_{uuid.uuid4().hex[:8]}"
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    db = Database(_pg_url(name))
    yield db
    db.dispose()
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path, run_id: str) -> Iterator[Database]:
    """A database with the sample meeting loaded, on SQLite and on PostgreSQL."""
    yield from _fresh_db(request.param, request, tmp_path, run_id)


@pytest.fixture
def pg_db(request: pytest.FixtureRequest, tmp_path: Path, run_id: str) -> Iterator[Database]:
    """A PostgreSQL database with the sample meeting loaded (for several workers sharing it)."""
    yield from _fresh_db("postgresql", request, tmp_path, run_id)


def _require_redis() -> str:
    if not REDIS_URL:
        pytest.skip("ECABINET_TEST_REDIS_URL is not set (CI sets it; then Redis must be reachable)")
    return REDIS_URL


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (from ECABINET_TEST_REDIS_URL); tests keep to their own topic prefix."""
    return _require_redis()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of the test's own, which the test may stop and start (never the machine's)."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, cwd=self.workdir, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A private redis-server, started; CI (which sets ECABINET_TEST_REDIS_URL) requires redis-server."""
    _require_redis()
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest, tmp_path: Path, run_id: str) -> Iterator[Database]:
    """A SQLite database with the sample meeting loaded."""
    yield from _fresh_db("sqlite", request, tmp_path, run_id)


@pytest.fixture
def empty_pg_url(run_id: str) -> Iterator[str]:
    """The URL of an empty PostgreSQL database of this test's own."""
    _require_pg()
    name = f"ecabinet_e_{run_id}_{uuid.uuid4().hex[:8]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    env = {"ECABINET_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "ECABINET_SECRET_KEY": "test-key"}
    return Settings.from_env(env, dotenv=None).with_overrides(**overrides)


@dataclass
class LiveServer:
    """A real uvicorn serving the app on an ephemeral port, and the database behind it."""

    url: str
    db: Database
    settings: Settings


def start_server(settings: Settings, db: Database) -> tuple[uvicorn.Server, threading.Thread, str]:
    config = uvicorn.Config(
        create_app(settings, db),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        ws_per_message_deflate=False,
        ws_max_size=settings.ws_max_message_bytes,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def stop_server(server: uvicorn.Server, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(timeout=10)


@contextmanager
def serving(settings: Settings, db: Database) -> Iterator[LiveServer]:
    """The app on a real uvicorn for the block's length."""
    handle, thread, url = start_server(settings, db)
    try:
        yield LiveServer(url, db, settings)
    finally:
        stop_server(handle, thread)


@pytest.fixture
def server(db: Database, tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a real uvicorn over the sample database, on SQLite and on PostgreSQL."""
    with serving(make_settings(tmp_path / "data", db.url), db) as live:
        yield live


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    """One server with the sample meeting, shared by the browser tests."""
    data_dir = tmp_path_factory.mktemp("demo")
    shutil.copy(sqlite_template, data_dir / "ecabinet.db")
    db = Database(f"sqlite:///{data_dir / 'ecabinet.db'}")
    with serving(make_settings(data_dir, db.url), db) as live:
        yield live
    db.dispose()


class Client(httpx.Client):
    """An HTTP client that signs in and then sends the session's CSRF token on every request."""

    csrf_token: str = ""

    def sign_in(self, login: str, password: str = DEMO_PASSWORD) -> Client:
        response = self.post("/api/session", json={"login": login, "password": password})
        assert response.status_code == 200, response.text
        self.csrf_token = response.json()["csrf_token"]
        self.headers[CSRF_HEADER] = self.csrf_token
        return self


@pytest.fixture
def client(server: LiveServer) -> Iterator[Any]:
    """A factory of clients of the live server: client() anonymous, client("thuky") signed in."""
    made: list[Client] = []

    def factory(login: str | None = None, password: str = DEMO_PASSWORD) -> Client:
        c = Client(base_url=server.url, timeout=30, trust_env=False)
        made.append(c)
        return c.sign_in(login, password) if login else c

    yield factory
    for c in made:
        c.close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """Playwright's sync driver, one for the whole run (a second one in the same thread refuses to start). Chromium
    missing is a failure where browser tests are required (ECABINET_TEST_BROWSER=required, as CI sets), else a
    skip."""
    if shutil.which("chromium") is None:
        if BROWSER_REQUIRED:
            pytest.fail("Chromium is required (ECABINET_TEST_BROWSER=required) but `chromium` is not installed")
        pytest.skip("chromium is not installed; set ECABINET_TEST_BROWSER=required to make this a failure")
    from playwright.sync_api import expect, sync_playwright

    # A UI assertion waits up to 20 s for the page to get there (Playwright's default is 5 s): on two cores the
    # browser shares the machine with the server, its PDF workers and, in CI, other suites' processes.
    expect.set_options(timeout=20_000)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    yield from chromium(playwright_driver)


CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)


def chromium(driver: Any, *extra_args: str) -> Iterator[Any]:
    """Debian's Chromium launched by the run's Playwright driver, with `extra_args`; closed after."""
    instance = driver.chromium.launch(executable_path=shutil.which("chromium"), args=[*CHROMIUM_ARGS, *extra_args])
    yield instance
    instance.close()


DOMAIN_TABLES = ("unit", "user", "meeting", "participant", "agenda_item", "audit_event", "audit_head")


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the domain tables and the audit log, to show that a refused request changed nothing."""
    with db.read() as session:
        return {
            table: sorted(tuple(row) for row in session.execute(sa.text(f'SELECT * FROM "{table}"')).all())
            for table in DOMAIN_TABLES
        }


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The body of an error answer, checked against the one error shape."""
    body = response.json()
    assert set(body) >= {"ok", "error", "message", "status"}, body
    assert body["ok"] is False and body["status"] == response.status_code and body["message"], body
    return dict(body)
