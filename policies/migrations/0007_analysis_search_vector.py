"""Site search's weighted words for analyses: two columns, the trigger that fills them, a GIN index.

On PostgreSQL a trigger keeps ``search_vector`` in step with the title (weight A), the standfirst (B)
and the body (C), and ``search_rank_vector`` with the title, the standfirst and the body's first
RANK_BODY_CHARS characters, on every insert and every update of those columns, so bulk inserts, the
admin and any later code path all keep them current; existing rows are filled here. Matching reads the
full vector through the GIN index without opening it; ranking reads the small one, which is stored in
the row rather than out of line, so ranking thousands of matches stays fast. SQLite keeps the
columns empty and has no such index: search there reads the text itself.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from core.migration_helpers import on_postgresql_only

RANK_BODY_CHARS = 400

VECTOR = """
    setweight(to_tsvector('english', coalesce({row}title, '')), 'A')
    || setweight(to_tsvector('english', coalesce({row}standfirst, '')), 'B')
    || setweight(to_tsvector('english', {body}), 'C')
"""
FULL = VECTOR.format(row="{row}", body="coalesce({row}body, '')")
RANKED = VECTOR.format(row="{row}", body=f"left(coalesce({{row}}body, ''), {RANK_BODY_CHARS})")

# One statement each: a driver sending parameters runs one statement per call.
CREATE = [
    f"""
    CREATE FUNCTION policies_analysis_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {FULL.format(row="NEW.")};
        NEW.search_rank_vector := {RANKED.format(row="NEW.")};
        RETURN NEW;
    END
    $$
    """,
    # Any write of the texts (or of the column itself, as a full save writes it) recomputes the vector.
    """
    CREATE TRIGGER policies_analysis_search_vector
        BEFORE INSERT OR UPDATE OF title, standfirst, body, search_vector, search_rank_vector
        ON policies_policyanalysis
        FOR EACH ROW EXECUTE FUNCTION policies_analysis_search_vector()
    """,
    # Kept in the row (not out of line), as it is read for every match.
    "ALTER TABLE policies_policyanalysis ALTER COLUMN search_rank_vector SET STORAGE MAIN",
    # Fills both columns: the trigger recomputes them on this update.
    "UPDATE policies_policyanalysis SET search_vector = NULL",
    "CREATE INDEX policies_analysis_search ON policies_policyanalysis USING gin (search_vector)",
]

DROP = [
    "DROP INDEX IF EXISTS policies_analysis_search",
    "DROP TRIGGER IF EXISTS policies_analysis_search_vector ON policies_policyanalysis",
    "DROP FUNCTION IF EXISTS policies_analysis_search_vector()",
]


class Migration(migrations.Migration):
    dependencies = [("policies", "0006_figure_editor_role")]

    operations = [
        migrations.AddField(
            model_name="policyanalysis",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="policyanalysis",
            name="search_rank_vector",
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
            database_operations=[on_postgresql_only(CREATE, DROP)],
        ),
    ]
