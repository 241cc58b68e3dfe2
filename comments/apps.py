from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self) -> None:
        from accounts.personal_data import personal_data_part_register
        from comments import digest, personal_data
        from notifications.registry import digest_part_register

        # Apps below this one gather its share without importing it: the digest, the personal-data requests.
        digest_part_register(digest.DIGEST_PART)
        personal_data_part_register("comments", personal_data)
