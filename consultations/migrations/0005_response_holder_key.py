"""The draft's holder key: existing drafts keep working in the browsers that hold them.

Those sessions stored the response's token, so each existing row's key starts as its token;
new rows get a fresh random key.
"""

from django.db import migrations, models
from django.db.models import F

import consultations.models


def keys_from_tokens(apps, schema_editor) -> None:
    apps.get_model("consultations", "Response").objects.update(holder_key=F("token"))


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_consultation_roles")]

    operations = [
        migrations.AddField(
            model_name="response",
            name="holder_key",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(keys_from_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="response",
            name="holder_key",
            field=models.CharField(default=consultations.models.new_token, editable=False, max_length=64, unique=True),
        ),
    ]
