from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self) -> None:
        from core.page_cache import watch
        from moderation.models import CommentPolicy, PolicyClause, PolicyVersion

        # The comment form and every thread follow the current policy; its audit log and bans show on no page.
        watch(CommentPolicy, PolicyVersion, PolicyClause, tags=lambda instance: ("comment-policy",))
