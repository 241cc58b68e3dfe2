"""Celery tasks: thin, by id, safe to run twice (acks_late redelivers a task whose worker died)."""

from celery import shared_task

from notifications import sending, services
from notifications.models import Broadcast


@shared_task(name="notifications.send_deliveries")
def send_deliveries(ids: list[int]) -> dict[str, int]:
    return sending.deliveries_send(ids=ids)


@shared_task(name="notifications.fan_out_broadcast")
def fan_out_broadcast(broadcast_id: int) -> int:
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    return services.broadcast_fan_out(broadcast=broadcast) if broadcast else 0


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries() -> dict[str, int]:
    return {**services.deliveries_sweep(), "broadcasts": services.broadcasts_resume()}


@shared_task(name="notifications.announce_new_content")
def announce_new_content() -> int:
    return services.announcements_find_due()
