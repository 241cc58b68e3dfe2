"""Topic leaves this app's state for ``topics`` (0001); an analysis's topics point there.

State only: the table (``policies_topic``), the analysis-topic link table and every row stay as they
are. It runs after every other field pointing at the topic has moved, since the state cannot hold a
field whose model is gone.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0007_topic_moves_to_topics"),
        ("notifications", "0008_topic_moves_to_topics"),
        ("policies", "0002_quote_moves_to_webinars"),
        ("topics", "0001_initial"),
        ("webinars", "0003_topic_moves_to_topics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="policyanalysis",
                    name="topics",
                    field=models.ManyToManyField(blank=True, related_name="analyses", to="topics.topic"),
                ),
                migrations.DeleteModel(
                    name="Topic",
                ),
            ],
        ),
    ]
