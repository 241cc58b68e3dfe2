"""Bounce and complaint reports from the email provider, posted to anymail's Postmark tracking webhook.

The payloads are shaped as Postmark's webhook documentation shows them; anymail
parses them into normalised events and notifications/receivers.py acts on those.
"""

import base64
import importlib
import json
import uuid

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from django.test import Client
from django.urls import clear_url_caches

import config.urls
from notifications.models import Delivery, Subscriber, Suppression
from notifications.services import delivery_enqueue
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SECRET = "postmark:correct-horse-battery-staple"
TRACKING_URL = "/anymail/postmark/tracking/"


class PostmarkLikeBackend(AnymailTestBackend):
    """anymail's test backend, reporting a uuid for a message id as Postmark's API does."""

    def get_esp_message_id(self, message) -> str:
        return str(uuid.uuid4())


def reload_urls() -> None:
    importlib.reload(config.urls)
    clear_url_caches()


def urls_with_secrets(settings, secrets: list[str]):
    before = settings.ANYMAIL
    settings.ANYMAIL = {**before, "WEBHOOK_SECRET": secrets}
    reload_urls()
    yield
    settings.ANYMAIL = before
    reload_urls()


@pytest.fixture
def webhooks(settings):
    """The webhook routes exist only with a secret set, so the URLconf is rebuilt with one."""
    yield from urls_with_secrets(settings, [SECRET])


@pytest.fixture
def no_webhook_secret(settings):
    yield from urls_with_secrets(settings, [])


@pytest.fixture
def anymail_backend(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_provider_events.PostmarkLikeBackend"


def auth(secret: str = SECRET) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def post(client, payload: dict, secret: str | None = SECRET, url: str = TRACKING_URL):
    headers = auth(secret) if secret else {}
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


def bounce(email: str, message_id: str, kind: str = "HardBounce", type_code: int = 1) -> dict:
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": type_code,
        "Name": "Hard bounce",
        "Tag": "announcement",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "policy@example.org",
        "BouncedAt": "2026-11-27T03:10:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "New analysis",
    }


def complaint(email: str, message_id: str) -> dict:
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "outbound",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "announcement",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "policy@example.org",
        "BouncedAt": "2026-11-27T03:10:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "New analysis",
    }


def sent_delivery(recipient: str, django_capture_on_commit_callbacks, key: str = "event:1") -> Delivery:
    with django_capture_on_commit_callbacks(execute=True):
        delivery = delivery_enqueue(
            recipient=recipient,
            template="subscription-confirm",
            context={"summary": "All new analyses", "confirm_url": "https://example.org/c/1", "link_days": 7},
            kind="subscription_confirmation",
            idempotency_key=key,
        )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    return delivery


def test_it_stores_the_providers_message_id_when_sending_through_anymail(
    anymail_backend, django_capture_on_commit_callbacks
):
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)

    assert uuid.UUID(delivery.provider_message_id)


def test_it_stores_no_message_id_for_a_backend_that_gives_none(django_capture_on_commit_callbacks):
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)

    assert delivery.provider_message_id == ""


def test_a_hard_bounce_suppresses_the_address_and_fails_the_delivery(
    webhooks, anymail_backend, client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="reader@example.org")
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)

    response = post(client, bounce("Reader@Example.org", delivery.provider_message_id))

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert suppression.email == "reader@example.org"
    assert suppression.reason == Suppression.Reason.HARD_BOUNCE
    assert "Postmark bounced" in suppression.note
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error.startswith("Hard bounce: Postmark bounced: The server was unable to deliver")
    assert not Subscriber.objects.receiving("immediate").filter(email="reader@example.org").exists()
    # A bounce is not the reader's wish to leave: only the suppression list stops the mail.
    assert Subscriber.objects.get().unsubscribed_at is None


def test_the_same_bounce_twice_changes_nothing_more(
    webhooks, anymail_backend, client, django_capture_on_commit_callbacks
):
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)
    post(client, bounce("reader@example.org", delivery.provider_message_id))
    first = Suppression.objects.get()
    delivery.refresh_from_db()
    failed = (delivery.status, delivery.last_error, delivery.attempts)

    response = post(client, bounce("reader@example.org", delivery.provider_message_id))

    assert response.status_code == 200
    assert list(Suppression.objects.values_list("pk", "reason", "created_at")) == [
        (first.pk, first.reason, first.created_at)
    ]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error, delivery.attempts) == failed


