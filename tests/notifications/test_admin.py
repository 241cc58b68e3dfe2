import csv
import io
import smtplib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Delivery, Subscriber
from notifications.services import delivery_enqueue
from tests.factories import SubscriberFactory, TopicFactory
from tests.notifications.backends import FailingBackend

pytestmark = pytest.mark.django_db

DELIVERIES = reverse("admin:notifications_delivery_changelist")
SUBSCRIBERS = reverse("admin:notifications_subscriber_changelist")
IMPORT = reverse("admin:notifications_subscriber_import")


def enqueue(recipient: str, key: str = "k") -> Delivery:
    return delivery_enqueue(
        recipient=recipient,
        template="subscription-preferences-link",
        context={"preferences_url": "https://example.org/p", "link_days": 90},
        kind="preferences_link",
        idempotency_key=key,
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 302), ("stakeholder", 302), ("moderator", 403), ("editor", 200)]
)
def test_who_may_see_the_deliveries(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(DELIVERIES).status_code == status


def test_the_list_counts_rows_per_status_and_searches_by_recipient(
    client_for, editor, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("sent@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        enqueue("waiting@example.org")
    client = client_for(editor)

    with django_assert_max_num_queries(12):
        page = client.get(DELIVERIES).content.decode()
    assert "Sent: 1" in page
    assert "Queued: 1" in page
    assert "Failed: 0" in page
    found = client.get(DELIVERIES, {"q": "waiting@"}).content.decode()
    assert "waiting@example.org" in found
    assert "sent@example.org" not in found
    filtered = client.get(DELIVERIES, {"status__exact": "sent"}).content.decode()
    assert "sent@example.org" in filtered


def test_staff_retry_failed_deliveries(client_for, editor, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    monkeypatch.setattr(FailingBackend, "error", smtplib.SMTPDataError(554, b"Policy rejection"))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue("reader@example.org")
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    monkeypatch.setattr(FailingBackend, "error", None)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(
            DELIVERIES, {"action": "retry", "_selected_action": [delivery.pk]}, follow=True
        )

    assert "1 delivery queued again." in response.content.decode()
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert [email.to for email in mail.outbox] == [["reader@example.org"]]


def test_export_gives_the_confirmed_subscribers_of_a_topic(client_for, editor):
    screening = TopicFactory(name="Screening")
    SubscriberFactory(email="=cmd@example.org", all_analyses=False, topics=[screening])
    SubscriberFactory(email="screening@example.org", all_analyses=False, topics=[screening])
    SubscriberFactory(email="pending@example.org", topics=[screening], confirmed_at=None)
    SubscriberFactory(email="other@example.org")
    selected = Subscriber.objects.filter(topics=screening).values_list("pk", flat=True)

    response = client_for(editor).post(
        f"{SUBSCRIBERS}?topics__id__exact={screening.pk}",
        {"action": "export_confirmed", "_selected_action": list(selected)},
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["email"] for row in rows] == ["'=cmd@example.org", "screening@example.org"]
    assert rows[1]["topics"] == "Screening"


def test_import_sends_confirmations_and_subscribes_nobody_silently(
    client_for, editor, django_capture_on_commit_callbacks
):
    topic = TopicFactory(name="Screening")
    SubscriberFactory(email="already@example.org")
    upload = SimpleUploadedFile(
        "list.csv", b"name,email\nAda,ada@example.org\nBo,ALREADY@example.org\nCy,cy@example.org\n", "text/csv"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(
            IMPORT, {"file": upload, "topics": [topic.pk], "frequency": "weekly"}, follow=True
        )

    assert "2 addresses were sent a confirmation email." in response.content.decode()
    assert sorted(email.to[0] for email in mail.outbox) == ["ada@example.org", "cy@example.org"]
    assert not Subscriber.objects.get(email="ada@example.org").is_confirmed
    assert Subscriber.objects.get(email="cy@example.org").frequency == "weekly"


def test_import_refuses_a_file_with_bad_addresses_and_says_which(client_for, editor):
    upload = SimpleUploadedFile("list.csv", b"email\ngood@example.org\nnot an address\n", "text/csv")
    response = client_for(editor).post(IMPORT, {"file": upload, "all_analyses": "on", "frequency": "immediate"})

    assert response.status_code == 200
    assert "These are not email addresses: not an address" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_import_is_for_staff_who_may_add_subscribers(client_for, moderator):
    assert client_for(moderator).get(IMPORT).status_code == 403
