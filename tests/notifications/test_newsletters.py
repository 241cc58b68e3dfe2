"""Newsletter issues: who receives one, what they receive, and that it goes once whatever is pressed."""

import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from django.core import mail
from django.db import close_old_connections, connection
from django.utils import timezone

from notifications.models import Broadcast, Delivery, Frequency, NewsletterBlock, NewsletterIssue, Suppression
from notifications.services.newsletters import (
    newsletter_cancel,
    newsletter_preview,
    newsletter_recipient_count,
    newsletter_render,
    newsletter_schedule,
    newsletter_send,
    newsletter_send_test,
    newsletter_stats,
    newsletters_send_due,
)
from notifications.services.provider_events import provider_failure_record
from notifications.services.subscribers import subscriber_unsubscribe
from policies.models import PolicyAnalysis
from tests.factories import AnalysisFactory, ConsultationFactory, SubscriberFactory, TopicFactory, UserFactory
from tests.services import require_postgresql

pytestmark = pytest.mark.django_db

Status = NewsletterIssue.Status


@pytest.fixture
def screening():
    return TopicFactory(name="Screening")


@pytest.fixture
def audience(screening):
    """Subscribers inside and outside a Screening segment, and some nobody may mail."""
    other = TopicFactory(name="Tobacco")
    Suppression.objects.create(email="bounced@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    return {
        "topic": SubscriberFactory(email="topic@example.org", all_analyses=False, topics=[screening]),
        "topic-weekly": SubscriberFactory(
            email="weekly@example.org", all_analyses=False, topics=[screening], frequency=Frequency.WEEKLY
        ),
        "other-topic": SubscriberFactory(email="other@example.org", all_analyses=False, topics=[other]),
        "all-analyses": SubscriberFactory(email="all@example.org"),
        "webinars": SubscriberFactory(email="webinars@example.org", all_analyses=False, webinars=True),
        "unconfirmed": SubscriberFactory(email="unconfirmed@example.org", topics=[screening], confirmed_at=None),
        "left": SubscriberFactory(email="left@example.org", topics=[screening], unsubscribed_at=timezone.now()),
        "bounced": SubscriberFactory(email="bounced@example.org", topics=[screening]),
    }


def make_issue(**fields) -> NewsletterIssue:
    topics = fields.pop("topics", [])
    issue = NewsletterIssue.objects.create(
        **{"subject": "Screening in 2027", "preheader": "What changed", "body": "Hello **all**.", **fields}
    )
    issue.topics.set(topics)
    return issue


def recipients() -> list[str]:
    return sorted(address for email in mail.outbox for address in email.to)


def send(issue: NewsletterIssue, capture) -> bool:
    with capture(execute=True):
        return newsletter_send(issue_id=issue.pk)


def test_a_topic_segment_reaches_its_confirmed_subscribers_of_every_frequency_once(
    audience, screening, django_capture_on_commit_callbacks
):
    issue = make_issue(audience=NewsletterIssue.Audience.SEGMENT, topics=[screening])
    assert newsletter_recipient_count(issue) == 2

    assert send(issue, django_capture_on_commit_callbacks) is True

    assert recipients() == ["topic@example.org", "weekly@example.org"]
    assert {email.subject for email in mail.outbox} == {"Screening in 2027"}
    issue.refresh_from_db()
    assert issue.status == Status.SENDING
    assert issue.broadcast is not None and issue.broadcast.recipients == 2


def test_kinds_join_the_segment_and_every_subscriber_means_every_reachable_one(audience, screening):
    by_kind = make_issue(audience=NewsletterIssue.Audience.SEGMENT, topics=[screening], to_webinars=True)
    everyone = make_issue(audience=NewsletterIssue.Audience.ALL)
    nothing_chosen = make_issue(audience=NewsletterIssue.Audience.SEGMENT)

    assert newsletter_recipient_count(by_kind) == 3
    assert newsletter_recipient_count(everyone) == 5
    assert newsletter_recipient_count(nothing_chosen) == 0


def test_suppressed_unconfirmed_and_unsubscribed_addresses_are_never_sent_to(
    audience, django_capture_on_commit_callbacks
):
    send(make_issue(), django_capture_on_commit_callbacks)

    assert not {"bounced@example.org", "unconfirmed@example.org", "left@example.org"} & set(recipients())
    assert not Delivery.objects.filter(recipient__in=["bounced@example.org", "left@example.org"]).exists()


