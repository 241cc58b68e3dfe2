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
        from consultations.models import (
            Answer,
            Attachment,
            Consultation,
            LateResponseLink,
            Question,
            QuestionTag,
            Response,
            Section,
        )
        from core.page_cache import watch
        from notifications.registry import digest_part_register, newsletter_block_source_register

        # Apps below this one gather its share without importing it: the digest, the personal-data requests.
        digest_part_register(digest.DIGEST_PART)
        personal_data_part_register("consultations", personal_data)
        newsletter_block_source_register(newsletter.NEWSLETTER_SOURCE)
        # What other pages list (analyses name open consultations) apart from what people answer, which only
        # the consultation pages show (published responses, the summary): answers saved while a questionnaire
        # is filled in leave the analysis pages cached.
        watch(Consultation, Section, Question, QuestionTag, LateResponseLink, tags=lambda instance: ("consultations",))
        watch(Response, Answer, Attachment, tags=lambda instance: ("consultation-responses",))
