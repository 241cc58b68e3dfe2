"""What the notifications app holds about a person, exported and erased on request (UK GDPR)."""

from collections.abc import Collection

from django.db.models import Q, QuerySet

from core.personal_data import address_hash, redact_mentions
from notifications.models import Delivery, Subscriber, Suppression


def _subscribers(emails: Collection[str], user) -> QuerySet[Subscriber]:
    match = Q(email__in=list(emails))
    if user is not None:
        match |= Q(user=user)
    return Subscriber.objects.filter(match)


def _date(value) -> str | None:
    return value.isoformat() if value else None


def personal_data_export(*, emails: Collection[str], user=None) -> dict:
    subscribers = _subscribers(emails, user).prefetch_related("topics")
    suppressions = Suppression.objects.filter(email_hash__in=[address_hash(email) for email in emails])
    deliveries = Delivery.objects.filter(recipient__in=list(emails)).order_by("created_at", "pk")
    return {
        "subscriptions": [
            {
                "email": subscriber.email,
                "all_analyses": subscriber.all_analyses,
                "topics": [topic.name for topic in subscriber.topics.all()],
                "webinars": subscriber.webinars,
                "consultations": subscriber.consultations,
                "frequency": subscriber.frequency,
                "created_at": _date(subscriber.created_at),
                "confirmed_at": _date(subscriber.confirmed_at),
                "unsubscribed_at": _date(subscriber.unsubscribed_at),
            }
            for subscriber in subscribers
        ],
        "suppressions": [
            {"email": row.email, "reason": row.reason, "note": row.note, "created_at": _date(row.created_at)}
            for row in suppressions
        ],
        # Bodies are left out: the person received each message, and bodies carry private links
        # (a response's receipt link, a confirmation link) that a file passed around must not.
        "emails_sent": [
            {
                "recipient": delivery.recipient,
                "kind": delivery.kind,
                "subject": delivery.subject,
                "status": delivery.status,
                "created_at": _date(delivery.created_at),
                "sent_at": _date(delivery.sent_at),
            }
            for delivery in deliveries.only("recipient", "kind", "subject", "status", "created_at", "sent_at")
        ],
    }


def personal_data_counts(*, emails: Collection[str], user=None) -> dict[str, int]:
    return {
        "subscriptions": _subscribers(emails, user).count(),
        "emails_sent": Delivery.objects.filter(recipient__in=list(emails)).count(),
    }


def personal_data_erase(*, emails: Collection[str], user=None) -> dict[str, int]:
    """Subscriptions and emails go; each address stays suppressed, by its hash only.

    Runs inside the caller's transaction. Being erased is no consent to bulk email, and a
    stranger cannot subscribe the address again without its owner clicking the confirmation.
    """
    subscriptions = _subscribers(emails, user)
    subscription_count = subscriptions.count()
    subscriptions.delete()
    deliveries, _by_model = Delivery.objects.filter(recipient__in=list(emails)).delete()
    for email in emails:
        Suppression.objects.add(email=email, reason=Suppression.Reason.ERASED)
    Suppression.objects.filter(email__in=list(emails)).update(email="")
    # Emails to other people (a moderator's alert) may quote the address.
    redact_mentions(Delivery.objects.all(), fields=["subject", "body_text", "body_html", "last_error"], emails=emails)
    return {"subscriptions_deleted": subscription_count, "emails_deleted": deliveries}
