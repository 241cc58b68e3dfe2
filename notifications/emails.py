"""One function per kind of email the notifications app sends itself."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from notifications import tokens
from notifications.models import Frequency, Subscriber
from notifications.services.outbox import delivery_enqueue

if TYPE_CHECKING:
    from notifications.services.subscribers import Choices

# Anyone can type an address into the subscribe or preferences-link form (page or API). Besides each
# subscriber's one-link-an-hour window, these count together against the per-address limit.
STRANGER_CAUSED = ("subscription_confirmation", "subscription_exists", "preferences_link")


def describe(choices: "Choices") -> str:
    """The choices in a sentence, so the confirmation says what is being confirmed."""
    parts = []
    if choices.all_analyses:
        parts.append(_("all new analyses"))
    elif choices.topics:
        names = ", ".join(topic.name for topic in choices.topics)
        parts.append(_("new analyses about %(topics)s") % {"topics": names})
    if choices.webinars:
        parts.append(_("new webinars"))
    if choices.consultations:
        parts.append(_("consultations"))
    how = _("as they are published") if choices.frequency == Frequency.IMMEDIATE else _("in a weekly digest")
    return _("%(what)s, %(how)s") % {"what": "; ".join(parts) or _("nothing yet"), "how": how}


def send_subscription_confirmation(*, subscriber: Subscriber, choices: "Choices") -> None:
    delivery_enqueue(
        recipient=subscriber.email,
        template="subscription-confirm",
        context={
            "summary": describe(choices),
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
