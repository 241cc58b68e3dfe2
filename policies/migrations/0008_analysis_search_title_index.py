"""Site search's index of the words of analyses' titles, on PostgreSQL only.

Search lists first the results whose title holds every word of the query, so for a word found in
nearly every analysis it ranks the few hundred title matches instead of all ten thousand matches. The
title's words are the weight-A part of ``search_rank_vector`` (migration 0007), which
``ts_filter(search_rank_vector, '{a}')`` keeps; a GIN index of that expression finds them without
reading the table. ``search.postgres.title_words`` writes the same expression, so the planner uses the
index. SQLite has no such index: search there reads the text itself.
"""

from django.db import migrations

INDEX = "policies_analysis_search_title"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON policies_policyanalysis "
            "USING gin (ts_filter(search_rank_vector, '{a}'))"
        )
        # Statistics of the indexed expression, so the planner knows how many titles hold a word.
        schema_editor.execute("ANALYZE policies_policyanalysis")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_analysis_search_vector")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
