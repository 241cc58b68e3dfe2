"""Subscribing with double opt-in, managing preferences by signed link or account, leaving in one click."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.personal_data import normalise_email
from notifications.models import Frequency, Subscriber, Suppression
from notifications.services import emails
from topics.models import Topic

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Choices:
    """What a subscriber wants to hear about, and how often."""

    all_analyses: bool = False
    topics: tuple[Topic, ...] = ()
    webinars: bool = False
    consultations: bool = False
    frequency: str = Frequency.IMMEDIATE

    @classmethod
    def of(cls, subscriber: Subscriber) -> "Choices":
        return cls(
            all_analyses=subscriber.all_analyses,
            topics=tuple(subscriber.topics.all()),
            webinars=subscriber.webinars,
            consultations=subscriber.consultations,
            frequency=subscriber.frequency,
        )

    def describe(self) -> str:
        """The choices in a sentence, so the confirmation says what is being confirmed."""
        parts = []
        if self.all_analyses:
            parts.append(_("all new analyses"))
        elif self.topics:
            names = ", ".join(topic.name for topic in self.topics)
            parts.append(_("new analyses about %(topics)s") % {"topics": names})
        if self.webinars:
            parts.append(_("new webinars"))
        if self.consultations:
            parts.append(_("consultations"))
        how = _("as they are published") if self.frequency == Frequency.IMMEDIATE else _("in a weekly digest")
        return _("%(what)s, %(how)s") % {"what": "; ".join(parts) or _("nothing yet"), "how": how}


def _apply(subscriber: Subscriber, choices: Choices) -> None:
    subscriber.all_analyses = choices.all_analyses
    subscriber.webinars = choices.webinars
    subscriber.consultations = choices.consultations
    subscriber.frequency = choices.frequency
    subscriber.save()
    subscriber.topics.set(choices.topics)


def _may_send_link(subscriber: Subscriber) -> bool:
    """At most one link an hour, so the form cannot be used to flood someone's inbox."""
    window = timedelta(seconds=settings.NOTIFICATIONS_CONFIRMATION_RESEND_SECONDS)
    return subscriber.link_sent_at is None or timezone.now() - subscriber.link_sent_at >= window


def _stamp_link_sent(subscriber: Subscriber) -> None:
    subscriber.link_sent_at = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk).update(link_sent_at=subscriber.link_sent_at)


def subscriber_subscribe(*, email: str, choices: Choices, user: "User | None" = None) -> Subscriber:
    """Ask for a subscription; the visitor sees the same outcome whatever state the address is in.

    A new, unconfirmed or departed address takes the new choices and gets a
    confirmation link; a confirmed one keeps its choices (a stranger must not
    change them) and is sent its preferences link instead.
    """
    email = normalise_email(email)
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(email=email)
        if user is not None and subscriber.user_id is None:
            subscriber.user = user
            subscriber.save(update_fields=["user"])
        if subscriber.is_confirmed:
            if _may_send_link(subscriber):
                _stamp_link_sent(subscriber)
                emails.send_already_subscribed(subscriber=subscriber)
            return subscriber
        _apply(subscriber, choices)
        if _may_send_link(subscriber):
            _stamp_link_sent(subscriber)
            emails.send_subscription_confirmation(subscriber=subscriber, summary=choices.describe())
    return subscriber


def link_predates_leaving(subscriber: Subscriber, link_signed_at: datetime | None) -> bool:
    """Whether a confirmation link was signed before the address unsubscribed (it then confirms nothing)."""
    left = subscriber.unsubscribed_at
    # Tokens carry whole seconds; a link signed in the second of leaving still counts as later.
    return link_signed_at is not None and left is not None and link_signed_at < left.replace(microsecond=0)


def subscriber_confirm(*, email: str, link_signed_at: datetime | None = None) -> Subscriber | None:
    """Confirm from the emailed link; confirming twice changes nothing.

    A link sent before the address unsubscribed confirms nothing (None): opening an
    old email, or a scanner following its link, must not undo someone's leaving.
    """
    email = normalise_email(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None or link_predates_leaving(subscriber, link_signed_at):
            return None
        if not subscriber.is_confirmed:
            subscriber.confirmed_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["confirmed_at", "unsubscribed_at", "updated_at"])
            # Clicking the link proves the address works and is wanted again.
            Suppression.objects.for_address(email).delete()
    return subscriber


def subscriber_update(*, subscriber: Subscriber, choices: Choices) -> Subscriber:
    with transaction.atomic():
        _apply(subscriber, choices)
    return subscriber


def subscriber_unsubscribe(*, email: str, reason: str = Suppression.Reason.UNSUBSCRIBED) -> None:
    """Stop all bulk email to the address, subscriber or not; transactional mail still goes."""
    email = normalise_email(email)
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.filter(email=email, unsubscribed_at__isnull=True).update(unsubscribed_at=now, updated_at=now)
        Suppression.objects.add(email=email, reason=reason)


def subscriber_send_preferences_link(*, email: str) -> None:
    """Email a fresh preferences link to a confirmed subscriber; nothing happens for any other address."""
    subscriber = Subscriber.objects.confirmed().filter(email=normalise_email(email)).first()
    if subscriber is not None and _may_send_link(subscriber):
        with transaction.atomic():
            _stamp_link_sent(subscriber)
            emails.send_preferences_link(subscriber=subscriber)


def subscriber_for_account(*, user: "User") -> Subscriber | None:
    return Subscriber.objects.filter(email=normalise_email(user.email)).prefetch_related("topics").first()


def subscriber_save_for_account(*, user: "User", choices: Choices) -> Subscriber:
    """An account holder's own choices; a verified account address needs no second confirmation."""
    from allauth.account.models import EmailAddress

    email = normalise_email(user.email)
    verified = EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    subscriber = Subscriber.objects.filter(email=email).first()
    if not verified and (subscriber is None or not subscriber.is_confirmed):
        return subscriber_subscribe(email=email, choices=choices, user=user)
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.get_or_create(email=email, defaults={"user": user})
        _apply(subscriber, choices)
        if not subscriber.is_confirmed:
            subscriber_confirm(email=email)
    return subscriber


def subscribers_import(*, emails_to_add: Iterable[str], choices: Choices) -> int:
    """Staff import: each new address gets a confirmation email; nobody is subscribed silently.

    Addresses already confirmed are left as they are; returns how many were asked to confirm.
    """
    count = 0
    for email in {normalise_email(email) for email in emails_to_add}:
        if Subscriber.objects.confirmed().filter(email=email).exists():
            continue
        subscriber_subscribe(email=email, choices=choices)
        count += 1
    return count
