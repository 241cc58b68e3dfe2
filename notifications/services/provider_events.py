"""What the email provider tells us after sending: hard bounces and spam complaints.

Either means the address must get no more bulk email. A complaint also ends the
subscription, as if the reader had pressed unsubscribe. Applying the same report
twice changes nothing more, because providers retry webhooks until they get a 2xx.
"""

import logging

from django.db import transaction

from core.personal_data import normalise_email
from notifications.models import Delivery, Suppression
from notifications.services.subscribers import subscriber_unsubscribe

log = logging.getLogger(__name__)


def provider_failure_record(*, email: str, reason: str, message_id: str = "", detail: str = "") -> None:
    """Suppress ``email`` for ``reason`` (a Suppression.Reason) and fail the delivery the report is about."""
    email = normalise_email(email)
    with transaction.atomic():
        Suppression.objects.add(email=email, reason=reason, note=detail)
        if reason == Suppression.Reason.COMPLAINT:
            subscriber_unsubscribe(email=email, reason=reason)
        failed = _delivery_fail(email=email, message_id=message_id, reason=reason, detail=detail)
    log.info("Provider reported %s for a delivery (%s row marked failed).", reason, failed)


def _delivery_fail(*, email: str, message_id: str, reason: str, detail: str) -> int:
    if not message_id:
        return 0
    # The recipient must match too: a message id alone could name another address's row.
    return (
        Delivery.objects.filter(provider_message_id=message_id, recipient=email)
        .exclude(status=Delivery.Status.FAILED)
        .update(status=Delivery.Status.FAILED, last_error=f"{Suppression.Reason(reason).label}: {detail}"[:2000])
    )
