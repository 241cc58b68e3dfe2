"""The one way the platform sends email: rows in the outbox, sent by Celery after commit."""

import logging
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from core.personal_data import normalise_email
from notifications import dispatch, rendering, tokens
from notifications.models import Delivery, Stream, Suppression
from notifications.services.recipient_limits import recipient_may_receive

log = logging.getLogger(__name__)


def delivery_enqueue(
    *,
    recipient: str,
    template: str,
    context: Mapping[str, Any],
    kind: str,
    idempotency_key: str,
    about: models.Model | None = None,
    stream: str = Stream.TRANSACTIONAL,
    headers: dict[str, str] | None = None,
    recipient_limit: Collection[str] = (),
) -> Delivery | None:
    """Render an email into the outbox, in the caller's transaction; a worker sends it after commit.

    A second call with the same recipient and key returns the first row and sends nothing.
    Bulk email carries unsubscribe links and headers and is held back for suppressed addresses.

    ``recipient_limit`` marks email a stranger can cause to an address they type: the kinds it is
    counted with (its own kind always). Past the per-address limit nothing is written and None is
    returned; the caller answers as it always does, so the answer tells no one about the address.
    """
    recipient = normalise_email(recipient)
    existing = Delivery.objects.filter(recipient=recipient, idempotency_key=idempotency_key).first()
    if existing:
        return existing
    headers = dict(headers or {})
    if stream == Stream.BULK:
        links = tokens.bulk_links(recipient)
        context = {**context, **links}
        headers = {**tokens.unsubscribe_headers(links), **headers}
    rendered = rendering.render(template, dict(context))
    suppressed = stream == Stream.BULK and Suppression.objects.for_address(recipient).exists()
    delivery = Delivery(
        recipient=recipient,
        kind=kind,
        stream=stream,
        idempotency_key=idempotency_key,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=headers,
        status=Delivery.Status.SUPPRESSED if suppressed else Delivery.Status.QUEUED,
        content_type=ContentType.objects.get_for_model(about) if about is not None else None,
        object_id=about.pk if about is not None else None,
    )
    try:
        with transaction.atomic():
            if recipient_limit and not recipient_may_receive(recipient=recipient, kinds={kind, *recipient_limit}):
                log.warning("Held back a %s email: its address reached the per-recipient limit", kind)
                return None
            delivery.save()
    except IntegrityError:
        # The same event enqueued concurrently: the other call's row stands.
        return Delivery.objects.get(recipient=recipient, idempotency_key=idempotency_key)
    if not suppressed:
        transaction.on_commit(partial(deliveries_dispatch, ids=[delivery.pk], stream=stream))
    return delivery


def deliveries_dispatch(*, ids: list[int], stream: str) -> int:
    """Ask workers to send these rows: one task per chunk of NOTIFICATIONS_CHUNK_SIZE, all published over
    one broker connection. Rows whose task could not be published (broker down) wait for the sweeper.
    Returns the number of tasks published."""
    if not ids:
        return 0
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
    _stamp_dispatched(ids, timezone.now())
    published = _publish(chunks, stream)
    for chunk in chunks[published:]:
        _stamp_dispatched(chunk, None)
    return published


def _stamp_dispatched(ids: list[int], when: datetime | None) -> None:
    # In slices, to stay within the database's limit on query parameters.
    for start in range(0, len(ids), 5000):
        Delivery.objects.filter(pk__in=ids[start : start + 5000], status=Delivery.Status.QUEUED).update(
            dispatched_at=when
        )


def _publish(chunks: list[list[int]], stream: str) -> int:
    send_deliveries = dispatch.task(dispatch.SEND_DELIVERIES)
    published = 0
    try:
        with dispatch.producer() as producer:
            for chunk in chunks:
                send_deliveries.apply_async(args=[chunk], queue=stream, producer=producer)
                published += 1
    except (OperationalError, OSError) as error:
        log.warning("Broker unavailable; %s chunks left for the sweeper: %s", len(chunks) - published, error)
    return published


def deliveries_sweep() -> dict[str, int]:
    """Re-queue rows stuck in sending past the timeout, then dispatch due rows no worker was asked to send.

    Safe to run at any time and twice: claiming is atomic, so a row dispatched
    twice is still sent once.
    """
    now = timezone.now()
    stuck = Delivery.objects.filter(
        status=Delivery.Status.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS),
    ).update(status=Delivery.Status.QUEUED, claim_token=None, dispatched_at=None)
    waiting = Delivery.objects.due().filter(
        Q(dispatched_at__isnull=True)
        | Q(dispatched_at__lt=now - timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS))
    )
    dispatched = 0
    for stream in Stream.values:
        ids = list(
            waiting.filter(stream=stream)
            .order_by("pk")
            .values_list("pk", flat=True)[: settings.NOTIFICATIONS_SWEEP_LIMIT]
        )
        deliveries_dispatch(ids=ids, stream=stream)
        dispatched += len(ids)
    return {"requeued": stuck, "dispatched": dispatched}


def deliveries_retry(*, deliveries: models.QuerySet[Delivery]) -> int:
    """Give failed rows a fresh set of attempts (a staff action, for example after fixing the mail settings)."""
    failed = deliveries.filter(status=Delivery.Status.FAILED)
    by_stream: dict[str, list[int]] = {}
    for pk, stream in failed.values_list("pk", "stream"):
        by_stream.setdefault(stream, []).append(pk)
    count = failed.update(
        status=Delivery.Status.QUEUED, attempts=0, next_attempt_at=None, dispatched_at=None, claim_token=None
    )
    for stream, ids in by_stream.items():
        transaction.on_commit(partial(deliveries_dispatch, ids=ids, stream=stream))
    return count


def retention_cutoff() -> datetime:
    """Emails written before this are deleted (DELIVERY_RETENTION_DAYS, the period the privacy notice states)."""
    return timezone.now() - timedelta(days=settings.DELIVERY_RETENTION_DAYS)


def deliveries_delete_old(cutoff: datetime | None = None) -> int:
    """Delete finished emails written before the retention cutoff.

    Rows still waiting or sending stay: a message is not forgotten before it is sent.
    """
    cutoff = cutoff or retention_cutoff()
    finished = [Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.SUPPRESSED]
    deleted, _by_model = Delivery.objects.filter(created_at__lt=cutoff, status__in=finished).delete()
    return deleted
