"""How many emails a stranger can cause to one address, counted in the outbox.

Per-client limits (core/throttle.py, the API throttles, the comment rate limit) stop one
client; a thousand clients, or one rotating its address, get past them. This limit is on the
recipient instead: every email a stranger can cause to an address they type is a ``Delivery``
row, so counting rows needs no Redis and holds across every web and worker process.
"""

import hashlib
from collections.abc import Collection
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from notifications.models import Delivery


def _lock_address(recipient: str) -> None:
    # Until the caller's transaction ends: parallel requests to one address count one after
    # another, so eight at once cannot each see room for one more. SQLite writes one at a time.
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"recipient-limit:{recipient}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def recipient_may_receive(*, recipient: str, kinds: Collection[str]) -> bool:
    """Whether one more email of these kinds may be written for this (normalised) address.

    Counts the rows of the last hour and day against NOTIFICATIONS_RECIPIENT_LIMIT_PER_HOUR and
    _PER_DAY, whatever their status: a failed or suppressed attempt still reached for the inbox.
    Call it inside the transaction that writes the row.
    """
    _lock_address(recipient)
    now = timezone.now()
    counts = Delivery.objects.filter(
        recipient=recipient, kind__in=list(kinds), created_at__gt=now - timedelta(days=1)
    ).aggregate(day=Count("pk"), hour=Count("pk", filter=Q(created_at__gt=now - timedelta(hours=1))))
    hour: int = counts["hour"]
    day: int = counts["day"]
    return (
        hour < settings.NOTIFICATIONS_RECIPIENT_LIMIT_PER_HOUR and day < settings.NOTIFICATIONS_RECIPIENT_LIMIT_PER_DAY
    )
