from django.apps import AppConfig


class WebinarsConfig(AppConfig):
    name = "webinars"

    def ready(self) -> None:
        from core.page_cache import watch_app
        from notifications.registry import (
            AnnouncementSource,
            announcement_source_register,
            digest_part_register,
            newsletter_block_source_register,
        )
        from webinars import digest, newsletter, services
        from webinars.models import Webinar

        # The outbox asks for what to announce and for the digest's webinars; it imports no content app.
        announcement_source_register(AnnouncementSource(model=Webinar, announce_due=services.webinars_announce_due))
        digest_part_register(digest.DIGEST_PART)
        newsletter_block_source_register(newsletter.NEWSLETTER_SOURCE)
        watch_app("webinars", tag="webinars")
