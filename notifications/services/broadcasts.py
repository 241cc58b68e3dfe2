"""Announcements: one broadcast per event, fanned out to one delivery per subscriber.

The fan-out inserts rows in batches and ignores rows already there (the
recipient and the broadcast's key are unique together), so running it twice,
or again after a worker died half-way, adds nothing.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Exists, Max, Min, OuterRef
from django.db.models.expressions import Combinable, NegatedExpression
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import dispatch, rendering, sending
from notifications.models import Broadcast, Delivery, Frequency, Stream, Subscriber
from notifications.registry import announcement_context_name, announcement_sources
from notifications.services.outbox import deliveries_dispatch

M = TypeVar("M", bound=models.Model)

log = logging.getLogger(__name__)

Audience = Broadcast.Audience


def announcement_fan_out(
    *,
    about: models.Model,
    template: str,
    context: dict[str, Any],
    kind: str,
    key: str,
    audience: str | None = None,
) -> Broadcast:
    """Announce ``about`` once to its audience of subscribers with immediate frequency.

    The broadcast row is written in the caller's transaction; after commit a bulk
    worker renders it once and fans it out. Calling again with the same key does nothing.
    ``context`` must be JSON-safe: it is stored until the fan-out renders it.
    """
    broadcast, created = Broadcast.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "audience": audience or kind,
            "template": template,
            "context": context,
            "content_type": ContentType.objects.get_for_model(about),
            "object_id": about.pk,
        },
    )
    if created:
        transaction.on_commit(partial(broadcast_dispatch, broadcast_id=broadcast.pk))
    return broadcast


def broadcast_dispatch(*, broadcast_id: int) -> None:
    try:
        dispatch.task(dispatch.FAN_OUT_BROADCAST).delay(broadcast_id)
    except (OperationalError, OSError) as error:
        log.warning("Broker unavailable; broadcast %s left for the sweeper: %s", broadcast_id, error)


def not_announced(model: type[models.Model], kind: str) -> "NegatedExpression[Combinable]":
    """A filter for ``model``'s rows that have no broadcast of this kind yet (for an ``announce_due``)."""
    ct = ContentType.objects.get_for_model(model)
    return ~Exists(Broadcast.objects.filter(kind=kind, content_type=ct, object_id=OuterRef("pk")))


def announce_each(due: Iterable[M], announce: Callable[[M], Broadcast | None]) -> int:
    """Announce each row in its own transaction, so one failure keeps the others'; how many were announced."""
    count = 0
    for row in due:
        with transaction.atomic():
            count += announce(row) is not None
    return count


def announcements_find_due() -> int:
    """Ask each announcement source to announce what became public recently and has not been announced
    (scheduled analyses reaching their time, webinars added since). Safe to run as often as wanted."""
    since = timezone.now() - timedelta(hours=settings.NOTIFICATIONS_ANNOUNCE_WINDOW_HOURS)
    return sum(source.announce_due(since) for source in announcement_sources())


def broadcasts_resume() -> int:
    """Re-dispatch fan-outs that never finished (broker down, worker killed)."""
    grace = timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS)
    stalled = list(
        Broadcast.objects.filter(fanned_out_at__isnull=True, created_at__lt=grace).values_list("pk", flat=True)
    )
    for pk in stalled:
        broadcast_dispatch(broadcast_id=pk)
    return len(stalled)


def audience_of(broadcast: Broadcast) -> models.QuerySet[Subscriber]:
    if broadcast.audience == Audience.NEWSLETTER:
        # A newsletter reaches every frequency: it is neither an announcement nor a digest.
        return Subscriber.objects.newsletter_audience(broadcast.newsletter_issue)
    subscribers = Subscriber.objects.receiving(Frequency.IMMEDIATE)
    if broadcast.audience == Audience.ANALYSES:
        analysis = broadcast.about
        # Only an analysis is announced to this audience: its subscribers are those of its topics.
        assert analysis is not None and hasattr(analysis, "topics")
        topic_ids = list(analysis.topics.values_list("pk", flat=True))
        return subscribers.interested_in_analysis(topic_ids)
    if broadcast.audience == Audience.WEBINARS:
        return subscribers.interested_in_webinars()
    if broadcast.audience == Audience.CONSULTATIONS:
        return subscribers.filter(consultations=True)
    raise ValueError(f"Unknown audience {broadcast.audience!r}")


