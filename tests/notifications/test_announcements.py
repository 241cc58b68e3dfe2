from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Broadcast, Delivery, Frequency, Subscriber, Suppression
from notifications.services import (
    announcement_fan_out,
    announcements_find_due,
    broadcast_fan_out,
)
from policies.models import PolicyAnalysis
from policies.services import analysis_announce
from tests.factories import AnalysisFactory, ConsultationFactory, SubscriberFactory, TopicFactory, WebinarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening():
    return TopicFactory(name="Screening")


@pytest.fixture
def audience(screening):
    """Who should and should not hear about an analysis filed under Screening."""
    other = TopicFactory(name="Tobacco")
    Suppression.objects.create(email="bounced@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    return {
        "all": SubscriberFactory(email="all@example.org"),
        "topic": SubscriberFactory(email="topic@example.org", all_analyses=False, topics=[screening]),
        "both": SubscriberFactory(email="both@example.org", topics=[screening, other]),
        "other-topic": SubscriberFactory(email="other@example.org", all_analyses=False, topics=[other]),
        "weekly": SubscriberFactory(email="weekly@example.org", frequency=Frequency.WEEKLY),
        "unconfirmed": SubscriberFactory(email="unconfirmed@example.org", confirmed_at=None),
        "left": SubscriberFactory(email="left@example.org", unsubscribed_at=timezone.now()),
        "bounced": SubscriberFactory(email="bounced@example.org"),
        "webinars-only": SubscriberFactory(email="webinars@example.org", all_analyses=False, webinars=True),
    }


def announce(analysis, capture):
    with capture(execute=True):
        return analysis_announce(analysis=analysis)


def recipients() -> list[str]:
    return sorted(address for email in mail.outbox for address in email.to)


