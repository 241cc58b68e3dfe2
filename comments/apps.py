from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self) -> None:
        from comments import digest
        from notifications.registry import digest_part_register

        # The outbox asks for the digest's most discussed analyses; it imports no content app.
        digest_part_register(digest.DIGEST_PART)
