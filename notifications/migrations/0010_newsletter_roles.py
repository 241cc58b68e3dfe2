from django.db import migrations

from accounts.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_newsletter_issues"),
        ("accounts", "0003_personal_data_requests"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
