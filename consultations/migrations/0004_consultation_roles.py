from django.db import migrations

import accounts.roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_staff_groups"),
        ("consultations", "0003_consultation_questions_responses"),
    ]

    operations = [migrations.RunPython(accounts.roles.sync_groups, migrations.RunPython.noop)]
