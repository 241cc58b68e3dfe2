from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts.personal_data import personal_data_part_register
        from comments import counts, digest, personal_data
        from comments.models import Comment, OfficialReply, TeamResponse
        from core.page_cache import watch
        from notifications.registry import digest_part_register

        # Apps below this one gather its share without importing it: the digest, the personal-data requests.
        digest_part_register(digest.DIGEST_PART)
        personal_data_part_register("comments", personal_data)
        # Any change to a comment, its badge or its team response empties the pages of its discussion.
        watch(Comment, TeamResponse, OfficialReply, tags=counts.thread_tags_of)
        post_save.connect(counts.on_comment_change, sender=Comment, dispatch_uid="comments.thread_count")
        post_delete.connect(counts.on_comment_change, sender=Comment, dispatch_uid="comments.thread_count")
