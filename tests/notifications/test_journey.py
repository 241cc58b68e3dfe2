"""The whole path a person takes: subscribe, confirm, receive an announcement, leave in one click."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from notifications.models import Subscriber
from policies.services import analysis_announce
from tests.factories import AnalysisFactory, TopicFactory

pytestmark = pytest.mark.django_db


def link(email, path: str) -> str:
    [url] = [word for word in email.body.split() if path in word]
    return url.removeprefix("http://127.0.0.1:8000")


def test_subscribe_confirm_receive_and_unsubscribe(client, django_capture_on_commit_callbacks):
    topic = TopicFactory(name="Research clusters")
    form = {"email": "Reader@Example.org", "topics": [topic.pk], "frequency": "immediate"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("notifications:subscribe"), form).status_code == 302
    [confirmation] = mail.outbox
    confirm = link(confirmation, "/notifications/confirm/")
    assert client.get(confirm).status_code == 200
    assert not Subscriber.objects.get().is_confirmed
    assert Client(enforce_csrf_checks=True).post(confirm).status_code == 403
    assert client.post(confirm).status_code == 302
    assert Subscriber.objects.get().is_confirmed

    analysis = AnalysisFactory(title="Clusters and the spending review")
    analysis.topics.set([topic])
    with django_capture_on_commit_callbacks(execute=True):
        analysis_announce(analysis=analysis)
    announcement = mail.outbox[1]
    assert announcement.to == ["reader@example.org"]
    assert announcement.subject == "New analysis: Clusters and the spending review"
    assert client.get(link(announcement, "/analyses/")).status_code == 200

    unsubscribe = link(announcement, "/notifications/unsubscribe/")
    assert client.get(unsubscribe).status_code == 200
    assert Subscriber.objects.get().is_confirmed
    assert Client(enforce_csrf_checks=True).post(unsubscribe).status_code == 200
    assert not Subscriber.objects.get().is_confirmed

    second = AnalysisFactory()
    second.topics.set([topic])
    with django_capture_on_commit_callbacks(execute=True):
        analysis_announce(analysis=second)
    assert len(mail.outbox) == 2


def test_the_demo_subscribers_load_once():
    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    assert Subscriber.objects.confirmed().count() == 3
    assert list(Subscriber.objects.get(email="clusters@example.org").topics.values_list("slug", flat=True)) == [
        "research-clusters",
        "research-funding",
    ]
