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


def test_pages_stored_before_search_existed_become_searchable(db: Database) -> None:
    """Migration 0004 folds the text already stored and indexes it, so older papers are found too."""
    from alembic import command
    from sqlmodel import select

    from ecabinet.database import alembic_config
    from ecabinet.models import AgendaItem, Document, DocumentPage, DocumentState
    from ecabinet.page_index import index_for

    with db.write() as session:
        item = session.exec(select(AgendaItem)).first()
        assert item is not None and item.id is not None
        doc = Document(meeting_id=item.meeting_id, item_id=item.id, title="Tờ trình", sha256="x", pages=1)
        doc.state = DocumentState.ready
        session.add(doc)
        session.flush()
        assert doc.id is not None
        text = "Kế hoạch chuyển đổi số năm 2027 của thành phố Hà Nội"
        session.add(DocumentPage(document_id=doc.id, number=1, text=text))
        document_id = doc.id
    config = alembic_config(db.url)
    command.downgrade(config, "0003")
    command.upgrade(config, "head")
    with db.read() as session:
        assert index_for(session).find(session, ["chuyen", "doi", "so"], [document_id], 10)[0][:2] == (document_id, 1)
        assert session.get(Document, document_id).text_encoding == "unicode"  # type: ignore[union-attr]
