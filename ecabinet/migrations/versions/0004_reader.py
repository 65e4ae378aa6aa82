"""search over page text, the presenter's page, tablets' offline packs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document_page") as batch:
        batch.add_column(sa.Column("folded", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("text_encoding", sa.String(length=16), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        # Words are folded by us (folding.fold: case, diacritics, đ → d), so the 'simple' configuration.
        op.execute(
            "ALTER TABLE document_page ADD COLUMN search tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', folded)) STORED"
        )
        op.execute("CREATE INDEX ix_document_page_search ON document_page USING gin (search)")
    else:
        # FTS5 without diacritic folding of its own: FTS5's misses đ, and ours serves both databases.
        op.execute(
            "CREATE VIRTUAL TABLE page_search USING fts5("
            "folded, document_id UNINDEXED, number UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')"
        )
    _backfill()
    op.create_table(
        "presenter",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("presenter_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("zoom", sa.Float(), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_table(
        "pack_status",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("device_label", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("pages_cached", sa.Integer(), nullable=False),
        sa.Column("pages_total", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", "device_id"),
    )


def _backfill() -> None:
    """Pages stored before search existed get their folded text (and, on SQLite, their FTS5 rows)."""
    from ecabinet.folding import fold, text_encoding

    bind = op.get_bind()
    pages = sa.table(
        "document_page", sa.column("document_id"), sa.column("number"), sa.column("text"), sa.column("folded")
    )
    documents = sa.table("document", sa.column("id"), sa.column("state"), sa.column("text_encoding"))
    texts: dict[int, list[str]] = {}
    for document_id, number, text in bind.execute(sa.select(pages.c.document_id, pages.c.number, pages.c.text)):
        folded = fold(text)
        bind.execute(
            sa.update(pages).where(pages.c.document_id == document_id, pages.c.number == number).values(folded=folded)
        )
        if bind.dialect.name != "postgresql":
            bind.execute(
                sa.text("INSERT INTO page_search (folded, document_id, number) VALUES (:f, :d, :n)"),
                {"f": folded, "d": document_id, "n": number},
            )
        texts.setdefault(document_id, []).append(text)
    for document_id, state in bind.execute(sa.select(documents.c.id, documents.c.state)):
        if state == "ready":
            encoding = text_encoding(texts.get(document_id, []))
            bind.execute(sa.update(documents).where(documents.c.id == document_id).values(text_encoding=encoding))


def downgrade() -> None:
    op.drop_table("pack_status")
    op.drop_table("presenter")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_document_page_search")
        op.execute("ALTER TABLE document_page DROP COLUMN search")
    else:
        op.execute("DROP TABLE page_search")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("text_encoding")
    with op.batch_alter_table("document_page") as batch:
        batch.drop_column("folded")
