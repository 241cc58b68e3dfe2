"""Site search's weighted words for analyses: a column, the trigger that fills it, and its GIN index.

On PostgreSQL a trigger keeps ``search_vector`` in step with the title (weight A), the standfirst (B)
and the body (C) on every insert and every update of those columns, so bulk inserts, the admin and any
later code path all keep it current; existing rows are filled here. SQLite keeps the column empty and
has no such index: search there reads the text itself.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

VECTOR = """
    setweight(to_tsvector('english', coalesce({row}title, '')), 'A')
    || setweight(to_tsvector('english', coalesce({row}standfirst, '')), 'B')
    || setweight(to_tsvector('english', coalesce({row}body, '')), 'C')
"""

# One statement each: a driver sending parameters runs one statement per call.
CREATE = [
    f"""
    CREATE FUNCTION policies_analysis_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {VECTOR.format(row="NEW.")};
        RETURN NEW;
    END
    $$
    """,
    # Any write of the texts (or of the column itself, as a full save writes it) recomputes the vector.
    """
    CREATE TRIGGER policies_analysis_search_vector
        BEFORE INSERT OR UPDATE OF title, standfirst, body, search_vector ON policies_policyanalysis
        FOR EACH ROW EXECUTE FUNCTION policies_analysis_search_vector()
    """,
    f"UPDATE policies_policyanalysis SET search_vector = {VECTOR.format(row='')}",  # noqa: S608 - no input
    "CREATE INDEX policies_analysis_search ON policies_policyanalysis USING gin (search_vector)",
]

DROP = [
    "DROP INDEX IF EXISTS policies_analysis_search",
    "DROP TRIGGER IF EXISTS policies_analysis_search_vector ON policies_policyanalysis",
    "DROP FUNCTION IF EXISTS policies_analysis_search_vector()",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_topic_moves_to_topics")]

    operations = [
        migrations.AddField(
            model_name="policyanalysis",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="policyanalysis",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["search_vector"], name="policies_analysis_search"
                    ),
                )
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
