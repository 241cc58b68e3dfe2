"""Sending over a real SMTP conversation (an aiosmtpd server in this process): each reader gets their own
message, built while the server reads the one before it, and a message that cannot be built ahead is
built in its turn."""

import pytest

from notifications import tokens
from notifications.models import Delivery
from notifications.sending import MessageBuilder, deliveries_send
from notifications.services.broadcasts import broadcast_create_deliveries, broadcast_render
from policies.services import analysis_announce
from tests.factories import AnalysisFactory, SubscriberFactory
from tests.smtp_sink import Sink

pytestmark = pytest.mark.django_db

READERS = [f"reader{n}@example.org" for n in range(5)]


@pytest.fixture
def over_smtp(settings, smtp_sink: Sink) -> Sink:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_sink


@pytest.fixture
def announcement(django_capture_on_commit_callbacks) -> list[Delivery]:
    """An announcement's queued rows, one per reader, not yet sent."""
    for reader in READERS:
        SubscriberFactory(email=reader)
    # A line that starts with a dot, which SMTP carries doubled and the server reads back single.
    analysis = AnalysisFactory(title="Screening saves lives", standfirst=".5% of the budget, and what it buys")
    with django_capture_on_commit_callbacks(execute=False):
        broadcast = analysis_announce(analysis=analysis)
    assert broadcast is not None
    broadcast_render(broadcast=broadcast)
    broadcast_create_deliveries(broadcast=broadcast)
    return list(Delivery.objects.order_by("pk"))


def unsubscribe_token(message) -> str:
    link = " ".join(message["List-Unsubscribe"].split()).split(",")[0].strip(" <>")
    return link.rstrip("/").rsplit("/", 1)[1]


def test_each_reader_gets_their_own_message_with_their_own_links(over_smtp, announcement):
    counts = deliveries_send(ids=[row.pk for row in announcement])

    assert counts["sent"] == len(READERS)
    received = over_smtp.by_recipient()
    assert sorted(received) == READERS
    for row in announcement:
        [message] = received[row.recipient]
        assert message["To"] == row.recipient
        assert message["Message-ID"] == row.message_id
        assert tokens.read(tokens.UNSUBSCRIBE, unsubscribe_token(message)) == row.recipient
        assert "\n.5% of the budget" in message.get_body(("plain",)).get_content()
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_message_that_cannot_be_built_ahead_is_built_in_its_turn(over_smtp, announcement, monkeypatch):
    second = announcement[1].recipient
    build_bytes = MessageBuilder.build_bytes
    tries: list[str] = []

    def fails_once_for_the_second(self, delivery, *args, **kwargs):
        tries.append(delivery.recipient)
        if delivery.recipient == second and tries.count(second) == 1:
            raise RuntimeError("not this time")
        return build_bytes(self, delivery, *args, **kwargs)

    monkeypatch.setattr(MessageBuilder, "build_bytes", fails_once_for_the_second)

    counts = deliveries_send(ids=[row.pk for row in announcement])

    assert counts["sent"] == len(READERS)
    assert tries.count(second) == 2  # ahead, while the server read the first message, then in its turn
    assert sorted(over_smtp.by_recipient()) == READERS
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_message_that_cannot_be_built_at_all_fails_alone(over_smtp, announcement, monkeypatch):
    second = announcement[1].recipient
    build_bytes = MessageBuilder.build_bytes

    def fails_for_the_second(self, delivery, *args, **kwargs):
        if delivery.recipient == second:
            raise RuntimeError("broken template")
        return build_bytes(self, delivery, *args, **kwargs)

    monkeypatch.setattr(MessageBuilder, "build_bytes", fails_for_the_second)

    counts = deliveries_send(ids=[row.pk for row in announcement])

    assert (counts["sent"], counts["retry"]) == (len(READERS) - 1, 1)
    assert sorted(over_smtp.by_recipient()) == [reader for reader in READERS if reader != second]
    states = dict(Delivery.objects.values_list("recipient", "status"))
    assert states.pop(second) == Delivery.Status.QUEUED
    assert set(states.values()) == {Delivery.Status.SENT}
