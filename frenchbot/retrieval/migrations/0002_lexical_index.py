"""The lexical index table, which differs per database engine."""

from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS retrieval_chunk_fts USING fts5(title, heading, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE TABLE IF NOT EXISTS retrieval_chunk_tsv (chunk_id bigint PRIMARY KEY "
            "REFERENCES retrieval_chunk (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, tsv tsvector NOT NULL)"
        )
        schema_editor.execute("CREATE INDEX IF NOT EXISTS retrieval_chunk_tsv_gin ON retrieval_chunk_tsv USING gin (tsv)")


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS retrieval_chunk_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS retrieval_chunk_tsv")


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
