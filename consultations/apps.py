from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"

    def ready(self) -> None:
        from accounts.personal_data import personal_data_part_register
        from consultations import (
            checks,  # noqa: F401  registers the system checks
            digest,
            newsletter,
            personal_data,
        )
        from core.page_cache import watch_app
        from notifications.registry import digest_part_register, newsletter_block_source_register

        # Apps below this one gather its share without importing it: the digest, the personal-data requests.
        digest_part_register(digest.DIGEST_PART)
        personal_data_part_register("consultations", personal_data)
        newsletter_block_source_register(newsletter.NEWSLETTER_SOURCE)
        watch_app("consultations", tag="consultations")