def test_a_second_send_sends_nothing_more(audience, django_capture_on_commit_callbacks):
    issue = make_issue()
    send(issue, django_capture_on_commit_callbacks)
    count = len(mail.outbox)

    assert send(issue, django_capture_on_commit_callbacks) is False
    newsletters_send_due()

    assert len(mail.outbox) == count == 5
    assert Broadcast.objects.filter(key=f"newsletter:{issue.pk}").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_start_one_send():
    require_postgresql()
    for number in range(20):
        SubscriberFactory(email=f"reader{number}@example.org")
    issue = make_issue()
    barrier = threading.Barrier(4)
    started: list[bool] = []

    def press_send() -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            started.append(newsletter_send(issue_id=issue.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=press_send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(started) == [False, False, False, True]
    assert Broadcast.objects.count() == 1
    # The fan-out ran eagerly after the one commit; running it again adds nothing.
    assert Delivery.objects.filter(broadcast__key=f"newsletter:{issue.pk}").count() == 20
    assert len(mail.outbox) == 20


def test_the_email_is_inline_styled_sanitised_and_carries_its_blocks_and_unsubscribe_links(
    audience, django_capture_on_commit_callbacks
):
    analysis = AnalysisFactory(title="Q&A: <screening>", standfirst="Fewer cancers & earlier diagnosis.")
    draft = AnalysisFactory(title="Not yet public", status=PolicyAnalysis.Status.DRAFT)
    consultation = ConsultationFactory(title="Screening age")
    issue = make_issue(body="## Hello\n\nA [link](https://example.org/a) <script>alert(1)</script>")
    for position, obj, source in (
        (1, analysis, "policies.policyanalysis"),
        (2, draft, "policies.policyanalysis"),
        (3, consultation, "consultations.consultation"),
    ):
        NewsletterBlock.objects.create(issue=issue, position=position, source=source, object_id=obj.pk)

    send(issue, django_capture_on_commit_callbacks)
    email = next(email for email in mail.outbox if email.to == ["topic@example.org"])
    parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)
    html = parsed.get_body(("html",)).get_content()
    text = parsed.get_body(("plain",)).get_content()

    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = " ".join(parsed["List-Unsubscribe"].split()).split(">")[0].removeprefix("<")
    assert unsubscribe in html and unsubscribe in text
    assert "<script" not in html and "alert(1)" not in html
    assert '<h2 style="' in html and '<a style="color:#2e008b;' in html
    assert "<link" not in html and "<img" not in html and "<style" not in html
    assert "Q&amp;A: &lt;screening&gt;" in html
    assert analysis.get_absolute_url() in html and consultation.get_absolute_url() in html
    assert "Not yet public" not in html
    assert html.index("Q&amp;A") < html.index("Screening age")
    assert "Q&A: <screening>" in text and "Fewer cancers & earlier diagnosis." in text
    assert consultation.get_absolute_url() in text
    assert "What changed" in html  # the preheader
    assert max(len(line) for line in email.message().as_bytes().splitlines()) <= 998


def test_the_preview_is_what_the_reader_receives(audience, django_capture_on_commit_callbacks):
    issue = make_issue(body="Some *news* " * 80)
    # Signed links carry the second they were made: preview and send share one.
    with time_machine.travel(timezone.now(), tick=False):
        preview = newsletter_preview(issue, email="topic@example.org")
        send(issue, django_capture_on_commit_callbacks)
    email = next(email for email in mail.outbox if email.to == ["topic@example.org"])
    parsed = message_from_bytes(email.message().as_bytes(), policy=policy.default)

    assert parsed.get_body(("html",)).get_content().strip() == preview.html.strip()
    assert parsed.get_body(("plain",)).get_content().strip() == preview.text.strip()
    assert parsed["Subject"] == preview.subject


def test_a_test_copy_goes_to_the_editor_and_the_test_list_marked_and_never_counted(
    audience, django_capture_on_commit_callbacks
):
    editor = UserFactory(email="editor@example.org")
    issue = make_issue(test_addresses="colleague@example.org\nbounced@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        queued = newsletter_send_test(issue=issue, user=editor)

    assert queued == 2
    assert recipients() == ["colleague@example.org", "editor@example.org"]
    assert {email.subject for email in mail.outbox} == {"[Test] Screening in 2027"}
    assert "This is a test copy" in mail.outbox[0].body
    issue.refresh_from_db()
    assert issue.status == Status.DRAFT and issue.broadcast is None

    send(issue, django_capture_on_commit_callbacks)
    issue.refresh_from_db()
    stats = newsletter_stats(issue)
    assert stats["recipients"] == stats["sent"] == 5
    assert not Delivery.objects.filter(broadcast=issue.broadcast, recipient="editor@example.org").exists()


def test_a_scheduled_issue_goes_when_its_time_comes_through_the_beat(audience, django_capture_on_commit_callbacks):
    issue = make_issue()
    at = timezone.now() + timedelta(hours=2)
    assert newsletter_schedule(issue_id=issue.pk, send_at=at)

    with django_capture_on_commit_callbacks(execute=True):
        assert newsletters_send_due() == 0
    assert mail.outbox == []

    with time_machine.travel(at + timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        assert newsletters_send_due() == 1
    assert len(mail.outbox) == 5

    newsletters_send_due()  # the next minute: every email went, so the issue is finished
    issue.refresh_from_db()
    assert issue.status == Status.SENT and issue.finished_at is not None


def test_a_cancelled_issue_is_not_sent_and_a_started_one_cannot_be_cancelled(
    audience, django_capture_on_commit_callbacks
):
    cancelled = make_issue()
    newsletter_schedule(issue_id=cancelled.pk, send_at=timezone.now() + timedelta(minutes=5))
    assert newsletter_cancel(issue_id=cancelled.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        newsletters_send_due()
    assert send(cancelled, django_capture_on_commit_callbacks) is False
    assert mail.outbox == []

    started = make_issue()
    send(started, django_capture_on_commit_callbacks)
    assert newsletter_cancel(issue_id=started.pk) is False
    assert newsletter_schedule(issue_id=started.pk, send_at=timezone.now()) is False
    started.refresh_from_db()
    assert started.status == Status.SENDING


def test_counts_come_from_the_outbox_and_the_providers_reports(audience, django_capture_on_commit_callbacks):
    issue = make_issue()
    send(issue, django_capture_on_commit_callbacks)
    issue.refresh_from_db()
    rows = Delivery.objects.filter(broadcast=issue.broadcast)
    for row in rows:
        rows.filter(pk=row.pk).update(provider_message_id=f"msg-{row.pk}")
    by_address = {row.recipient: row for row in rows}

    for address, reason in (
        ("topic@example.org", Suppression.Reason.HARD_BOUNCE),
        ("all@example.org", Suppression.Reason.COMPLAINT),
    ):
        provider_failure_record(email=address, reason=reason, message_id=f"msg-{by_address[address].pk}")
    subscriber_unsubscribe(email="webinars@example.org")
    rows.filter(recipient="other@example.org").update(status=Delivery.Status.FAILED, last_error="550 no such user")

    assert newsletter_stats(issue) == {
        "recipients": 5,
        "queued": 0,
        "sent": 2,
        "failed": 1,
        "bounced": 1,
        "complained": 1,
        "suppressed": 0,
        "unsubscribed": 1,
    }


def test_the_rendering_has_placeholders_for_each_readers_links():
    rendered = newsletter_render(make_issue())
    assert "__UNSUBSCRIBE_URL__" in rendered.html and "__UNSUBSCRIBE_URL__" in rendered.text


def test_the_privacy_notice_says_newsletters_are_not_tracked(client):
    page = client.get("/privacy/").content.decode()
    assert "we do not know whether you open an email or which links you follow" in page


def test_no_email_carries_a_tracking_pixel_or_redirected_link(audience, django_capture_on_commit_callbacks):
    analysis = AnalysisFactory()
    issue = make_issue(body="[Read](https://example.org/read)")
    NewsletterBlock.objects.create(issue=issue, source="policies.policyanalysis", object_id=analysis.pk)
    send(issue, django_capture_on_commit_callbacks)
    html = mail.outbox[0].alternatives[0][0]
    assert "<img" not in html
    assert 'href="https://example.org/read"' in html


def test_the_demo_newsletter_loads_once_with_its_blocks():
    from django.core.management import call_command

    call_command("load_demo_content", verbosity=0)
    issue = NewsletterIssue.objects.get()
    blocks = list(issue.blocks.values_list("source", "object_id"))
    call_command("load_demo_content", verbosity=0)

    assert NewsletterIssue.objects.count() == 1
    assert list(issue.blocks.values_list("source", "object_id")) == blocks
    assert {source for source, _pk in blocks} >= {"policies.policyanalysis", "webinars.webinar"}
    assert "Research clusters" in newsletter_render(issue).html


def test_a_long_issue_keeps_the_senders_fast_path_of_prebuilt_bytes(audience, django_capture_on_commit_callbacks):
    from notifications.sending import BroadcastTemplate

    analysis = AnalysisFactory(standfirst="A long standfirst. " * 60)
    issue = make_issue(body="A very long paragraph, with a [link](https://example.org/) in it. " * 120)
    NewsletterBlock.objects.create(issue=issue, source="policies.policyanalysis", object_id=analysis.pk)
    send(issue, django_capture_on_commit_callbacks)
    issue.refresh_from_db()

    assert issue.broadcast is not None
    assert BroadcastTemplate(issue.broadcast).usable
