"""A confirmation link sent before the address unsubscribed must not subscribe it again."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications import tokens
from notifications.models import Subscriber, Suppression
from notifications.services import subscribers as service
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

EMAIL = "reader@example.org"


def confirm_url(token: str) -> str:
    return reverse("notifications:confirm", kwargs={"token": token})


def left_a_day_after_the_link_was_sent() -> str:
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        token = tokens.make(tokens.CONFIRM, EMAIL)
    SubscriberFactory(email=EMAIL)
    service.subscriber_unsubscribe(email=EMAIL)
    Subscriber.objects.filter(email=EMAIL).update(unsubscribed_at=timezone.now() - timedelta(days=1))
    return token


def test_it_reads_when_a_token_was_signed():
    when = timezone.now().replace(microsecond=0) - timedelta(days=3)
    with time_machine.travel(when):
        token = tokens.make(tokens.CONFIRM, EMAIL)

    assert tokens.signed_at(token) == when


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_a_confirmation_link_sent_before_the_address_left(client, method):
    token = left_a_day_after_the_link_was_sent()

    response = getattr(client, method)(confirm_url(token))

    assert response.status_code == 400
    assert b"This link has expired" in response.content
    assert b"Confirm subscription" not in response.content
    assert reverse("notifications:subscribe").encode() in response.content
    assert not Subscriber.objects.get(email=EMAIL).is_confirmed
    assert Suppression.objects.filter(email=EMAIL, reason=Suppression.Reason.UNSUBSCRIBED).exists()


def test_it_confirms_a_link_sent_after_the_address_left_and_asked_again(client):
    left_a_day_after_the_link_was_sent()
    token = tokens.make(tokens.CONFIRM, EMAIL)

    assert b"Confirm subscription" in client.get(confirm_url(token)).content
    response = client.post(confirm_url(token))

    assert response.status_code == 302
    assert Subscriber.objects.get(email=EMAIL).is_confirmed
    assert not Suppression.objects.filter(email=EMAIL).exists()


def test_it_still_confirms_an_address_that_never_left(client):
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        token = tokens.make(tokens.CONFIRM, EMAIL)
    SubscriberFactory(email=EMAIL, confirmed_at=None)

    assert client.post(confirm_url(token)).status_code == 302
    assert Subscriber.objects.get(email=EMAIL).is_confirmed


def test_a_link_signed_in_the_second_of_leaving_still_confirms():
    SubscriberFactory(email=EMAIL, unsubscribed_at=timezone.now())
    signed = Subscriber.objects.get(email=EMAIL).unsubscribed_at.replace(microsecond=0)

    assert service.subscriber_confirm(email=EMAIL, link_signed_at=signed).is_confirmed
