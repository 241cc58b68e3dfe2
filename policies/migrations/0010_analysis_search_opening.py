"""Site search's rank vector ends at a whole word and has a GIN index of its own, on PostgreSQL only.

Search lists first the analyses whose title holds the query, then those whose title, standfirst and
body's opening (``search_rank_vector``, migration 0007) hold it, then the rest; the second group is
found through this index, so a page of common words ranks a few hundred analyses instead of all their
matches. Those analyses are taken to match without opening their whole vector, which holds everything
the rank vector holds: true once the opening stops at a whole word, since a word cut at the 400th
character ("fundi" of "funding") was a word of the rank vector only. The trigger now cuts the opening
back to the last whole word, and the rank vectors are computed again. SQLite keeps the columns empty.
"""

from django.db import migrations

INDEX = "policies_analysis_search_rank"

VECTOR = """
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(NEW.standfirst, '')), 'B')
    || setweight(to_tsvector('english', {body}), 'C')
"""
WHOLE_WORDS = (
    "CASE WHEN length(coalesce(NEW.body, '')) > 400"
    " THEN regexp_replace(left(NEW.body, 400), '\\S*$', '')"
    " ELSE coalesce(NEW.body, '') END"
)
CUT = "left(coalesce(NEW.body, ''), 400)"  # migration 0007's


def function(opening: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION policies_analysis_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {VECTOR.format(body="coalesce(NEW.body, '')")};
        NEW.search_rank_vector := {VECTOR.format(body=opening)};
        RETURN NEW;
    END
    $$
    """


# The trigger recomputes both vectors on this update.
RECOMPUTE = "UPDATE policies_policyanalysis SET search_rank_vector = NULL"
# Rewriting every row leaves the GIN indexes' pending entries and the old rows behind, which make the
# planner price the indexes too high and read the table instead (100 ms a search, against 10) until
# autovacuum passes; so they are cleared here, and the statistics taken again.
VACUUM = "VACUUM ANALYZE policies_policyanalysis"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (
            function(WHOLE_WORDS),
            RECOMPUTE,
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON policies_policyanalysis USING gin (search_rank_vector)",
            VACUUM,
        ):
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (f"DROP INDEX IF EXISTS {INDEX}", function(CUT), RECOMPUTE, VACUUM):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    # VACUUM cannot run inside a transaction.
    atomic = False

    dependencies = [("policies", "0009_analysis_search_pairs_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
