"""A subscriber's topics are now ``topics.Topic``: the same table, so only the state changes.

The link table (``notifications_subscriber_topics``) and its ``topic_id`` column keep their names.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0007_job_roles"),
        ("topics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="subscriber",
                    name="topics",
                    field=models.ManyToManyField(blank=True, related_name="subscribers", to="topics.topic"),
                ),
            ],
        ),
    ]
