from django.db import connection

from .base import LexicalBackend, LexicalEntry

TABLE = "retrieval_chunk_tsv"


class PostgresFullTextBackend(LexicalBackend):
    """PostgreSQL full text over the same analysed tokens, weighted A/B/C for title/heading/body.

    The tokens are already French stems with accents folded, so the `simple` configuration indexes them as
    they are (the `french` one would stem the stems a second time). Ranking is `ts_rank` with length
    normalisation, PostgreSQL's nearest equivalent of BM25.
    """

    def index(self, entries: list[LexicalEntry]) -> None:
        if not entries:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (chunk_id, tsv) VALUES (%s, "
                "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
                "|| setweight(to_tsvector('simple', %s), 'C')) "
                "ON CONFLICT (chunk_id) DO UPDATE SET tsv = EXCLUDED.tsv",
                [(e.chunk_id, e.title, e.heading, e.body) for e in entries],
            )

    def delete(self, chunk_ids: list[int]) -> None:
        if chunk_ids:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {TABLE} WHERE chunk_id = ANY(%s)", [list(chunk_ids)])

    def search(self, tokens, *, collection, visibilities, limit, now):
        terms = sorted({token for token in tokens if token})
        if not terms or not visibilities:
            return []
        title, heading, body = self.weights
        # The weights array is {D, C, B, A}; D is unused.
        sql = (
            f"SELECT t.chunk_id, ts_rank(%s::float4[], t.tsv, q.query, 1) AS score FROM {TABLE} t "
            "JOIN retrieval_chunk c ON c.id = t.chunk_id JOIN retrieval_document d ON d.id = c.document_id, "
            "(SELECT to_tsquery('simple', string_agg(quote_literal(term), ' | ')) AS query "
            " FROM unnest(%s::text[]) AS term) q "
            "WHERE t.tsv @@ q.query AND d.collection = %s AND d.visibility = ANY(%s) "
            "AND (d.available_from IS NULL OR d.available_from <= %s) "
            "ORDER BY score DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            weights = [0.1, body / 2, heading / 2, title / 2]
            cursor.execute(sql, [weights, terms, collection, list(visibilities), now, limit])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]
