"""Webinars, speakers, appearances and quotes leave this app's state for ``webinars`` (0001).

State only: their tables, the consultation-webinar links and every row stay as they are.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0005_response_holder_key"),
        ("policies", "0002_quote_moves_to_webinars"),
        ("webinars", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="appearance",
                    name="speaker",
                ),
                migrations.RemoveField(
                    model_name="appearance",
                    name="webinar",
                ),
                migrations.RemoveField(
                    model_name="webinar",
                    name="speakers",
                ),
                migrations.RemoveField(
                    model_name="quote",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="quote",
                    name="speaker",
                ),
                migrations.RemoveField(
                    model_name="quote",
                    name="updated_by",
                ),
                migrations.RemoveField(
                    model_name="quote",
                    name="webinar",
                ),
                migrations.RemoveField(
                    model_name="speaker",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="speaker",
                    name="updated_by",
                ),
                migrations.RemoveField(
                    model_name="webinar",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="webinar",
                    name="topics",
                ),
                migrations.RemoveField(
                    model_name="webinar",
                    name="updated_by",
                ),
                migrations.AlterField(
                    model_name="consultation",
                    name="webinars",
                    field=models.ManyToManyField(blank=True, related_name="consultations", to="webinars.webinar"),
                ),
                migrations.DeleteModel(
                    name="Appearance",
                ),
                migrations.DeleteModel(
                    name="Quote",
                ),
                migrations.DeleteModel(
                    name="Speaker",
                ),
                migrations.DeleteModel(
                    name="Webinar",
                ),
            ],
        ),
    ]
