"""Steps shared by the migrations that move models from one app to another with their tables."""

from typing import Any


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
