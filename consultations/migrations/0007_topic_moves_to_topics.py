"""A consultation's topics are now ``topics.Topic``: the same table, so only the state changes.

The link table (``consultations_consultation_topics``) and its ``topic_id`` column keep their names.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_webinars_move_out"),
        ("topics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consultation",
                    name="topics",
                    field=models.ManyToManyField(blank=True, related_name="consultations", to="topics.topic"),
                ),
            ],
        ),
    ]
