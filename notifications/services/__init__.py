"""The notifications app's writes. Other apps send email with ``delivery_enqueue``
and announce to subscribers with ``announcement_fan_out``.

Its own modules import one another directly, never through this package, so importing it starts no circle.
"""

from notifications.services.broadcasts import (
    announcement_fan_out,
    announcements_find_due,
    broadcast_fan_out,
    broadcasts_resume,
)
from notifications.services.digest import digest_send
from notifications.services.outbox import (
    deliveries_delete_old,
    deliveries_dispatch,
    deliveries_retry,
    deliveries_sweep,
    delivery_enqueue,
)

__all__ = [
    "announcement_fan_out",
    "announcements_find_due",
    "broadcast_fan_out",
    "broadcasts_resume",
    "deliveries_delete_old",
    "deliveries_dispatch",
    "deliveries_retry",
    "deliveries_sweep",
    "delivery_enqueue",
    "digest_send",
]
