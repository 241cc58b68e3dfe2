"""The comment policy, bans, blocked terms, trusted commenters and the audit log move here from ``comments``.

Only the migration state changes: the tables keep their names (``db_table``) and every row stays where it
is. ``comments`` 0008 removes the models from its state, ``moderation`` 0002 moves the content types.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("comments", "0007_comment_reason_rows"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CommentPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(default="Comment policy", max_length=120)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "comment policy",
                        "verbose_name_plural": "comment policies",
                        "db_table": "comments_commentpolicy",
                    },
                ),
                migrations.CreateModel(
                    name="PolicyVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveIntegerField(help_text="1 for the first version, then 2, 3…")),
                        (
                            "text",
                            models.TextField(help_text="Markdown. The introduction shown above the numbered clauses."),
                        ),
                        ("text_html", models.TextField(default="", editable=False)),
                        (
                            "effective_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                help_text="The version applies to comments submitted from this time.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "policy",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="versions",
                                to="moderation.commentpolicy",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "comments_policyversion",
                        "ordering": ["-effective_at", "-number"],
                    },
                ),
                migrations.CreateModel(
                    name="PolicyClause",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField()),
                        (
                            "title",
                            models.CharField(help_text="For example “Abusive or discriminatory”.", max_length=120),
                        ),
                        ("text", models.TextField(help_text="What the clause forbids, in plain words.")),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="clauses",
                                to="moderation.policyversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "comments_policyclause",
                        "ordering": ["version", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="TrustedCommenter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        ("note", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="comment_trust",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "comments_trustedcommenter",
                    },
                ),
                migrations.CreateModel(
                    name="Ban",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("email", "Email address"),
                                    ("domain", "Email domain"),
                                    ("account", "Account"),
                                    ("ip", "IP address (hashed)"),
                                ],
                                max_length=8,
                            ),
                        ),
                        (
                            "value",
                            models.CharField(
                                blank=True,
                                help_text="The address, the domain (example.com) or the IP hash.",
                                max_length=254,
                            ),
                        ),
                        ("until", models.DateTimeField(blank=True, help_text="Empty: permanent.", null=True)),
                        ("reason", models.TextField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="comment_bans",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "comments_ban",
                        "ordering": ["-created_at"],
                        "indexes": [models.Index(fields=["kind", "value"], name="ban_lookup")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("kind", "account"), ("user__isnull", False)),
                                    models.Q(
                                        models.Q(("kind", "account"), _negated=True),
                                        models.Q(("value", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="ban_names_its_subject",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="BlockedTerm",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "term",
                            models.CharField(help_text="A word or phrase, matched as whole words.", max_length=100),
                        ),
                        ("folded", models.CharField(db_index=True, editable=False, max_length=100)),
                        (
                            "action",
                            models.CharField(
                                choices=[("block", "Reject the comment"), ("hold", "Hold for moderation")],
                                default="hold",
                                max_length=5,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "comments_blockedterm",
                        "ordering": ["term"],
                        "constraints": [models.UniqueConstraint(fields=("folded",), name="unique_blocked_term")],
                    },
                ),
                migrations.CreateModel(
                    name="ModerationEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("object_id", models.PositiveBigIntegerField()),
                        ("action", models.CharField(max_length=30)),
                        ("from_status", models.CharField(blank=True, max_length=20)),
                        ("to_status", models.CharField(max_length=20)),
                        ("note", models.TextField(blank=True)),
                        ("reasons", models.JSONField(blank=True, default=list)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty: the automatic checks.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "content_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="contenttypes.contenttype",
                            ),
                        ),
                        (
                            "clause",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="moderation.policyclause",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "comments_moderationevent",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["content_type", "object_id", "created_at"], name="moderation_subject")
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="policyversion",
                    constraint=models.UniqueConstraint(
                        fields=("policy", "number"), name="unique_policy_version_number"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="policyclause",
                    constraint=models.UniqueConstraint(fields=("version", "number"), name="unique_clause_number"),
                ),
                migrations.AddConstraint(
                    model_name="trustedcommenter",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("email", ""), _negated=True), ("user__isnull", False), _connector="OR"
                        ),
                        name="trusted_names_someone",
                    ),
                ),
            ],
        ),
    ]