def broadcast_render(*, broadcast: Broadcast) -> None:
    """Render once, with placeholders where each reader's own links go."""
    if broadcast.subject:
        return
    about = broadcast.about
    context = {
        **broadcast.context,
        announcement_context_name(broadcast.content_type): about,
        "about_url": (
            f"{settings.SITE_URL}{about.get_absolute_url()}"
            if about is not None and hasattr(about, "get_absolute_url")
            else ""
        ),
        **sending.PLACEHOLDER_CONTEXT,
    }
    rendered = rendering.render(broadcast.template, context)
    broadcast.subject, broadcast.body_text, broadcast.body_html = rendered.subject, rendered.text, rendered.html
    broadcast.save(update_fields=["subject", "body_text", "body_html"])


def broadcast_create_deliveries(*, broadcast: Broadcast) -> int:
    """One queued row per member of the audience, in batches of subscriber ids; rows already there are skipped."""
    audience = audience_of(broadcast)
    bounds = audience.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is not None:
        batch = settings.NOTIFICATIONS_FAN_OUT_BATCH
        for low in range(bounds["low"], bounds["high"] + 1, batch):
            _insert_deliveries(broadcast, audience.filter(pk__gte=low, pk__lt=low + batch))
    recipients = broadcast.deliveries.count()
    Broadcast.objects.filter(pk=broadcast.pk).update(fanned_out_at=timezone.now(), recipients=recipients)
    return recipients


def _insert_deliveries(broadcast: Broadcast, audience: models.QuerySet[Subscriber]) -> None:
    """INSERT ... SELECT ... ON CONFLICT DO NOTHING: the database copies the addresses itself.

    Building model instances for ``bulk_create`` costs Python time per row; at
    100,000 subscribers this statement is several times faster, and just as idempotent.
    """
    select_sql, select_params = audience.order_by().values_list("email").query.sql_with_params()
    fields = {
        "recipient": None,
        "kind": broadcast.kind,
        "stream": Stream.BULK,
        "status": Delivery.Status.QUEUED,
        "idempotency_key": broadcast.key,
        "subject": "",
        "body_text": "",
        "body_html": "",
        "headers": "{}",
        "broadcast": broadcast.pk,
        "content_type": broadcast.content_type_id,
        "object_id": broadcast.object_id,
        "attempts": 0,
        "last_error": "",
        "created_at": timezone.now(),
    }
    columns = ", ".join(_quoted_column(name) for name in fields)
    json = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    values = ", ".join(json if name == "headers" else "%s" for name in list(fields)[1:])
    unique = ", ".join(_quoted_column(name) for name in ("recipient", "idempotency_key"))
    # Only quoted identifiers and the ORM's own SQL are interpolated; every value is a parameter.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Delivery._meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT audience.email, {values} FROM ({select_sql}) AS audience "
        # SQLite needs a WHERE here to tell ON CONFLICT from a join constraint.
        f"WHERE true ON CONFLICT ({unique}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*list(fields.values())[1:], *select_params])


def broadcast_dispatch_deliveries(*, broadcast: Broadcast) -> int:
    waiting = broadcast.deliveries.filter(status=Delivery.Status.QUEUED, dispatched_at__isnull=True)
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    deliveries_dispatch(ids=ids, stream=Stream.BULK)
    return len(ids)


def broadcast_fan_out(*, broadcast: Broadcast) -> int:
    """Render once, create every delivery, then hand them to workers in chunks. Safe to run again."""
    broadcast_render(broadcast=broadcast)
    recipients = broadcast_create_deliveries(broadcast=broadcast)
    broadcast_dispatch_deliveries(broadcast=broadcast)
    return recipients


def _quoted_column(name: str) -> str:
    """The quoted column of one of Delivery's fields."""
    field = Delivery._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # concrete fields, each with its column
    return connection.ops.quote_name(field.column)