def test_each_interested_confirmed_subscriber_gets_exactly_one_email(
    audience, screening, django_capture_on_commit_callbacks
):
    analysis = AnalysisFactory(title="Screening saves lives")
    analysis.topics.set([screening])

    broadcast = announce(analysis, django_capture_on_commit_callbacks)

    assert recipients() == ["all@example.org", "both@example.org", "topic@example.org"]
    assert {email.subject for email in mail.outbox} == {"New analysis: Screening saves lives"}
    broadcast.refresh_from_db()
    assert broadcast.recipients == 3
    assert broadcast.fanned_out_at is not None
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_announcing_again_adds_nothing(audience, screening, django_capture_on_commit_callbacks):
    analysis = AnalysisFactory()
    analysis.topics.set([screening])
    first = announce(analysis, django_capture_on_commit_callbacks)
    second = announce(analysis, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        broadcast_fan_out(broadcast=first)

    assert first.pk == second.pk
    assert Delivery.objects.count() == 3
    assert len(mail.outbox) == 3


def test_each_email_carries_its_readers_own_unsubscribe_link(audience, screening, django_capture_on_commit_callbacks):
    analysis = AnalysisFactory(title="Q&A: <screening>", standfirst="Fewer cancers & earlier diagnosis.")
    analysis.topics.set([screening])
    announce(analysis, django_capture_on_commit_callbacks)
    by_recipient = {email.to[0]: email for email in mail.outbox}

    email = by_recipient["topic@example.org"]
    parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    header = " ".join(parsed["List-Unsubscribe"].split())
    https_url = header.split(">")[0].removeprefix("<")
    assert parsed["To"] == "topic@example.org"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"] == Delivery.objects.get(recipient="topic@example.org").message_id
    assert parsed["Subject"] == "New analysis: Q&A: <screening>"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert https_url in text
    assert https_url in html
    assert "Fewer cancers & earlier diagnosis." in text
    assert "Q&amp;A: &lt;screening&gt;" in html
    assert "/notifications/preferences/" in html
    assert "__UNSUBSCRIBE_URL__" not in text + html
    assert https_url not in by_recipient["all@example.org"].body

    response = Client().post(https_url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert not Subscriber.objects.get(email="topic@example.org").is_confirmed
    assert Subscriber.objects.get(email="all@example.org").is_confirmed


def test_the_prebuilt_message_matches_what_django_would_build(audience, screening, django_capture_on_commit_callbacks):
    analysis = AnalysisFactory()
    analysis.topics.set([screening])
    announce(analysis, django_capture_on_commit_callbacks)
    email = next(email for email in mail.outbox if email.to == ["all@example.org"])
    assert email.prebuilt is not None

    fast = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    email.prebuilt = None
    slow = message_from_bytes(email.message().as_bytes(), policy=policy.default)

    for header in ("To", "From", "Subject", "Message-ID", "List-Unsubscribe-Post", "Content-Type"):
        assert fast[header].split(";")[0] == slow[header].split(";")[0], header
    assert " ".join(fast["List-Unsubscribe"].split()) == " ".join(slow["List-Unsubscribe"].split())
    for kind in ("plain", "html"):
        assert fast.get_body((kind,)).get_content() == slow.get_body((kind,)).get_content()


def test_rows_are_inserted_in_batches(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_FAN_OUT_BATCH = 10
    for n in range(25):
        SubscriberFactory(email=f"reader{n}@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        broadcast = analysis_announce(analysis=AnalysisFactory())

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        broadcast_fan_out(broadcast=broadcast)

    inserts = [q for q in queries if q["sql"].startswith("INSERT") and "notifications_delivery" in q["sql"]]
    assert len(inserts) == 3
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 25
    assert len(mail.outbox) == 25


def test_an_analysis_saved_as_published_in_the_admin_is_announced(
    client_for, editor, screening, audience, django_capture_on_commit_callbacks
):
    author = AnalysisFactory().author
    a_minute_ago = timezone.localtime() - timedelta(minutes=1)
    data = {
        "section": "Policy & Insight",
        "title": "Published from the admin",
        "slug": "published-from-the-admin",
        "author": author.pk,
        "kind": "Analysis",
        "standfirst": "Opening.",
        "body": "Body.",
        "topics": [screening.pk],
        "status": "published",
        "publish_at_0": f"{a_minute_ago:%Y-%m-%d}",
        "publish_at_1": f"{a_minute_ago:%H:%M:%S}",
        "comments_open": "on",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(reverse("admin:policies_policyanalysis_add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert recipients() == ["all@example.org", "both@example.org", "topic@example.org"]


def test_a_draft_is_not_announced(audience, django_capture_on_commit_callbacks):
    analysis = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)
    assert announce(analysis, django_capture_on_commit_callbacks) is None
    assert announcements_find_due() == 0
    assert mail.outbox == []


def test_a_scheduled_analysis_is_announced_by_the_beat_job_when_its_time_comes(
    audience, django_capture_on_commit_callbacks
):
    publish_at = timezone.now() + timedelta(hours=2)
    analysis = AnalysisFactory(status=PolicyAnalysis.Status.SCHEDULED, publish_at=publish_at)
    assert announce(analysis, django_capture_on_commit_callbacks) is None

    with django_capture_on_commit_callbacks(execute=True):
        assert announcements_find_due() == 0
    with time_machine.travel(publish_at + timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        assert announcements_find_due() == 1
    with time_machine.travel(publish_at + timedelta(minutes=2)), django_capture_on_commit_callbacks(execute=True):
        assert announcements_find_due() == 0

    assert recipients() == ["all@example.org", "both@example.org"]


def test_the_beat_job_leaves_the_archive_alone(audience, django_capture_on_commit_callbacks):
    AnalysisFactory(publish_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert announcements_find_due() == 0
    assert mail.outbox == []


def test_a_new_webinar_is_announced_to_webinar_subscribers(audience, django_capture_on_commit_callbacks):
    WebinarFactory(title="Screening in practice")
    with django_capture_on_commit_callbacks(execute=True):
        assert announcements_find_due() == 1

    assert recipients() == ["webinars@example.org"]
    assert mail.outbox[0].subject == "New webinar: Screening in practice"
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_other_apps_announce_to_consultation_subscribers(django_capture_on_commit_callbacks):
    SubscriberFactory(email="consulted@example.org", all_analyses=False, consultations=True)
    SubscriberFactory(email="analyses@example.org")
    consultation = ConsultationFactory(title="Research clusters")
    with django_capture_on_commit_callbacks(execute=True):
        announcement_fan_out(
            about=consultation,
            template="webinar-announced",
            context={},
            kind="consultations",
            key=f"opening:{consultation.pk}",
        )

    assert Broadcast.objects.get().audience == "consultations"
    assert recipients() == ["consulted@example.org"]


def test_the_sweeper_restarts_a_fan_out_that_never_ran(audience, settings, django_capture_on_commit_callbacks):
    from notifications.tasks import sweep_deliveries
    from tests.notifications.brokers import broker_at

    analysis = AnalysisFactory()
    with broker_at("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        broadcast = analysis_announce(analysis=analysis)
    assert Broadcast.objects.get(pk=broadcast.pk).fanned_out_at is None

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["broadcasts"] == 0
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["broadcasts"] == 1

    assert recipients() == ["all@example.org", "both@example.org"]
    assert Broadcast.objects.get(pk=broadcast.pk).fanned_out_at is not None
