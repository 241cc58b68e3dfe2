"""django-anymail's webhook signals, turned into calls to the notifications services.

anymail's views check the webhook's basic-auth secret, parse each provider's
payload into one normalised event and send it as a signal; these receivers only
translate that event and leave every rule to the services.
"""

import logging
import re
from email.utils import parseaddr

from anymail.signals import AnymailInboundEvent, AnymailTrackingEvent, EventType

from notifications.models import Suppression
from notifications.services.mail_unsubscribe import unsubscribe_by_email_message
from notifications.services.provider_events import provider_failure_record

log = logging.getLogger(__name__)

PERMANENT_FAILURES = {
    EventType.BOUNCED: Suppression.Reason.HARD_BOUNCE,
    EventType.REJECTED: Suppression.Reason.HARD_BOUNCE,
    EventType.COMPLAINED: Suppression.Reason.COMPLAINT,
}
# Postmark, Brevo, Mandrill and MailerSend report a soft bounce as "bounced" and say
# "soft" only in their own field; the next attempt may well arrive, so it suppresses nothing.
SOFT_BOUNCE_FIELDS = ("Type", "type", "event")
TEMPORARY_SMTP_REPLY = re.compile(r"^\s*4\d\d\b|^\s*4\.\d{1,3}\.\d{1,3}\b")


def suppression_reason(event: AnymailTrackingEvent) -> str | None:
    """The Suppression.Reason a tracking event calls for, or None for anything short of permanent."""
    reason = PERMANENT_FAILURES.get(event.event_type)
    if reason == Suppression.Reason.HARD_BOUNCE and is_soft_bounce(event):
        return None
    return reason


def is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    raw = event.esp_event if hasattr(event.esp_event, "get") else {}
    if any("soft" in str(raw.get(field) or "").lower() for field in SOFT_BOUNCE_FIELDS):
        return True
    return bool(TEMPORARY_SMTP_REPLY.match(event.mta_response or ""))


def tracking_received(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    reason = suppression_reason(event)
    if reason is None:
        return
    if not event.recipient:
        log.warning("%s reported %s with no recipient; ignored.", esp_name, event.event_type)
        return
    provider_failure_record(
        email=event.recipient,
        reason=reason,
        message_id=str(event.message_id or ""),
        detail=f"{esp_name} {event.event_type}: {event.description or event.mta_response or ''}".strip(),
    )


def inbound_received(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    message = event.message
    _name, from_address = parseaddr(str(message.get("From", "")))
    unsubscribe_by_email_message(subject=str(message.get("Subject", "")), sender=from_address)
