from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import tokens
from notifications.models import Frequency, Subscriber, Suppression
from tests.factories import SubscriberFactory, TopicFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("notifications:subscribe")


def form(**overrides) -> dict:
    return {"email": "reader@example.org", "all_analyses": "on", "frequency": "immediate"} | overrides


def subscribe(client, capture, **overrides):
    with capture(execute=True):
        return client.post(SUBSCRIBE, form(**overrides))


def link_in(email, path: str) -> str:
    [url] = [word for word in email.body.split() if path in word]
    return url.removeprefix("http://127.0.0.1:8000")


def test_the_form_is_reachable_from_every_page(client):
    response = client.get("/")
    assert SUBSCRIBE.encode() in response.content


def test_it_shows_the_form_with_topics(client):
    TopicFactory(name="Tobacco control")
    response = client.get(SUBSCRIBE)
    assert response.status_code == 200
    assert b"Tobacco control" in response.content
    assert b'<label for="id_email">' in response.content


def test_subscribing_sends_a_confirmation_and_nothing_else(client, django_capture_on_commit_callbacks):
    topic = TopicFactory(name="Screening")
    response = subscribe(client, django_capture_on_commit_callbacks, all_analyses="", topics=[topic.pk])

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:subscribe_done")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.is_confirmed) == ("reader@example.org", False)
    assert list(subscriber.topics.all()) == [topic]
    [email] = mail.outbox
    assert email.to == ["reader@example.org"]
    assert email.subject == "Confirm your subscription to Policy & Insight"
    assert "new analyses about Screening, as they are published" in email.body
    assert "/notifications/confirm/" in email.body


def test_confirming_by_the_link_and_its_button_subscribes(client, django_capture_on_commit_callbacks):
    subscribe(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0], "/notifications/confirm/")

    assert b"Confirm subscription" in client.get(link).content
    assert not Subscriber.objects.get().is_confirmed
    response = client.post(link, follow=True)

    assert response.redirect_chain == [(link, 302)]
    assert b"re subscribed" in response.content
    assert Subscriber.objects.get().is_confirmed


def test_a_second_subscription_within_the_hour_sends_no_second_email(client, django_capture_on_commit_callbacks):
    first = subscribe(client, django_capture_on_commit_callbacks)
    second = subscribe(client, django_capture_on_commit_callbacks, email="READER@example.org")

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert len(mail.outbox) == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        subscribe(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_subscribing_a_confirmed_address_reveals_nothing_and_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="reader@example.org", all_analyses=False, webinars=True)
    fresh = subscribe(client, django_capture_on_commit_callbacks, email="new@example.org")
    known = subscribe(client, django_capture_on_commit_callbacks)

    assert (known.status_code, known["Location"]) == (fresh.status_code, fresh["Location"])
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert (subscriber.all_analyses, subscriber.webinars) == (False, True)
    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert by_recipient["reader@example.org"].subject == "You're already subscribed to Policy & Insight"
    assert "/notifications/preferences/" in by_recipient["reader@example.org"].body


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client):
    response = client.post(SUBSCRIBE, {"email": "not-an-address", "frequency": "weekly"})

    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="not-an-address"' in content
    # Every error is in the summary at the top, each linked to its field, and again beside the field.
    summary = content.split("data-error-summary")[1].split("</div>")[0]
    assert '<a href="#id_email">Enter an email address in the correct format, like name@example.com</a>' in summary
    assert '<a href="#id_all_analyses">Choose at least one thing to receive</a>' in summary
    assert content.count("Enter an email address in the correct format") == 2
    assert content.count("Choose at least one thing to receive") == 2
    assert "<title>Error:" in content
    assert 'value="weekly" id="id_frequency_1" required checked' in content
    assert not Subscriber.objects.exists()


def test_the_form_is_throttled_per_network(client, django_capture_on_commit_callbacks):
    from notifications.views import SUBSCRIBE_ATTEMPTS_PER_HOUR

    for n in range(SUBSCRIBE_ATTEMPTS_PER_HOUR):
        subscribe(client, django_capture_on_commit_callbacks, email=f"r{n}@example.org")
    response = subscribe(client, django_capture_on_commit_callbacks, email="one-more@example.org")

    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert not Subscriber.objects.filter(email="one-more@example.org").exists()


@pytest.mark.parametrize("purpose", [tokens.CONFIRM, tokens.PREFERENCES, tokens.UNSUBSCRIBE])
def test_a_tampered_link_gets_a_clear_page(client, purpose):
    name = purpose.split(".")[1]
    token = tokens.make(purpose, "reader@example.org")
    response = client.get(reverse(f"notifications:{name}", kwargs={"token": token[:-3] + "abc"}))

    assert response.status_code == 400
    assert b"t work" in response.content


def test_a_link_signed_for_another_purpose_is_refused(client):
    token = tokens.make(tokens.PREFERENCES, "reader@example.org")
    response = client.post(reverse("notifications:unsubscribe", kwargs={"token": token}))

    assert response.status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("purpose", [tokens.CONFIRM, tokens.PREFERENCES, tokens.UNSUBSCRIBE])
def test_an_expired_link_gets_a_clear_page(client, purpose):
    name = purpose.split(".")[1]
    with time_machine.travel(timezone.now() - tokens.max_age(purpose) - timedelta(days=1)):
        token = tokens.make(purpose, "reader@example.org")
    response = client.get(reverse(f"notifications:{name}", kwargs={"token": token}))

    assert response.status_code == 400
    assert b"This link has expired" in response.content
    assert reverse("notifications:preferences_request").encode() in response.content


