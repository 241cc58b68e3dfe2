from django.db import migrations, models

import accounts.roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_staff_groups"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="subscriber", old_name="confirmation_sent_at", new_name="link_sent_at"),
        migrations.AlterField(
            model_name="subscriber",
            name="link_sent_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When a confirmation or preferences link was last sent.",
                null=True,
            ),
        ),
        # Editors manage subscribers and the suppression list and can retry failed deliveries.
        migrations.RunPython(accounts.roles.sync_groups, migrations.RunPython.noop),
    ]
