from django.db import migrations, models

from core.personal_data import address_hash


def fill_hashes(apps, schema_editor) -> None:
    Suppression = apps.get_model("notifications", "Suppression")
    seen = set()
    for suppression in Suppression.objects.order_by("pk").only("pk", "email").iterator(chunk_size=1000):
        digest = address_hash(suppression.email)
        rows = Suppression.objects.filter(pk=suppression.pk)
        # Two spellings of one address (only case differed) become one suppression: the first.
        if digest in seen:
            rows.delete()
        else:
            rows.update(email_hash=digest)
        seen.add(digest)


class Migration(migrations.Migration):
    """Suppression is matched by a keyed hash of the address, so erasing the address keeps it suppressed."""

    dependencies = [("notifications", "0003_delivery_provider_message_id")]

    operations = [
        migrations.AddField(
            model_name="suppression",
            name="email_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_hashes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="suppression",
            name="email_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name="suppression",
            name="reason",
            field=models.CharField(
                choices=[
                    ("unsubscribed", "Unsubscribed"),
                    ("hard_bounce", "Hard bounce"),
                    ("complaint", "Spam complaint"),
                    ("manual", "Added by staff"),
                    ("erased", "Personal data erased on request"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="suppression",
            name="email",
            field=models.EmailField(
                blank=True, db_index=True, help_text="Empty once the address was erased.", max_length=254
            ),
        ),
    ]
