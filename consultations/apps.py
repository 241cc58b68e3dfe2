from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"

    def ready(self) -> None:
        from consultations import digest
        from notifications.registry import digest_part_register

        # The outbox asks for the digest's consultations; it imports no content app.
        digest_part_register(digest.DIGEST_PART)
