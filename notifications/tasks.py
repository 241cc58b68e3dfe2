"""Celery tasks: thin, by id, safe to run twice."""

from celery import shared_task

from notifications import sending, services


@shared_task(name="notifications.send_deliveries")
def send_deliveries(ids: list[int]) -> dict[str, int]:
    return sending.deliveries_send(ids=ids)


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries() -> dict[str, int]:
    return services.deliveries_sweep()
