"""The database: an engine per URL, short sessions, and the schema's migrations."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlmodel import Session

from realtime import eventlog

log = logging.getLogger("ecabinet.database")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATION_LOCK_KEY = 0x0EC4B1E7
OUTBOX_KEY = "ecabinet.outbox"

CommitListener = Callable[[list[eventlog.Event]], None]


def outbox(session: Session) -> list[eventlog.Pending]:
    """The events a write transaction will log when it commits."""
    pending: list[eventlog.Pending] = session.info.setdefault(OUTBOX_KEY, [])
    return pending


class Database:
    """One engine and the two kinds of transaction the services use: `read()` and `write()`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = sa.engine.make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            _configure_sqlite(self.engine)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
        self._writer = self.engine.execution_options(ecabinet_write=True)
        # SQLite has one writer: this process's writes queue here, in order and without a timeout, rather
        # than in SQLite's busy handler, which gives up after its timeout when many requests write at once.
        self._write_turn: threading.RLock | contextlib.nullcontext[None] = (
            threading.RLock() if self.is_sqlite else contextlib.nullcontext()
        )
        self.listeners: list[CommitListener] = []

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back whole on an exception.

        Events the block emitted are written to the event log inside the same transaction, last, so the
        channels' counter rows stay locked only for the commit; listeners hear of them after it.
        """
        with self._write_turn, Session(self._writer, expire_on_commit=False) as session:
            with session.begin():
                yield session
                pending = session.info.pop(OUTBOX_KEY, None)
                written = eventlog.append(session.connection(), pending) if pending else []
            for listener in self.listeners if written else ():
                try:
                    listener(written)
                except Exception:
                    # The change is committed and its events are in the log; the hub's poll delivers them.
                    log.exception("commit listener failed")

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A session whose reads all see one moment (a state and the event seq it is current to)."""
        engine = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                # Workers starting together migrate one at a time; the others then find nothing to do.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _configure_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN: the driver's deferred BEGIN fails at once when
        # two writers upgrade their locks (DESIGN §10).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        if connection.get_execution_options().get("ecabinet_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
