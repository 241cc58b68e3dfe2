"""Sent rows marked ahead over the worker's marking connection (notifications/sent_marks.py), on PostgreSQL."""

import pytest
from django.core import mail
from django.db import connection

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


def test_rows_are_marked_sent_over_the_marking_connection():
    require_postgresql()
    rows = queued(5)

    assert deliveries_send(ids=[row.pk for row in rows])["sent"] == 5

    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert all(row.sent_at is not None and row.attempts == 1 for row in Delivery.objects.all())
    assert len(mail.outbox) == 5
    assert sent_marks.marking_connection().info.backend_pid != connection.connection.info.backend_pid


def assert_only_the_first_went_out_and_all_stay_claimed(rows: list[Delivery]) -> None:
    # The first was sent and its mark failed; the second's content was never handed over, and it is
    # neither retried nor failed for it: all stay claimed for the sweeper, as when the sender marked itself.
    assert [email.to for email in mail.outbox] == [["reader0@example.org"]]
    first, second, third = (Delivery.objects.get(pk=row.pk) for row in rows)
    assert (first.status, second.status, third.status) == (Delivery.Status.SENDING,) * 3
    assert (second.attempts, second.last_error) == (0, "")


def test_a_mark_the_database_refuses_stops_the_sender_without_blaming_the_next_message():
    require_postgresql()
    rows = queued(3)
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_sent() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'no space left on device'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_sent BEFORE UPDATE ON {table} FOR EACH ROW "
            "WHEN (NEW.status = 'sent') EXECUTE FUNCTION refuse_sent()"
        )
    try:
        with pytest.raises(sent_marks.MarkNotWritten, match="no space left on device"):
            deliveries_send(ids=[row.pk for row in rows])
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER refuse_sent ON {table}")
            cursor.execute("DROP FUNCTION refuse_sent()")

    assert_only_the_first_went_out_and_all_stay_claimed(rows)


def test_a_marking_connection_that_dies_stops_the_sender_and_the_next_chunk_opens_another(monkeypatch):
    require_postgresql()
    rows = queued(3)
    backend = mail.get_connection().__class__
    send_messages = backend.send_messages

    def send_then_lose_the_database(self, messages):
        sent = send_messages(self, messages)
        with connection.cursor() as cursor:  # an administrator's restart, a failover: the session ends
            cursor.execute("SELECT pg_terminate_backend(%s)", [sent_marks.marking_connection().info.backend_pid])
        return sent

    monkeypatch.setattr(backend, "send_messages", send_then_lose_the_database)
    with pytest.raises(sent_marks.MarkNotWritten):
        deliveries_send(ids=[row.pk for row in rows])
    assert_only_the_first_went_out_and_all_stay_claimed(rows)

    monkeypatch.setattr(backend, "send_messages", send_messages)
    later = [enqueue(recipient=f"later{n}@example.org", key=f"later:{n}") for n in range(2)]
    Delivery.objects.filter(pk__in=[row.pk for row in later]).update(status=Delivery.Status.QUEUED, sent_at=None)
    mail.outbox.clear()
    assert deliveries_send(ids=[row.pk for row in later])["sent"] == 2
    assert set(Delivery.objects.filter(pk__in=[row.pk for row in later]).values_list("status", flat=True)) == {
        Delivery.Status.SENT
    }
