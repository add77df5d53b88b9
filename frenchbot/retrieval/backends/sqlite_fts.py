from django.db import connection

from .base import LexicalBackend, LexicalEntry

TABLE = "retrieval_chunk_fts"


class SQLiteFTS5Backend(LexicalBackend):
    """SQLite's FTS5 with its built-in BM25, over the analysed tokens (one column per field)."""

    def index(self, entries: list[LexicalEntry]) -> None:
        if not entries:
            return
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(e.chunk_id,) for e in entries])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, heading, body) VALUES (%s, %s, %s, %s)",
                [(e.chunk_id, e.title, e.heading, e.body) for e in entries],
            )

    def delete(self, chunk_ids: list[int]) -> None:
        if chunk_ids:
            with connection.cursor() as cursor:
                cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(i,) for i in chunk_ids])

    def search(self, tokens, *, collection, visibilities, limit, now):
        terms = sorted({token for token in tokens if token})
        if not terms or not visibilities:
            return []
        # Every term quoted: FTS5 then reads it as a plain string, never as an operator (NEAR, -, *, :).
        match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
        marks = ", ".join(["%s"] * len(visibilities))
        sql = (
            f"SELECT f.rowid, bm25({TABLE}, %s, %s, %s) AS score FROM {TABLE} f "
            "JOIN retrieval_chunk c ON c.id = f.rowid JOIN retrieval_document d ON d.id = c.document_id "
            f"WHERE {TABLE} MATCH %s AND d.collection = %s AND d.visibility IN ({marks}) "
            "AND (d.available_from IS NULL OR d.available_from <= %s) "
            "ORDER BY score LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.weights, match, collection, *visibilities, now, limit])
            # FTS5's bm25() is lower-is-better (negative); the contract wants higher-is-better.
            return [(row[0], -row[1]) for row in cursor.fetchall()]
