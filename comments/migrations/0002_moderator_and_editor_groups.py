from django.db import migrations

import accounts.roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_staff_groups"),
        ("comments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(accounts.roles.sync_groups, migrations.RunPython.noop),
    ]
