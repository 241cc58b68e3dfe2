"""Steps shared by the tests that upgrade a populated database across a move of models between apps:
migrate down to the schema before the move, write rows through the old models, migrate up, and check that
the moved models' content types took with them what pointed at them (permissions, groups, users)."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor


def upgrade_with_old_rows(before: list[tuple[str, str | None]], populate: Callable[[Any], dict[str, int]]) -> dict:
    """Rows written at ``before`` by ``populate(apps)``, then every migration applied; ``populate``'s ids."""
    executor = MigrationExecutor(connection)
    ids = populate(executor.migrate(before).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    return ids


def old_permission_granted(apps: Any, *, app_label: str, model: str, action: str, group: str, user: Any) -> tuple:
    """(content type, permission) of the old app's model, held by a new group and by ``user`` directly."""
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
    )
    apps.get_model("auth", "Group").objects.create(name=group).permissions.add(permission)
    user.user_permissions.add(permission)
    return content_type, permission


def assert_moved_with_what_points_at_it(
    model: type[models.Model], *, from_label: str, moved: tuple[str, ...], ids: dict, action: str, group: str
) -> None:
    """The content type is the same row under the new label, and the group and user still hold the permission.

    ``ids`` names the old content type (``content_type``), the permission (``permission``) and the user
    (``user``) that ``old_permission_granted`` made.
    """
    content_type = ContentType.objects.get_for_model(model)
    to_label, model_name = content_type.app_label, content_type.model
    assert content_type.pk == ids["content_type"]
    assert to_label == model._meta.app_label != from_label
    assert not ContentType.objects.filter(app_label=from_label, model__in=moved).exists()
    assert ContentType.objects.filter(app_label=to_label, model__in=moved).count() == len(moved)

    holders = Group.objects.get(name=group)
    assert list(holders.permissions.values_list("pk", flat=True)) == [ids["permission"]]
    assert holders.permissions.get().content_type.model_class() is model
    user = get_user_model().objects.get(pk=ids["user"])
    assert user.has_perm(f"{to_label}.{action}_{model_name}")
    assert not user.has_perm(f"{from_label}.{action}_{model_name}")
