"""The moved models' content types follow them, and the staff groups are set again.

Renaming the ``django_content_type`` rows (app label ``consultations`` → ``webinars``) keeps every row
that points at them: permissions (and so the groups and users holding them), the admin's history,
comments on webinars and deliveries about them.
"""

from django.db import migrations

import accounts.roles
from core.migration_helpers import move_content_types

MODELS = ("webinar", "speaker", "appearance", "quote")


def forwards(apps, schema_editor) -> None:
    move_content_types(apps, MODELS, "consultations", "webinars")


def backwards(apps, schema_editor) -> None:
    move_content_types(apps, MODELS, "webinars", "consultations")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0003_personal_data_requests"),
        ("consultations", "0006_webinars_move_out"),
        ("webinars", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(accounts.roles.sync_groups, migrations.RunPython.noop),
    ]
