"""An issue's counts outlive its emails: the retention job deletes them after DELIVERY_RETENTION_DAYS."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery, NewsletterIssue, Suppression
from notifications.services.newsletters import newsletter_stats, newsletters_send_due
from notifications.services.provider_events import provider_failure_record
from notifications.tasks import delete_old_deliveries
from tests.factories import UserFactory
from tests.notifications.test_newsletters import audience, make_issue, screening, send  # noqa: F401

pytestmark = pytest.mark.django_db

EXPECTED = {
    "recipients": 5,
    "queued": 0,
    "sent": 3,
    "failed": 1,
    "bounced": 1,
    "complained": 0,
    "suppressed": 0,
    "unsubscribed": 0,
}


def sent_issue_with_a_bounce_and_a_failure(capture) -> NewsletterIssue:
    issue = make_issue()
    send(issue, capture)
    issue.refresh_from_db()
    rows = Delivery.objects.filter(broadcast=issue.broadcast)
    bounced = rows.get(recipient="topic@example.org")
    rows.filter(pk=bounced.pk).update(provider_message_id="msg-1")
    provider_failure_record(email=bounced.recipient, reason=Suppression.Reason.HARD_BOUNCE, message_id="msg-1")
    rows.filter(recipient="other@example.org").update(status=Delivery.Status.FAILED, last_error="550 no such user")
    return issue


def test_it_keeps_the_counts_when_sending_finishes(audience, django_capture_on_commit_callbacks):  # noqa: F811
    issue = sent_issue_with_a_bounce_and_a_failure(django_capture_on_commit_callbacks)

    newsletters_send_due()

    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert (issue.recipients_count, issue.sent_count, issue.failed_count, issue.bounced_count) == (5, 3, 1, 1)
    assert issue.counted_at is not None and not issue.counts_final


def test_the_counts_survive_the_deletion_of_the_emails(audience, django_capture_on_commit_callbacks):  # noqa: F811
    issue = sent_issue_with_a_bounce_and_a_failure(django_capture_on_commit_callbacks)
    newsletters_send_due()
    issue.refresh_from_db()
    assert newsletter_stats(issue) == EXPECTED

    with time_machine.travel(timezone.now() + timedelta(days=settings.DELIVERY_RETENTION_DAYS + 1)):
        delete_old_deliveries.apply()

    assert not Delivery.objects.filter(broadcast=issue.broadcast).exists()
    issue.refresh_from_db()
    assert issue.counts_final
    assert newsletter_stats(issue) == EXPECTED


def test_the_nightly_job_refreshes_counts_for_reports_that_arrive_after_sending(
    audience,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    issue = make_issue()
    send(issue, django_capture_on_commit_callbacks)
    newsletters_send_due()
    issue.refresh_from_db()
    assert issue.bounced_count == 0
    row = Delivery.objects.get(broadcast=issue.broadcast, recipient="all@example.org")
    Delivery.objects.filter(pk=row.pk).update(provider_message_id="msg-late")
    provider_failure_record(email=row.recipient, reason=Suppression.Reason.COMPLAINT, message_id="msg-late")

    delete_old_deliveries.apply()  # nothing is old enough to go yet

    issue.refresh_from_db()
    assert issue.complained_count == 1 and not issue.counts_final
    assert Delivery.objects.filter(broadcast=issue.broadcast).count() == 5


def test_the_admin_shows_the_kept_counts_after_the_emails_are_gone(
    audience,  # noqa: F811
    django_capture_on_commit_callbacks,
    client,
    django_assert_max_num_queries,
):
    issue = sent_issue_with_a_bounce_and_a_failure(django_capture_on_commit_callbacks)
    newsletters_send_due()
    with time_machine.travel(timezone.now() + timedelta(days=settings.DELIVERY_RETENTION_DAYS + 1)):
        delete_old_deliveries.apply()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_assert_max_num_queries(15):
        listing = client.get(reverse("admin:notifications_newsletterissue_changelist"))
    page = client.get(reverse("admin:notifications_newsletterissue_change", args=[issue.pk]))

    assert listing.status_code == page.status_code == 200
    row = listing.content.decode().split(issue.subject, 1)[1].split("</tr>", 1)[0]
    assert '<td class="field-recipients_count">5</td>' in row
    assert '<td class="field-bounced_count">1</td>' in row
    html = page.content.decode()
    assert "these are the final counts" in html
    stats = html.split('data-testid="newsletter-stats">', 1)[1].split("</tr>", 1)[0]
    assert "".join(stats.split()) == "<td>5</td><td>0</td><td>3</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td>"
