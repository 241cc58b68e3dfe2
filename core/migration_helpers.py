"""Steps shared by migrations: moving models from one app to another with their tables, and SQL that
only PostgreSQL runs."""

from collections.abc import Sequence
from typing import Any

from django.db import migrations


def move_content_types(apps: Any, models: tuple[str, ...], from_label: str, to_label: str) -> None:
    """Give the moved models' ``django_content_type`` rows the new app label.

    Renaming the rows keeps every row that points at them: permissions (and so the groups and users
    holding them), the admin's history, and generic relations such as comments and audit events.
    """
    content_type_model = apps.get_model("contenttypes", "ContentType")
    for model in models:
        old = content_type_model.objects.filter(app_label=from_label, model=model).first()
        if old is None:
            continue
        # A content type made for the new label before this ran (permissions are made for the migration
        # state) has nothing but those permissions: the old one, with everything that points at it, wins.
        content_type_model.objects.filter(app_label=to_label, model=model).delete()
        old.app_label = to_label
        old.save(update_fields=["app_label"])
    content_type_model.objects.clear_cache()


def on_postgresql_only(create: Sequence[str], drop: Sequence[str]) -> migrations.RunPython:
    """Run ``create``'s statements going forwards and ``drop``'s going back, on PostgreSQL; nothing on SQLite."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in create:
                schema_editor.execute(statement)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in drop:
                schema_editor.execute(statement)

    return migrations.RunPython(forwards, backwards, elidable=False)
