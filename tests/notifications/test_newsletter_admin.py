"""The newsletter issues' admin: Editors compose, preview and test; only Newsletter senders send."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import EDITORS, NEWSLETTER_SENDERS
from notifications.models import Delivery, NewsletterBlock, NewsletterIssue
from tests.factories import AnalysisFactory, SubscriberFactory, TopicFactory, UserFactory, WebinarFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:notifications_newsletterissue_add")
Status = NewsletterIssue.Status


def url(name: str, issue: NewsletterIssue) -> str:
    return reverse(f"admin:notifications_newsletterissue_{name}", args=[issue.pk])


@pytest.fixture
def sender(db):
    return UserFactory(username="sender", email="sender@example.org", is_staff=True, groups=[NEWSLETTER_SENDERS])


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", email="editor@example.org", is_staff=True, groups=[EDITORS])


@pytest.fixture
def issue(db):
    topic = TopicFactory(name="Screening")
    SubscriberFactory(email="topic@example.org", all_analyses=False, topics=[topic])
    SubscriberFactory(email="elsewhere@example.org", all_analyses=False, webinars=True)
    issue = NewsletterIssue.objects.create(
        subject="Screening news", body="Hello", audience=NewsletterIssue.Audience.SEGMENT
    )
    issue.topics.set([topic])
    return issue


def form_data(**overrides) -> dict:
    data = {
        "subject": "March newsletter",
        "preheader": "Three things",
        "body": "## Hello\n\nNews.",
        "audience": "all",
        "test_addresses": "",
        "blocks-TOTAL_FORMS": "3",
        "blocks-INITIAL_FORMS": "0",
        "blocks-MIN_NUM_FORMS": "0",
        "blocks-MAX_NUM_FORMS": "1000",
        # What the browser posts for the empty rows: their initial position.
        **{f"blocks-{row}-position": "0" for row in range(3)},
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("stakeholder", 302), ("moderator", 403), ("editor", 200), ("sender", 200)],
)
def test_who_may_see_an_issue(request, client_for, issue, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url("change", issue)).status_code == status
    assert client_for(user).get(url("preview", issue)).status_code == status


def test_an_editor_composes_an_issue_with_blocks_in_order(client_for, editor):
    analysis = AnalysisFactory(title="Screening saves lives")
    webinar = WebinarFactory(title="Ask the authors")
    data = form_data(
        **{
            "blocks-0-position": "2",
            "blocks-0-item": f"policies.policyanalysis:{analysis.pk}",
            "blocks-1-position": "1",
            "blocks-1-item": f"webinars.webinar:{webinar.pk}",
        }
    )

    response = client_for(editor).post(ADD, data)

    assert response.status_code == 302
    issue = NewsletterIssue.objects.get()
    assert issue.created_by == editor and issue.status == Status.DRAFT
    assert [(b.source, b.object_id) for b in issue.blocks.all()] == [
        ("webinars.webinar", webinar.pk),
        ("policies.policyanalysis", analysis.pk),
    ]


def test_bad_input_is_refused_with_specific_messages(client_for, editor):
    data = form_data(audience="segment", test_addresses="colleague@example.org\nnot an address")
    data |= {"blocks-0-position": "1", "blocks-0-item": "policies.policyanalysis:999999"}

    page = client_for(editor).post(ADD, data).content.decode()

    assert "Choose at least one topic or kind of subscription" in page
    assert "These are not email addresses: not an address" in page
    assert "Select a valid choice" in page
    assert not NewsletterIssue.objects.exists()


def test_the_page_shows_the_audience_preview_and_text_in_constant_queries(
    client_for, editor, issue, django_assert_max_num_queries
):
    for number in range(3):
        NewsletterBlock.objects.create(
            issue=issue, position=number, source="policies.policyanalysis", object_id=AnalysisFactory().pk
        )
    client = client_for(editor)
    with django_assert_max_num_queries(40) as first:
        client.get(url("change", issue))
    for _number in range(5):
        NewsletterBlock.objects.create(
            issue=issue, position=9, source="policies.policyanalysis", object_id=AnalysisFactory().pk
        )
        SubscriberFactory()

    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(url("change", issue)).content.decode()

    assert "Will go to" in page and "1 subscriber" in page
    assert url("preview", issue) in page
    assert 'width="375"' in page and 'width="700"' in page
    assert "Plain-text part" in page and "Unsubscribe: http" in page
    assert "Only Newsletter senders can send" in page


def test_the_preview_is_framed_by_this_site_only_and_may_run_nothing(client_for, editor, issue):
    response = client_for(editor).get(url("preview", issue))

    policy = response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in policy and "default-src 'none'" in policy and "script-src" not in policy
    html = response.content.decode()
    assert "Screening news" in html and "Unsubscribe</a>" in html and "/notifications/unsubscribe/" in html
    assert "frame-ancestors 'none'" in client_for(editor).get(url("change", issue))["Content-Security-Policy"]


def test_an_editor_can_test_but_not_send_schedule_or_cancel(
    client_for, editor, issue, django_capture_on_commit_callbacks
):
    client = client_for(editor)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("send_test", issue)).status_code == 302
    assert [email.to for email in mail.outbox] == [["editor@example.org"]]
    assert mail.outbox[0].subject == "[Test] Screening news"

    tomorrow = timezone.localtime() + timedelta(days=1)
    schedule = {"send_on": f"{tomorrow:%Y-%m-%d}", "send_time": "09:30"}
    assert client.post(url("send", issue)).status_code == 403
    assert client.post(url("schedule", issue), schedule).status_code == 403
    assert client.post(url("cancel", issue)).status_code == 403
    issue.refresh_from_db()
    assert issue.status == Status.DRAFT
    assert not Delivery.objects.filter(broadcast__isnull=False).exists()


def test_a_sender_sends_once_and_the_issue_becomes_read_only(
    client_for, sender, editor, issue, django_capture_on_commit_callbacks
):
    client = client_for(sender)
    confirm = client.post(url("send", issue))
    assert confirm.status_code == 200 and "It will go to 1 subscriber, once." in confirm.content.decode()
    assert mail.outbox == [] and NewsletterIssue.objects.get().status == Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("send", issue), {"confirm": "1"}).status_code == 302
        client.post(url("send", issue), {"confirm": "1"})
    assert [email.to for email in mail.outbox] == [["topic@example.org"]]

    page = client.get(url("change", issue)).content.decode()
    assert 'data-testid="newsletter-status">Sending' in page
    assert '<tr data-testid="newsletter-stats">\n      <td>1</td><td>0</td><td>1</td>' in page

    edit = client_for(editor).post(url("change", issue), form_data(subject="Changed"))
    assert edit.status_code == 403
    issue.refresh_from_db()
    assert issue.subject == "Screening news"


def test_a_sender_schedules_and_cancels(client_for, sender, issue):
    client = client_for(sender)
    tomorrow = timezone.localtime() + timedelta(days=1)

    response = client.post(url("schedule", issue), {"send_on": f"{tomorrow:%Y-%m-%d}", "send_time": "09:30"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Status.SCHEDULED
    assert timezone.localtime(issue.send_at).strftime("%Y-%m-%d %H:%M") == f"{tomorrow:%Y-%m-%d} 09:30"

    assert client.post(url("cancel", issue)).status_code == 302
    issue.refresh_from_db()
    assert issue.status == Status.CANCELLED


def test_a_bad_schedule_shows_the_error_summary_and_keeps_what_was_typed(client_for, sender, issue):
    yesterday = timezone.localtime() - timedelta(days=1)
    client = client_for(sender)
    response = client.post(url("schedule", issue), {"send_on": f"{yesterday:%Y-%m-%d}", "send_time": "25:99"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#id_send_time"' in page
    assert "Enter a time such as 09:30." in page
    assert f'value="{yesterday:%Y-%m-%d}"' in page and 'value="25:99"' in page
    issue.refresh_from_db()
    assert issue.status == Status.DRAFT

    response = client.post(url("schedule", issue), {"send_on": f"{yesterday:%Y-%m-%d}", "send_time": "09:00"})
    assert "Choose a time in the future" in response.content.decode()
