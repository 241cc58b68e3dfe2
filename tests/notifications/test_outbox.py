import smtplib
from datetime import timedelta
from email import message_from_bytes

import pytest
from anymail.exceptions import AnymailRecipientsRefused
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Delivery, Suppression
from notifications.sending import deliveries_claim, deliveries_send
from notifications.services import deliveries_retry, deliveries_sweep, delivery_enqueue
from tests.factories import AnalysisFactory
from tests.notifications.brokers import broker_at

pytestmark = pytest.mark.django_db


def enqueue(recipient="reader@example.org", key="event:1", **overrides) -> Delivery:
    arguments = {
        "recipient": recipient,
        "template": "subscription-confirm",
        "context": {"summary": "All new analyses", "confirm_url": "https://example.org/c/1", "link_days": 7},
        "kind": "subscription_confirmation",
        "idempotency_key": key,
    }
    return delivery_enqueue(**(arguments | overrides))


def test_it_renders_stores_and_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue(recipient=" Reader@Example.org ")

    delivery.refresh_from_db()
    assert delivery.recipient == "reader@example.org"
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert delivery.subject == "Confirm your subscription to Policy & Insight"
    [email] = mail.outbox
    assert email.to == ["reader@example.org"]
    assert email.subject == delivery.subject
    assert "https://example.org/c/1" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert 'href="https://example.org/c/1"' in html
    assert "2 Redman Place, London E20 1JQ" in email.body
    assert "2 Redman Place, London E20 1JQ" in html
    assert email.extra_headers["Message-ID"] == delivery.message_id


