"""The topic's content type follows it, and the staff groups are set again.

Renaming the ``django_content_type`` row (app label ``policies`` → ``topics``) keeps every row that
points at it: the permissions (and so the groups and users holding them) and the admin's history.
"""

from django.db import migrations

import accounts.roles
from core.migration_helpers import move_content_types


def forwards(apps, schema_editor) -> None:
    move_content_types(apps, ("topic",), "policies", "topics")


def backwards(apps, schema_editor) -> None:
    move_content_types(apps, ("topic",), "topics", "policies")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0003_personal_data_requests"),
        ("policies", "0003_topic_moves_to_topics"),
        ("topics", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(accounts.roles.sync_groups, migrations.RunPython.noop),
    ]
