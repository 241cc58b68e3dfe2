from django.db import migrations


class Migration(migrations.Migration):
    """A permission of its own for reading what an email said; no staff group is given it."""

    dependencies = [("notifications", "0004_suppression_address_hash")]

    operations = [
        migrations.AlterModelOptions(
            name="delivery",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [("view_delivery_content", "Can read what a delivered email said")],
                "verbose_name_plural": "deliveries",
            },
        ),
    ]
