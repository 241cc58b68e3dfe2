"""Editors manage figures: the Editors group gains the figure permissions (``accounts.roles``)."""

from django.db import migrations

from accounts.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_personal_data_requests"),
        ("policies", "0005_figure_and_hero_renditions"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
