"""A citation's quote is now ``webinars.Quote``: the same table, so only the state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0001_initial"),
        ("webinars", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="quotecitation",
                    name="quote",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="citations", to="webinars.quote"
                    ),
                ),
            ],
        ),
    ]
