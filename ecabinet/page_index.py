"""The page-text index behind search: one interface, SQLite's FTS5 or PostgreSQL's full-text search.

Both index `document_page.folded`, the page's text folded by `folding.fold` (case, diacritics,
đ → d: FTS5's own folding misses đ), so the same folded query finds the same pages on either.
SQLite keeps a separate FTS5 table (`page_search`); PostgreSQL a generated tsvector column
(`document_page.search`, the 'simple' configuration) with a GIN index (migration 0004).
"""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session

# The FTS5 table of SQLite databases (created by migration 0004; PostgreSQL has none).
PAGE_SEARCH = sa.table("page_search", sa.column("folded"), sa.column("document_id"), sa.column("number"))


class PageIndex(Protocol):
    """Where folded page text is indexed and looked up."""

    def add(self, session: Session, document_id: int, pages: list[tuple[int, str]]) -> None: ...

    def remove(self, session: Session, document_ids: list[int]) -> None: ...

    def find(
        self, session: Session, terms: list[str], document_ids: list[int], limit: int
    ) -> list[tuple[int, int, float]]: ...


class SqliteIndex:
    """FTS5 over `page_search(folded, document_id, number)`; bm25 ranks (lower is better there)."""

    def add(self, session: Session, document_id: int, pages: list[tuple[int, str]]) -> None:
        numbers = [number for number, _ in pages]
        session.execute(
            sa.delete(PAGE_SEARCH).where(PAGE_SEARCH.c.document_id == document_id, PAGE_SEARCH.c.number.in_(numbers))
        )
        session.execute(
            sa.insert(PAGE_SEARCH), [{"folded": folded, "document_id": document_id, "number": n} for n, folded in pages]
        )

    def remove(self, session: Session, document_ids: list[int]) -> None:
        session.execute(sa.delete(PAGE_SEARCH).where(PAGE_SEARCH.c.document_id.in_(document_ids)))

    def find(
        self, session: Session, terms: list[str], document_ids: list[int], limit: int
    ) -> list[tuple[int, int, float]]:
        # Each term quoted (a term is \w+, never an FTS5 operator); the last also as a prefix.
        match = " ".join(f'"{t}"' for t in terms[:-1]) + f' "{terms[-1]}"*'
        rows = session.execute(
            sa.text(
                "SELECT document_id, number, bm25(page_search) AS score FROM page_search "
                "WHERE page_search MATCH :match AND document_id IN :ids ORDER BY score LIMIT :limit"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"match": match, "ids": document_ids, "limit": limit},
        ).all()
        return [(int(d), int(n), -float(score)) for d, n, score in rows]


class PostgresIndex:
    """The generated tsvector `document_page.search` ('simple' configuration) with a GIN index."""

    def add(self, session: Session, document_id: int, pages: list[tuple[int, str]]) -> None:
        """Nothing to do: the column is generated from `folded` as each page is stored."""

    def remove(self, session: Session, document_ids: list[int]) -> None:
        """Nothing to do: the index is a column of the pages, and goes with them."""

    def find(
        self, session: Session, terms: list[str], document_ids: list[int], limit: int
    ) -> list[tuple[int, int, float]]:
        query = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
        rows = session.execute(
            sa.text(
                "SELECT document_id, number, ts_rank(search, q) AS score "
                "FROM document_page, to_tsquery('simple', :query) AS q "
                "WHERE search @@ q AND document_id = ANY(:ids) ORDER BY score DESC LIMIT :limit"
            ),
            {"query": query, "ids": document_ids, "limit": limit},
        ).all()
        return [(int(d), int(n), float(score)) for d, n, score in rows]


def index_for(session: Session) -> PageIndex:
    dialect = session.get_bind().dialect.name
    return PostgresIndex() if dialect == "postgresql" else SqliteIndex()