def test_an_address_the_provider_rejects_as_bad_is_suppressed_as_a_hard_bounce(
    webhooks, anymail_backend, client, django_capture_on_commit_callbacks
):
    delivery = sent_delivery("nobody@example.org", django_capture_on_commit_callbacks)

    post(client, bounce("nobody@example.org", delivery.provider_message_id, kind="BadEmailAddress", type_code=100000))

    assert Suppression.objects.get().reason == Suppression.Reason.HARD_BOUNCE
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_a_complaint_suppresses_the_address_and_ends_the_subscription(
    webhooks, anymail_backend, client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="reader@example.org", webinars=True)
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)

    response = post(client, complaint("reader@example.org", delivery.provider_message_id))

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert suppression.reason == Suppression.Reason.COMPLAINT
    assert suppression.note == "Postmark complained: Test spam complaint details"
    subscriber = Subscriber.objects.get()
    assert subscriber.unsubscribed_at is not None
    assert not subscriber.is_confirmed
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error.startswith("Spam complaint: Postmark complained")


def test_the_same_complaint_twice_changes_nothing_more(
    webhooks, anymail_backend, client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="reader@example.org")
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)
    post(client, complaint("reader@example.org", delivery.provider_message_id))
    left_at = Subscriber.objects.get().unsubscribed_at

    post(client, complaint("reader@example.org", delivery.provider_message_id))

    assert Subscriber.objects.get().unsubscribed_at == left_at
    assert Suppression.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "type_code"), [("SoftBounce", 4096), ("Transient", 2), ("DnsError", 8192), ("AutoResponder", 16)]
)
def test_a_soft_bounce_or_delay_records_nothing_permanent(
    kind, type_code, webhooks, anymail_backend, client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="reader@example.org")
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)

    response = post(client, bounce("reader@example.org", delivery.provider_message_id, kind, type_code))

    assert response.status_code == 200
    assert not Suppression.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert Subscriber.objects.get().is_confirmed


def test_a_delivered_report_records_nothing(webhooks, anymail_backend, client, django_capture_on_commit_callbacks):
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)
    payload = {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": delivery.provider_message_id,
        "Recipient": "reader@example.org",
        "Tag": "announcement",
        "DeliveredAt": "2026-11-27T03:10:54.9070259Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }

    assert post(client, payload).status_code == 200
    assert not Suppression.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_a_bounce_for_an_address_never_mailed_here_still_suppresses_it(webhooks, client):
    response = post(client, bounce("stranger@example.org", "883953f4-6105-42a2-a16a-77a8eac79483"))

    assert response.status_code == 200
    assert Suppression.objects.get().email == "stranger@example.org"
    assert not Delivery.objects.exists()


def test_a_bounce_does_not_fail_another_addresss_delivery_with_the_same_message_id(
    webhooks, anymail_backend, client, django_capture_on_commit_callbacks
):
    delivery = sent_delivery("reader@example.org", django_capture_on_commit_callbacks)

    post(client, bounce("other@example.org", delivery.provider_message_id))

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert list(Suppression.objects.values_list("email", flat=True)) == ["other@example.org"]


@pytest.mark.parametrize("secret", [None, "postmark:wrong", "someone:correct-horse-battery-staple"])
def test_a_post_without_the_right_credentials_is_refused(secret, webhooks, client):
    response = post(client, bounce("reader@example.org", "883953f4-6105-42a2-a16a-77a8eac79483"), secret=secret)

    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


def test_without_a_secret_the_webhooks_are_not_routed(no_webhook_secret, client):
    response = post(client, bounce("reader@example.org", "883953f4-6105-42a2-a16a-77a8eac79483"))

    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_it_needs_no_csrf_token(webhooks):
    strict = Client(enforce_csrf_checks=True)

    response = post(strict, bounce("reader@example.org", "883953f4-6105-42a2-a16a-77a8eac79483"))

    assert response.status_code == 200
    assert Suppression.objects.get().email == "reader@example.org"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", b"JSONDecodeError"),
        (b"\xff\xfe", b"UnicodeDecodeError"),
        # An inbound message posted to the tracking webhook: the provider's settings are crossed.
        (json.dumps({"FromFull": {"Email": "reader@example.org"}, "Subject": "Hello"}).encode(), b"Configuration"),
    ],
)
def test_a_payload_it_cannot_read_gets_a_clear_400(body, problem, webhooks, client):
    response = client.post(TRACKING_URL, data=body, content_type="application/json", **auth())

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert problem in response.content
    assert not Suppression.objects.exists()
