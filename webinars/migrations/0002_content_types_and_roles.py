"""The moved models' content types follow them, and the staff groups are set again.

Renaming the ``django_content_type`` rows (app label ``consultations`` → ``webinars``) keeps every row
that points at them: permissions (and so the groups and users holding them), the admin's history,
comments on webinars and deliveries about them.
"""

from django.db import migrations

import accounts.roles

MODELS = ("webinar", "speaker", "appearance", "quote")


def move_content_types(apps, from_label: str, to_label: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue
        # A content type made for the new label before this ran (permissions are made for the migration
        # state) has nothing but those permissions: the old one, with everything that points at it, wins.
        ContentType.objects.filter(app_label=to_label, model=model).delete()
        old.app_label = to_label
        old.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor) -> None:
    move_content_types(apps, "consultations", "webinars")


def backwards(apps, schema_editor) -> None:
    move_content_types(apps, "webinars", "consultations")


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
