"""Alembic environment: runs on the connection the app hands over, or on the configured URL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import ecabinet.models  # noqa: F401  (registers the tables)
from realtime import eventlog

config = context.config
target_metadata = [SQLModel.metadata, eventlog.metadata]


def run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        run(conn)
    engine.dispose()
