"""Trigram indexes for the moderation queues' search box, on PostgreSQL only.

The admin searches each word with ``icontains`` over the text, the author's name and their address,
which PostgreSQL runs as ``UPPER(column) LIKE UPPER('%word%')``; a GIN index of the trigrams of
``UPPER(column)`` answers that without reading the table. Built CONCURRENTLY, so a live site keeps
taking comments while a million rows are indexed. SQLite has no such index and searches by scanning.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class KeepTrigramExtension(TrigramExtension):
    """Creates pg_trgm going forwards and leaves it in place going back.

    Django's own backwards step asks ``pg_extension`` whatever the database, which SQLite has not, and
    dropping the extension would take with it any other index built on it since.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        return


COLUMNS = {"comment_search_text": "text", "comment_search_name": "author_name", "comment_search_email": "author_email"}


def create_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in COLUMNS.items():
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "comments_comment" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )
    # Statistics of the indexed expressions: without them the planner guesses every word rare and
    # reads a word found in most comments through the index instead of walking the queue's order.
    schema_editor.execute('ANALYZE "comments_comment"')


def drop_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("comments", "0009_thread_public_count")]

    operations = [
        KeepTrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
