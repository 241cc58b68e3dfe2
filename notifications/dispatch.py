"""The outbox's own Celery tasks, found by their registered names.

The services ask workers to run tasks, and the tasks call the services: naming a task here
instead of importing ``notifications.tasks`` keeps the imports running one way (tasks →
services). ``NotificationsConfig.ready()`` imports the tasks, so every process, web or
worker, knows these names; the task found is the registered one, eager in tests as before.
"""

from typing import Any

from celery import current_app

SEND_DELIVERIES = "notifications.send_deliveries"
FAN_OUT_BROADCAST = "notifications.fan_out_broadcast"
RUN_JOB = "notifications.run_job"


def task(name: str) -> Any:
    """The registered task called ``name`` (celery has no type hints, hence Any)."""
    return current_app.tasks[name]


def producer() -> Any:
    """One broker connection to publish many messages over, as ``with producer() as p: ...``."""
    return current_app.producer_or_acquire()
