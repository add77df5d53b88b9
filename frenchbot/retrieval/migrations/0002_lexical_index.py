"""The lexical index table, which differs per database engine.

It is kept in step with retrieval_chunk by a trigger rather than a foreign key: a deleted chunk takes its
index row with it, and Django's test flush (TRUNCATE on PostgreSQL) is not blocked by a reference."""

from django.db import migrations


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS retrieval_chunk_fts USING fts5(title, heading, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS retrieval_chunk_fts_delete AFTER DELETE ON retrieval_chunk "
            "BEGIN DELETE FROM retrieval_chunk_fts WHERE rowid = old.id; END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE TABLE IF NOT EXISTS retrieval_chunk_tsv (chunk_id bigint PRIMARY KEY, tsv tsvector NOT NULL)"
        )
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION retrieval_chunk_tsv_delete() RETURNS trigger AS $$ "
            "BEGIN DELETE FROM retrieval_chunk_tsv WHERE chunk_id = OLD.id; RETURN OLD; END $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            "CREATE TRIGGER retrieval_chunk_tsv_delete AFTER DELETE ON retrieval_chunk "
            "FOR EACH ROW EXECUTE FUNCTION retrieval_chunk_tsv_delete()"
        )
        schema_editor.execute("CREATE INDEX IF NOT EXISTS retrieval_chunk_tsv_gin ON retrieval_chunk_tsv USING gin (tsv)")


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS retrieval_chunk_fts_delete")
        schema_editor.execute("DROP TABLE IF EXISTS retrieval_chunk_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS retrieval_chunk_tsv_delete ON retrieval_chunk")
        schema_editor.execute("DROP FUNCTION IF EXISTS retrieval_chunk_tsv_delete()")
        schema_editor.execute("DROP TABLE IF EXISTS retrieval_chunk_tsv")


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
