"""The rank vector's opening also stops before a tag left open, on PostgreSQL only.

Migration 0010 cut the body's first 400 characters back to the last whole word. A cut inside a tag
("<a href='x y'>") still left the tag's start, which the text parser reads as one token, spaces and all,
so its pieces read as words the rest of the body's vector does not hold. The trigger now cuts before
such a tag too, as site search's own opening does (``search.postgres._opening``), and the rank vectors
are computed again. SQLite keeps the columns empty.
"""

from importlib import import_module

from django.db import migrations

# 0010's trigger, vector refresh and vacuum, with a different cut.
opening = import_module("policies.migrations.0010_analysis_search_opening")

BEFORE_TAGS = (
    "CASE WHEN length(coalesce(NEW.body, '')) > 400"
    " THEN regexp_replace(left(NEW.body, 400), '(<[^>]*|\\S*)$', '')"
    " ELSE coalesce(NEW.body, '') END"
)


def cut_with(body_opening: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in (opening.function(body_opening), opening.RECOMPUTE, opening.VACUUM):
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # VACUUM cannot run inside a transaction.
    atomic = False

    dependencies = [("policies", "0010_analysis_search_opening")]

    operations = [
        migrations.RunPython(cut_with(BEFORE_TAGS), cut_with(opening.WHOLE_WORDS), elidable=False),
    ]
