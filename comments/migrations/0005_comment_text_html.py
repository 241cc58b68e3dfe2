from django.db import migrations, models

from comments.rendering import comment_html


def render_existing(apps, schema_editor) -> None:
    Comment = apps.get_model("comments", "Comment")
    for comment in Comment.objects.only("pk", "text").iterator(chunk_size=500):
        Comment.objects.filter(pk=comment.pk).update(text_html=comment_html(comment.text))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_moderation_queues_claims_responses"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="text_html",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
