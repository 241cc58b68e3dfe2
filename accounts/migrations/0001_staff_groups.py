from django.db import migrations

from accounts.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("policies", "0001_initial"),
        ("consultations", "0002_initial"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
