"""The comment policy, bans, blocked terms, trusted commenters and the audit log leave this app's state for
``moderation`` (0001).

State only: their tables, the foreign keys that point at them and every row stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_comment_reason_rows"),
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="ban",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="ban",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="blockedterm",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="policyversion",
                    name="policy",
                ),
                migrations.RemoveField(
                    model_name="moderationevent",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="moderationevent",
                    name="clause",
                ),
                migrations.RemoveField(
                    model_name="moderationevent",
                    name="content_type",
                ),
                migrations.RemoveField(
                    model_name="policyclause",
                    name="version",
                ),
                migrations.AlterField(
                    model_name="flag",
                    name="clause",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="flags", to="moderation.policyclause"
                    ),
                ),
                migrations.RemoveField(
                    model_name="policyversion",
                    name="created_by",
                ),
                migrations.AlterField(
                    model_name="comment",
                    name="policy_version",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="comments",
                        to="moderation.policyversion",
                    ),
                ),
                migrations.RemoveField(
                    model_name="trustedcommenter",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="trustedcommenter",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Ban",
                ),
                migrations.DeleteModel(
                    name="BlockedTerm",
                ),
                migrations.DeleteModel(
                    name="CommentPolicy",
                ),
                migrations.DeleteModel(
                    name="ModerationEvent",
                ),
                migrations.DeleteModel(
                    name="PolicyClause",
                ),
                migrations.DeleteModel(
                    name="PolicyVersion",
                ),
                migrations.DeleteModel(
                    name="TrustedCommenter",
                ),
            ],
        ),
    ]
