"""A scheduled newsletter issue through real services: beat starts it, a worker sends it to an SMTP sink."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import NEWSLETTER_SENDERS, sync_groups
from notifications.models import Delivery, NewsletterBlock, NewsletterIssue, Subscriber, Suppression
from notifications.services.newsletters import newsletter_schedule, newsletter_send_test
from tests.factories import AnalysisFactory, TopicFactory, UserFactory
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def subscribers(count: int, prefix: str, topic=None) -> list[str]:
    now = timezone.now()
    created = Subscriber.objects.bulk_create(
        # Not subscribers to all analyses: the beat would announce the issue's analysis to them too.
        Subscriber(email=f"{prefix}{n}@example.org", webinars=True, confirmed_at=now)
        for n in range(count)
    )
    if topic is not None:
        Subscriber.topics.through.objects.bulk_create(
            Subscriber.topics.through(subscriber_id=subscriber.pk, topic_id=topic.pk) for subscriber in created
        )
    return [subscriber.email for subscriber in created]


def test_a_scheduled_issue_reaches_its_topic_segment_once_and_its_counts_match_the_sink(start_worker, smtp_sink):
    sync_groups()
    screening = TopicFactory(name="Screening")
    readers = subscribers(200, "reader", topic=screening)
    subscribers(30, "outsider")
    Suppression.objects.create(email="reader0@example.org", reason=Suppression.Reason.HARD_BOUNCE)
    analysis = AnalysisFactory(title="Screening saves lives")
    issue = NewsletterIssue.objects.create(
        subject="Screening this spring", body="The **spring** round-up.", audience=NewsletterIssue.Audience.SEGMENT
    )
    issue.topics.set([screening])
    NewsletterBlock.objects.create(issue=issue, source="policies.policyanalysis", object_id=analysis.pk)
    sender = UserFactory(username="sam", email="sam@example.org", is_staff=True, groups=[NEWSLETTER_SENDERS])

    start_worker(concurrency=2, beat=True)
    newsletter_send_test(issue=issue, user=sender)
    assert newsletter_schedule(issue_id=issue.pk, send_at=timezone.now() + timedelta(seconds=5))

    # The minute beat job that announces new content starts due issues too.
    wait_for(lambda: smtp_sink.count() >= 200, 150, "the test copy and 199 issues at the sink", interval=1)
    wait_for(
        lambda: not Delivery.objects.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]).exists(),
        30,
        "every delivery finished",
    )

    received = smtp_sink.by_recipient()
    issue_copies = {
        address: [message for message in messages if message["Subject"] == "Screening this spring"]
        for address, messages in received.items()
    }
    issue_copies = {address: messages for address, messages in issue_copies.items() if messages}
    assert sorted(issue_copies) == sorted(readers[1:])
    assert {len(messages) for messages in issue_copies.values()} == {1}
    assert [message["Subject"] for message in received["sam@example.org"]] == ["[Test] Screening this spring"]
    assert not any(address.startswith("outsider") for address in received)
    message = issue_copies["reader1@example.org"][0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert analysis.get_absolute_url() in message.get_body(("html",)).get_content()

    client = Client()
    client.force_login(sender)
    page = client.get(reverse("admin:notifications_newsletterissue_change", args=[issue.pk])).content.decode()
    stats = re.search(r'<tr data-testid="newsletter-stats">(.*?)</tr>', page, re.S)
    assert stats is not None
    cells = [int(cell) for cell in re.findall(r"<td>(\d+)</td>", stats[1])]
    # recipients, queued, sent, failed, bounced, complained, held back, unsubscribed
    assert cells == [len(issue_copies), 0, len(issue_copies), 0, 0, 0, 0, 0]
