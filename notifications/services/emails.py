"""One function per kind of email the notifications app sends itself (the subscription links), through the outbox."""

from django.conf import settings

from notifications import tokens
from notifications.models import Subscriber
from notifications.services.outbox import delivery_enqueue

# Anyone can type an address into the subscribe or preferences-link form (page or API). Besides each
# subscriber's one-link-an-hour window, these count together against the per-address limit.
STRANGER_CAUSED = ("subscription_confirmation", "subscription_exists", "preferences_link")


def send_subscription_confirmation(*, subscriber: Subscriber, summary: str) -> None:
    """``summary``: the choices being confirmed, in a sentence (``Choices.describe``)."""
    delivery_enqueue(
        recipient=subscriber.email,
        template="subscription-confirm",
        context={
            "summary": summary,
            "confirm_url": tokens.absolute_url(tokens.CONFIRM, subscriber.email),
            "link_days": settings.NOTIFICATIONS_LINK_DAYS[tokens.CONFIRM],
        },
        kind="subscription_confirmation",
        idempotency_key=f"subscription-confirm:{subscriber.pk}:{subscriber.link_sent_at:%Y%m%d%H%M%S}",
        about=subscriber,
        recipient_limit=STRANGER_CAUSED,
    )


def send_already_subscribed(*, subscriber: Subscriber) -> None:
    delivery_enqueue(
        recipient=subscriber.email,
        template="subscription-exists",
        context={"preferences_url": tokens.absolute_url(tokens.PREFERENCES, subscriber.email)},
        kind="subscription_exists",
        idempotency_key=f"subscription-exists:{subscriber.pk}:{subscriber.link_sent_at:%Y%m%d%H%M%S}",
        about=subscriber,
        recipient_limit=STRANGER_CAUSED,
    )


def send_preferences_link(*, subscriber: Subscriber) -> None:
    delivery_enqueue(
        recipient=subscriber.email,
        template="subscription-preferences-link",
        context={
            "preferences_url": tokens.absolute_url(tokens.PREFERENCES, subscriber.email),
            "link_days": settings.NOTIFICATIONS_LINK_DAYS[tokens.PREFERENCES],
        },
        kind="preferences_link",
        idempotency_key=f"preferences-link:{subscriber.pk}:{subscriber.link_sent_at:%Y%m%d%H%M%S}",
        about=subscriber,
        recipient_limit=STRANGER_CAUSED,
    )
