"""Webinars, speakers, appearances and quotes move here from ``consultations``.

Only the migration state changes: the tables keep their names (``db_table``) and every row stays where it
is. ``consultations`` 0006 removes the models from its state, ``webinars`` 0002 moves the content types.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("policies", "0001_initial"),
        ("consultations", "0005_response_holder_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Speaker",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "honorific",
                            models.CharField(blank=True, help_text="For example “Professor Dame”.", max_length=60),
                        ),
                        ("name", models.CharField(max_length=120)),
                        ("slug", models.SlugField(max_length=140, unique=True)),
                        ("role", models.CharField(blank=True, max_length=250)),
                        ("organisation", models.CharField(blank=True, max_length=200)),
                        ("bio", models.TextField(blank=True)),
                        ("photo", models.ImageField(blank=True, upload_to="speakers/")),
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
                            "updated_by",
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
                        "db_table": "consultations_speaker",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Appearance",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[("chair", "Chair"), ("keynote", "Keynote"), ("panellist", "Panellist")],
                                default="panellist",
                                max_length=10,
                            ),
                        ),
                        ("order", models.PositiveSmallIntegerField(default=1)),
                        (
                            "speaker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appearances",
                                to="webinars.speaker",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "consultations_appearance",
                        "ordering": ["order"],
                    },
                ),
                migrations.CreateModel(
                    name="Webinar",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("title", models.CharField(max_length=200)),
                        ("slug", models.SlugField(max_length=220, unique=True)),
                        ("starts_at", models.DateTimeField(help_text="In UK time unless you give another offset.")),
                        ("duration", models.DurationField(default=datetime.timedelta(seconds=3600))),
                        ("ends_at", models.DateTimeField(editable=False)),
                        ("description", models.TextField(help_text="Markdown.")),
                        ("description_html", models.TextField(default="", editable=False)),
                        ("registration_url", models.URLField(blank=True)),
                        ("recording_url", models.URLField(blank=True)),
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
                            "speakers",
                            models.ManyToManyField(
                                related_name="webinars", through="webinars.Appearance", to="webinars.speaker"
                            ),
                        ),
                        ("topics", models.ManyToManyField(blank=True, related_name="webinars", to="policies.topic")),
                        (
                            "updated_by",
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
                        "db_table": "consultations_webinar",
                        "ordering": ["-starts_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Quote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("text", models.TextField()),
                        ("said_on", models.DateField(blank=True, null=True)),
                        (
                            "context",
                            models.CharField(
                                blank=True, help_text="What the speaker was answering or discussing.", max_length=300
                            ),
                        ),
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
                            "updated_by",
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
                            "speaker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="quotes",
                                to="webinars.speaker",
                            ),
                        ),
                        (
                            "webinar",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="quotes",
                                to="webinars.webinar",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "consultations_quote",
                        "ordering": ["speaker__name", "pk"],
                    },
                ),
                migrations.AddField(
                    model_name="appearance",
                    name="webinar",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="appearances", to="webinars.webinar"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="appearance",
                    constraint=models.UniqueConstraint(fields=("webinar", "speaker"), name="unique_appearance"),
                ),
            ],
        ),
    ]
