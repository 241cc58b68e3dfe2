"""The topic's content type follows it, and the staff groups are set again.

Renaming the ``django_content_type`` row (app label ``policies`` → ``topics``) keeps every row that
points at it: the permissions (and so the groups and users holding them) and the admin's history.
"""

from django.db import migrations

import accounts.roles


def move_content_type(apps, from_label: str, to_label: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=from_label, model="topic").first()
    if old is not None:
        # A content type made for the new label before this ran (permissions are made for the migration
        # state) has nothing but those permissions: the old one, with everything that points at it, wins.
        ContentType.objects.filter(app_label=to_label, model="topic").delete()
        old.app_label = to_label
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor) -> None:
    move_content_type(apps, "policies", "topics")


def backwards(apps, schema_editor) -> None:
    move_content_type(apps, "topics", "policies")


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
