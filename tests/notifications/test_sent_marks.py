"""Sent rows marked from the worker's marking thread (notifications/sent_marks.py), on PostgreSQL."""

import pytest
from django.core import mail
from django.db import OperationalError

from notifications import sent_marks
from notifications.models import Delivery
from notifications.sending import deliveries_send
from tests.notifications.test_outbox import enqueue
from tests.services import require_postgresql

pytestmark = pytest.mark.django_db(transaction=True)


def queued(count: int) -> list[Delivery]:
    """Rows committed and waiting for this test to send them (the eager dispatch after commit is undone)."""
    rows = [enqueue(recipient=f"reader{n}@example.org", key=f"event:{n}") for n in range(count)]
    Delivery.objects.update(
        status=Delivery.Status.QUEUED, sent_at=None, attempts=0, claim_token=None, dispatched_at=None
    )
    mail.outbox.clear()
    return rows


def test_rows_are_marked_sent_by_the_marking_thread():
    require_postgresql()
    rows = queued(5)

    assert deliveries_send(ids=[row.pk for row in rows])["sent"] == 5

    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert len(mail.outbox) == 5


def test_a_mark_that_fails_stops_the_sender_without_blaming_the_next_message(monkeypatch):
    require_postgresql()
    rows = queued(3)

    def fail(delivery, provider_message_id=""):
        raise OperationalError("the database went away")

    monkeypatch.setattr(sent_marks, "mark_sent", fail)
    with pytest.raises(sent_marks.MarkNotWritten):
        deliveries_send(ids=[row.pk for row in rows])

    # The first was sent and its mark failed; the second's content was never handed over, and it is
    # neither retried nor failed for it: both stay claimed for the sweeper, as when the sender marked itself.
    assert [email.to for email in mail.outbox] == [["reader0@example.org"]]
    first, second, third = (Delivery.objects.get(pk=row.pk) for row in rows)
    assert (first.status, second.status, third.status) == (Delivery.Status.SENDING,) * 3
    assert (second.attempts, second.last_error) == (0, "")
