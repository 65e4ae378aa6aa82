"""Migrations from empty, and the SQLite connection settings."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ecabinet.database import Database

TABLES = {
    "unit",
    "user",
    "user_session",
    "login_failure",
    "meeting",
    "participant",
    "agenda_item",
    "audit_event",
    "audit_head",
    "alembic_version",
}


def _tables(db: Database) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_migrations_run_from_empty_on_sqlite(tmp_path: Path) -> None:
    """An empty SQLite file is migrated to the full schema, and migrating again changes nothing."""
    db = Database(f"sqlite:///{tmp_path / 'new' / 'e.db'}")
    db.migrate()
    db.migrate()
    assert TABLES <= _tables(db)
    db.dispose()


def test_migrations_run_from_empty_on_postgresql(empty_pg_url: str) -> None:
    """An empty PostgreSQL database is migrated to the full schema, and migrating again changes nothing."""
    db = Database(empty_pg_url)
    db.migrate()
    db.migrate()
    assert TABLES <= _tables(db)
    with db.read() as session:
        assert session.execute(sa.text("SELECT seq FROM audit_head")).scalar_one() == 0
    db.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db: Database) -> None:
    """SQLite connections use WAL, enforce foreign keys, and wait for locks."""
    with sqlite_db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_a_failed_write_rolls_back_whole(db: Database) -> None:
    """Nothing of a write block survives an exception inside it."""
    try:
        with db.write() as session:
            session.execute(sa.text("UPDATE meeting SET title = 'changed'"))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with db.read() as session:
        assert "changed" not in session.execute(sa.text("SELECT title FROM meeting")).scalars().all()


def test_workers_starting_together_migrate_one_at_a_time(empty_pg_url: str) -> None:
    """Several processes migrating an empty PostgreSQL database at once all succeed."""
    import concurrent.futures

    def migrate() -> None:
        db = Database(empty_pg_url)
        db.migrate()
        db.dispose()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for future in [pool.submit(migrate) for _ in range(4)]:
            future.result()
    db = Database(empty_pg_url)
    assert TABLES <= _tables(db)
    db.dispose()
