"""A webinar's topics are now ``topics.Topic``: the same table, so only the state changes.

The link table (``consultations_webinar_topics``) and its ``topic_id`` column keep their names.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0001_initial"),
        ("webinars", "0002_content_types_and_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="webinar",
                    name="topics",
                    field=models.ManyToManyField(blank=True, related_name="webinars", to="topics.topic"),
                ),
            ],
        ),
    ]
