"""The staff groups and exactly the permissions each holds.

When a role gains a model, the app that owns the model adds a migration that
runs ``sync_groups`` (``migrations.RunPython(sync_groups, migrations.RunPython.noop)``),
so a fresh database and an old one end up with the same groups.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Editors"
MODERATORS = "Moderators"
ANALYSTS = "Analysts"
# Answers a person's request to see or erase what is held about them (UK GDPR).
DATA_PROTECTION = "Data protection"
# Sends, schedules and cancels the newsletter issues Editors write (a second pair of eyes on bulk email).
NEWSLETTER_SENDERS = "Newsletter senders"

FULL = ("add", "change", "delete", "view")

ROLE_MODELS: dict[str, dict[str, tuple[str, ...]]] = {
    EDITORS: {
        "policies.author": FULL,
        "topics.topic": FULL,
        "policies.report": FULL,
        "policies.policyanalysis": FULL,
        "policies.quotecitation": FULL,
        "policies.analysisupdate": FULL,
        "policies.figure": FULL,
        "webinars.webinar": FULL,
        "webinars.speaker": FULL,
        "webinars.appearance": FULL,
        "webinars.quote": FULL,
        "consultations.consultation": (*FULL, "conclude"),
        "consultations.section": FULL,
        "consultations.question": FULL,
        "consultations.lateresponselink": FULL,
        "moderation.commentpolicy": FULL,
        "moderation.policyversion": FULL,
        "moderation.policyclause": FULL,
        "notifications.subscriber": FULL,
        "notifications.suppression": FULL,
        "notifications.broadcast": ("view",),
        "notifications.delivery": ("view", "change"),
        "notifications.job": ("view", "change"),
        "notifications.newsletterissue": FULL,
        "notifications.newsletterblock": FULL,
    },
    MODERATORS: {
        "consultations.answer": ("view", "moderate"),
        "comments.comment": ("view", "change", "delete"),
        "comments.flag": ("view", "change", "delete"),
        "moderation.ban": FULL,
        "moderation.blockedterm": FULL,
        "moderation.trustedcommenter": FULL,
        "comments.confirmedaddress": ("view", "delete"),
        "moderation.moderationevent": ("view",),
    },
    ANALYSTS: {
        "consultations.consultation": ("view", "analyse"),
        "consultations.question": ("view",),
        "consultations.questiontag": FULL,
        "consultations.response": ("view", "change"),
        "consultations.answer": ("view", "change"),
    },
    DATA_PROTECTION: {
        "accounts.personaldatarequest": ("view", "handle"),
    },
    NEWSLETTER_SENDERS: {
        "notifications.newsletterissue": ("view", "send"),
        "notifications.newsletterblock": ("view",),
    },
}


def role_codenames(role: str, apps=global_apps) -> set[tuple[str, str]]:
    """(app_label, codename) pairs for a role, for the models that exist in ``apps``.

    Inside a migration, a model whose app has not migrated that far yet is left
    out; that app's own later migration calls ``sync_groups`` again.
    """
    pairs: set[tuple[str, str]] = set()
    for label, actions in ROLE_MODELS[role].items():
        app_label, model = label.split(".")
        try:
            apps.get_model(app_label, model)
        except LookupError:
            continue
        pairs.update((app_label, f"{action}_{model}") for action in actions)
    return pairs


def sync_groups(apps=global_apps, schema_editor=None) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after all migrations; make them now.
    # create_permissions skips app configs without a models module, which is
    # every config of a migration's state: mark them for the call, then put back
    # what was there (the real registry's configs must keep theirs).
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    for role in ROLE_MODELS:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = role_codenames(role, apps)
        permissions = [
            permission
            for permission in Permission.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for {role}: {sorted(missing)}")
        group.permissions.set(permissions)
