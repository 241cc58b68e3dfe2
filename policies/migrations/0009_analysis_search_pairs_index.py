"""Site search's index of the pairs of words that stand next to each other in an analysis, on PostgreSQL only.

A phrase query ("early diagnosis") can only be checked against the positions kept in each candidate's
whole vector, which is stored out of line: for two common words that meant opening some 9,000 vectors
(50-100 ms) to find 160 analyses. ``search_word_pairs`` lists the pairs of lexemes one position apart
in a vector ("earli diagnosi"), and a GIN index of it for ``search_vector`` finds the analyses holding
every pair of a phrase; only those are then checked against the whole vector, so the index narrows
the search and never decides it (a pair can be listed where the phrase is not, never the reverse).
``search_phrase_pairs`` lists a phrase's pairs the same way, from the same parser and stemmer.
``search.postgres`` asks for them only where the query requires its phrases (``search.terms``). SQLite
has no such index: search there reads the text itself.
"""

from django.db import migrations

from core.migration_helpers import on_postgresql_only

INDEX = "policies_analysis_search_pairs"

CREATE = [
    # Pairs one position apart; every position of every lexeme, so two lexemes sharing a position
    # (past the last position a vector keeps, 16,383) give both pairs.
    """
    CREATE FUNCTION search_word_pairs(vector tsvector) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT first.lexeme || ' ' || second.lexeme), '{}')
        FROM (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) AS first
        JOIN (SELECT lexeme, unnest(positions) AS position FROM unnest(vector)) AS second
            ON second.position = first.position + 1
    $$
    """,
    """
    CREATE FUNCTION search_phrase_pairs(config regconfig, phrase text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT search_word_pairs(to_tsvector(config, phrase))
    $$
    """,
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON policies_policyanalysis USING gin (search_word_pairs(search_vector))",
    "ANALYZE policies_policyanalysis",
]

DROP = [
    f"DROP INDEX IF EXISTS {INDEX}",
    "DROP FUNCTION IF EXISTS search_phrase_pairs(regconfig, text)",
    "DROP FUNCTION IF EXISTS search_word_pairs(tsvector)",
]


class Migration(migrations.Migration):
    dependencies = [("policies", "0008_analysis_search_title_index")]

    operations = [on_postgresql_only(CREATE, DROP)]