def preferences_url(email="reader@example.org") -> str:
    return reverse("notifications:preferences", kwargs={"token": tokens.make(tokens.PREFERENCES, email)})


def test_the_preferences_link_shows_and_saves_choices(client):
    topic = TopicFactory(name="Prevention")
    subscriber = SubscriberFactory(email="reader@example.org")
    url = preferences_url()

    page = client.get(url)
    assert page.status_code == 200
    assert b"reader@example.org" in page.content
    response = client.post(url, {"topics": [topic.pk], "webinars": "on", "frequency": "weekly", "action": "save"})

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert (subscriber.all_analyses, subscriber.webinars, subscriber.frequency) == (False, True, Frequency.WEEKLY)
    assert list(subscriber.topics.all()) == [topic]


def test_the_preferences_page_can_unsubscribe(client):
    SubscriberFactory(email="reader@example.org")
    response = client.post(preferences_url(), {"action": "unsubscribe"})

    assert response.status_code == 200
    assert not Subscriber.objects.get().is_confirmed
    assert Suppression.objects.get().reason == Suppression.Reason.UNSUBSCRIBED


def test_the_preferences_page_for_an_address_without_subscription_offers_to_subscribe(client):
    response = client.get(preferences_url("stranger@example.org"))
    assert response.status_code == 200
    assert b"has no subscription" in response.content


def test_asking_for_a_preferences_link_answers_the_same_for_any_address(client, django_capture_on_commit_callbacks):
    SubscriberFactory(email="reader@example.org")
    url = reverse("notifications:preferences_request")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "reader@example.org"})
        unknown = client.post(url, {"email": "stranger@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    [email] = mail.outbox
    assert email.to == ["reader@example.org"]
    assert "/notifications/preferences/" in email.body


def unsubscribe_url(email="reader@example.org") -> str:
    return reverse("notifications:unsubscribe", kwargs={"token": tokens.make(tokens.UNSUBSCRIBE, email)})


def test_get_on_the_unsubscribe_link_only_asks(client):
    SubscriberFactory(email="reader@example.org")
    response = client.get(unsubscribe_url())

    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert Subscriber.objects.get().is_confirmed
    assert not Suppression.objects.exists()


def test_one_click_post_unsubscribes_without_a_session_or_csrf_token(django_capture_on_commit_callbacks):
    from django.test import Client

    SubscriberFactory(email="reader@example.org")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert b"re unsubscribed" in response.content
    assert not Subscriber.objects.get().is_confirmed
    assert Suppression.objects.get().email == "reader@example.org"


def test_unsubscribing_twice_is_harmless(client):
    client.post(unsubscribe_url())
    response = client.post(unsubscribe_url())
    assert response.status_code == 200
    assert Suppression.objects.count() == 1


def test_resubscribing_after_leaving_needs_a_new_confirmation(client, django_capture_on_commit_callbacks):
    SubscriberFactory(email="reader@example.org", unsubscribed_at=timezone.now())
    Suppression.objects.create(email="reader@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    subscribe(client, django_capture_on_commit_callbacks)
    assert not Subscriber.objects.get().is_confirmed

    client.post(link_in(mail.outbox[0], "/notifications/confirm/"))

    assert Subscriber.objects.get().is_confirmed
    assert not Suppression.objects.exists()


def test_the_account_page_needs_a_log_in(client):
    response = client.get(reverse("notifications:account"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_account_holder_with_a_verified_address_subscribes_without_a_second_confirmation(
    client_for, stakeholder, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=stakeholder, email=stakeholder.email, verified=True, primary=True)
    client = client_for(stakeholder)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:account"), {"webinars": "on", "frequency": "immediate"})

    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email=stakeholder.email)
    assert subscriber.is_confirmed and subscriber.webinars
    assert mail.outbox == []
    page = client.get(reverse("notifications:account"))
    assert b"Unsubscribe from everything" in page.content


def test_an_account_holder_with_an_unverified_address_gets_a_confirmation(
    client_for, stakeholder, django_capture_on_commit_callbacks
):
    client = client_for(stakeholder)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:account"), {"webinars": "on", "frequency": "immediate"})

    assert not Subscriber.objects.get().is_confirmed
    assert [email.to for email in mail.outbox] == [[stakeholder.email]]


def test_the_account_page_changes_and_cancels_a_subscription(client_for, stakeholder):
    SubscriberFactory(email=stakeholder.email, all_analyses=True)
    client = client_for(stakeholder)

    client.post(reverse("notifications:account"), {"consultations": "on", "frequency": "weekly", "action": "save"})
    subscriber = Subscriber.objects.get()
    assert (subscriber.all_analyses, subscriber.consultations, subscriber.frequency) == (False, True, "weekly")
    client.post(reverse("notifications:account"), {"action": "unsubscribe"})
    assert not Subscriber.objects.get().is_confirmed


def test_the_pages_take_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(5):
        TopicFactory(name=f"Topic {n}")
    subscriber = SubscriberFactory(email="reader@example.org")
    subscriber.topics.set(TopicFactory._meta.model.objects.all())

    with django_assert_max_num_queries(2):
        assert client.get(SUBSCRIBE).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(preferences_url()).status_code == 200
