from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"

    def ready(self) -> None:
        from core.page_cache import watch_app
        from notifications.registry import (
            AnnouncementSource,
            announcement_source_register,
            digest_part_register,
            newsletter_block_source_register,
        )
        from policies import digest, newsletter, services
        from policies.models import PolicyAnalysis

        # The outbox asks for what to announce and for the digest's analyses; it imports no content app.
        announcement_source_register(
            AnnouncementSource(
                model=PolicyAnalysis, announce_due=services.analyses_announce_due, context_name="analysis"
            )
        )
        digest_part_register(digest.DIGEST_PART)
        newsletter_block_source_register(newsletter.NEWSLETTER_SOURCE)
        watch_app("policies", tag="policies")
