"""Point this process's Celery producer at another broker for a while (a dead port, a private Redis)."""

from collections.abc import Iterator
from contextlib import contextmanager

from config.celery import app


def _reset_pools() -> None:
    # Drop, not close: kombu keeps one pool per URL process-wide, and a closed one would be handed out again.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_pools()
    try:
        yield
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.task_always_eager = saved
