"""Beat jobs for comments; each is safe to run twice."""

from celery import shared_task

from comments import services


@shared_task
def expire_unconfirmed() -> int:
    return services.comments_expire_unconfirmed()


@shared_task
def erase_old_ip_hashes() -> int:
    return services.comments_erase_ip_hashes()


@shared_task
def send_batched_alerts() -> int:
    return services.moderator_alerts_batch()
