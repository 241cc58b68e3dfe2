from django.db import migrations, models
from django.db.models import F, Func, OuterRef, Q, Subquery


def count_threads(apps, schema_editor):
    """Each root gets its thread's approved comments, itself included, in one statement."""
    Comment = apps.get_model("comments", "Comment")
    root = OuterRef("pk")
    approved = Comment.objects.filter(Q(root_id=root) | Q(pk=root), status="approved").order_by()
    counted = approved.annotate(approved=Func(F("pk"), function="COUNT")).values("approved")[:1]
    Comment.objects.filter(depth=0).update(thread_public_count=Subquery(counted))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0008_moderation_moves_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="thread_public_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("depth", 0)),
                fields=["content_type", "object_id", "id"],
                name="comment_target_roots",
            ),
        ),
        migrations.RunPython(count_threads, migrations.RunPython.noop),
    ]