def test_it_keeps_plain_text_unescaped(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(context={"summary": "Q&A <webinars>", "confirm_url": "https://example.org/c?a=1&b=2", "link_days": 7})

    [email] = mail.outbox
    assert "Q&A <webinars>" in email.body
    assert "https://example.org/c?a=1&b=2" in email.body
    assert "Q&amp;A &lt;webinars&gt;" in email.alternatives[0][0]


def test_it_sends_nothing_until_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery = enqueue()

    assert len(callbacks) == 1
    assert mail.outbox == []
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.QUEUED


def test_it_writes_nothing_when_the_callers_transaction_rolls_back(django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort), transaction.atomic():
        enqueue()
        raise Abort

    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_second_call_with_the_same_key_returns_the_first_row(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue()
        second = enqueue(recipient="READER@example.org", context={"summary": "x", "confirm_url": "y", "link_days": 1})

    assert second.pk == first.pk
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_key_for_another_recipient_is_another_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(recipient="one@example.org")
        enqueue(recipient="two@example.org")

    assert sorted(email.to[0] for email in mail.outbox) == ["one@example.org", "two@example.org"]


def test_it_links_the_object_the_email_is_about(django_capture_on_commit_callbacks):
    analysis = AnalysisFactory()
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue(about=analysis)

    assert Delivery.objects.get(pk=delivery.pk).about == analysis


def test_bulk_email_carries_one_click_unsubscribe(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(stream="bulk", kind="newsletter")

    [email] = mail.outbox
    parsed = message_from_bytes(email.message().as_bytes())
    unsubscribe = " ".join(parsed["List-Unsubscribe"].split())
    assert unsubscribe.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert "<mailto:unsubscribe@127.0.0.1?subject=unsubscribe%20" in unsubscribe
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in email.body
    assert "/notifications/preferences/" in email.alternatives[0][0]


def test_transactional_email_has_no_unsubscribe_header(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue()

    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_bulk_email_to_a_suppressed_address_is_held_back(django_capture_on_commit_callbacks):
    Suppression.objects.create(email="reader@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    with django_capture_on_commit_callbacks(execute=True):
        bulk = enqueue(stream="bulk", kind="newsletter", key="news:1")
        confirmation = enqueue(key="confirm:1")

    assert Delivery.objects.get(pk=bulk.pk).status == Delivery.Status.SUPPRESSED
    assert Delivery.objects.get(pk=confirmation.pk).status == Delivery.Status.SENT
    assert [email.extra_headers["Message-ID"] for email in mail.outbox] == [confirmation.message_id]


def test_an_address_suppressed_after_queueing_is_held_back_at_send_time(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = enqueue(stream="bulk", kind="newsletter")
    Suppression.objects.create(email="reader@example.org", reason=Suppression.Reason.COMPLAINT)

    counts = deliveries_send(ids=[delivery.pk])

    assert counts["suppressed"] == 1
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SUPPRESSED
    assert mail.outbox == []


def test_a_transient_error_schedules_a_retry_with_backoff(failing, django_capture_on_commit_callbacks):
    failing.error = smtplib.SMTPRecipientsRefused({"reader@example.org": (451, b"Greylisted")})
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.attempts == 1
    assert "Greylisted" in delivery.last_error
    assert delivery.dispatched_at is None
    assert timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)


def test_backoff_doubles_up_to_the_cap(settings):
    from notifications.sending import backoff

    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 600
    assert [backoff(n).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


def test_a_row_is_not_retried_before_its_time(failing, django_capture_on_commit_callbacks):
    failing.error = smtplib.SMTPDataError(452, b"Mailbox busy")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue()
    failing.error = None

    assert deliveries_send(ids=[delivery.pk])["claimed"] == 0
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliveries_send(ids=[delivery.pk])["sent"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Delivery.Status.SENT, 2, "")


def test_it_gives_up_after_the_last_attempt(failing, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    failing.error = smtplib.SMTPDataError(452, b"Mailbox busy")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    deliveries_send(ids=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 2
    assert delivery.last_error.startswith("Gave up after 2 attempts.")


def test_a_permanent_refusal_fails_the_row_and_suppresses_the_address(failing, django_capture_on_commit_callbacks):
    failing.error = smtplib.SMTPRecipientsRefused({"reader@example.org": (550, b"5.1.1 No such user")})
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "No such user" in delivery.last_error
    assert Suppression.objects.get(email="reader@example.org").reason == Suppression.Reason.HARD_BOUNCE


def test_a_failure_for_one_row_does_not_stop_the_rest_of_the_chunk(failing, django_capture_on_commit_callbacks):
    failing.error = smtplib.SMTPRecipientsRefused({"bad@example.org": (550, b"No such user")})
    failing.recipients = frozenset({"bad@example.org"})
    with django_capture_on_commit_callbacks(execute=False):
        rows = [enqueue(recipient=f"{name}@example.org") for name in ("a", "bad", "c")]

    counts = deliveries_send(ids=[row.pk for row in rows])

    assert (counts["sent"], counts["failed"]) == (2, 1)
    assert sorted(email.to[0] for email in mail.outbox) == ["a@example.org", "c@example.org"]


def test_a_lost_connection_puts_the_untried_rows_back_without_counting_an_attempt(
    failing, django_capture_on_commit_callbacks
):
    failing.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    failing.recipients = frozenset({"b@example.org"})
    with django_capture_on_commit_callbacks(execute=False):
        rows = [enqueue(recipient=f"{name}@example.org") for name in ("a", "b", "c")]

    counts = deliveries_send(ids=[row.pk for row in rows])

    states = {d.recipient: (d.status, d.attempts) for d in Delivery.objects.all()}
    assert counts["sent"] == 1
    assert states == {
        "a@example.org": (Delivery.Status.SENT, 1),
        "b@example.org": (Delivery.Status.QUEUED, 1),
        "c@example.org": (Delivery.Status.QUEUED, 0),
    }


def test_a_server_that_refuses_connections_leaves_every_row_for_a_retry(failing, django_capture_on_commit_callbacks):
    failing.fail_on_open = True
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.QUEUED, 1)
    assert delivery.next_attempt_at > timezone.now()


def test_a_row_is_claimed_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = enqueue()

    first = deliveries_claim(ids=[delivery.pk])
    second = deliveries_claim(ids=[delivery.pk])

    assert [d.pk for d in first] == [delivery.pk]
    assert second == []
    assert deliveries_send(ids=[delivery.pk])["claimed"] == 0


@pytest.mark.parametrize("returning", [True, False], ids=["the claim returns its rows", "the rows read after"])
def test_a_chunk_is_claimed_and_sent_in_few_queries(
    returning, monkeypatch, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=False):
        rows = [enqueue(recipient=f"reader{n}@example.org", key=f"event:{n}") for n in range(20)]
    # Databases without UPDATE ... RETURNING (SQLite before 3.35) read the claimed rows back.
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", returning)

    # Claim, read, one update per sent row: the per-row update is what keeps a
    # killed worker from re-sending more than the message in flight.
    with django_assert_max_num_queries(3 + 20):
        deliveries_send(ids=[row.pk for row in rows])
    assert len(mail.outbox) == 20
    assert {email.extra_headers["Message-ID"] for email in mail.outbox} == {row.message_id for row in rows}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_the_sweeper_requeues_rows_stuck_in_sending_and_sends_them(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        stuck = enqueue(recipient="stuck@example.org")
        recent = enqueue(recipient="recent@example.org")
    deliveries_claim(ids=[stuck.pk, recent.pk])
    Delivery.objects.filter(pk=stuck.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS + 1)
    )

    assert deliveries_sweep() == {"requeued": 1, "dispatched": 1}

    assert Delivery.objects.get(pk=stuck.pk).status == Delivery.Status.SENT
    assert Delivery.objects.get(pk=recent.pk).status == Delivery.Status.SENDING
    assert [email.to for email in mail.outbox] == [["stuck@example.org"]]


def test_the_sweeper_dispatches_rows_never_dispatched_and_leaves_recent_ones(
    settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        lost = enqueue(recipient="lost@example.org")
        waiting = enqueue(recipient="waiting@example.org")
    Delivery.objects.filter(pk=waiting.pk).update(dispatched_at=timezone.now())
    Delivery.objects.filter(pk=lost.pk).update(
        dispatched_at=timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS + 1)
    )

    assert deliveries_sweep()["dispatched"] == 1
    assert [email.to for email in mail.outbox] == [["lost@example.org"]]
    assert deliveries_sweep()["dispatched"] == 0


def test_retrying_failed_rows_sends_them_again(failing, django_capture_on_commit_callbacks):
    failing.error = smtplib.SMTPDataError(554, b"Rejected")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue()
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.FAILED
    failing.error = None

    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_retry(deliveries=Delivery.objects.all()) == 1

    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT
    assert len(mail.outbox) == 1


def test_the_request_succeeds_when_the_broker_is_down(django_capture_on_commit_callbacks):
    with broker_at("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        delivery = enqueue()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.dispatched_at) == (Delivery.Status.QUEUED, None)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), "permanent"),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"Greylisted")}), "transient"),
        (smtplib.SMTPDataError(554, b"Rejected"), "permanent"),
        (smtplib.SMTPDataError(452, b"Full"), "transient"),
        (smtplib.SMTPResponseException(421, b"Closing"), "connection"),
        (smtplib.SMTPServerDisconnected("gone"), "connection"),
        (ConnectionRefusedError(), "connection"),
        (TimeoutError(), "connection"),
        (AnymailRecipientsRefused(), "permanent"),
        (ValueError("unexpected"), "transient"),
    ],
)
def test_send_errors_are_classified(error, outcome):
    from notifications.sending import classify

    assert classify(error) == outcome
