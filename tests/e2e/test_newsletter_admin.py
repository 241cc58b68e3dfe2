"""An editor composes, previews and tests a newsletter issue; a sender schedules it and sends it, in a real browser.

Every page on the way passes axe-core's WCAG 2.2 AA rules at a desktop and a phone width.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import EDITORS, NEWSLETTER_SENDERS, sync_groups
from notifications.models import NewsletterIssue
from tests.e2e.accessibility import assert_no_axe_violations, require_axe
from tests.factories import AnalysisFactory, SubscriberFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def log_in(page: Page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/notifications/newsletterissue/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def check_accessibility(page: Page, where: str, csp_violations: list[str]) -> None:
    """axe-core at both widths. On the admin's pages axe's own probes apply inline styles, which the
    site's policy refuses: the page must have caused no violation before axe ran, and what axe
    causes is set aside so that every violation after it still fails the test."""
    assert csp_violations == [], csp_violations
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_axe_violations(page, f"{where} at {width}px")
    page.set_viewport_size({"width": 1280, "height": 900})
    csp_violations.clear()


def test_an_issue_goes_from_draft_to_a_topic_segment_once(page: Page, csp_violations: list[str]):
    require_axe()
    sync_groups()
    UserFactory(username="eda", email="eda@example.org", is_staff=True, groups=[EDITORS])
    UserFactory(username="sam", email="sam@example.org", is_staff=True, groups=[NEWSLETTER_SENDERS])
    screening = TopicFactory(name="Screening")
    TopicFactory(name="Tobacco")
    analysis = AnalysisFactory(title="Screening saves lives", standfirst="Earlier diagnosis, fewer deaths.")
    SubscriberFactory(email="in@example.org", all_analyses=False, topics=[screening])
    SubscriberFactory(email="out@example.org", all_analyses=True)

    log_in(page, "eda")
    page.get_by_role("link", name="Add newsletter issue").click()
    check_accessibility(page, "the empty issue", csp_violations)
    page.get_by_label("Subject").fill("Screening this spring")
    page.get_by_label("Preheader").fill("Three things to read")
    page.get_by_label("Body").fill("## Hello\n\nThe **spring** round-up.")
    page.get_by_label("Subscribers who chose the topics or kinds below").check()
    page.get_by_label("Screening").check()
    page.locator("#id_blocks-0-item").select_option(f"policies.policyanalysis:{analysis.pk}")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.get_by_test_id("newsletter-recipients")).to_contain_text("1 subscriber")
    expect(page.get_by_test_id("preview-text")).to_contain_text("Screening saves lives")
    expect(page.get_by_test_id("preview-text")).to_contain_text("Unsubscribe: http")
    frame = page.frame_locator("iframe[title='Email preview at phone width']")
    expect(frame.get_by_role("link", name="Screening saves lives")).to_be_visible()
    expect(frame.get_by_role("link", name="Unsubscribe")).to_be_visible()
    check_accessibility(page, "the draft issue", csp_violations)

    # By keyboard: focus the test button and press Enter.
    page.get_by_role("button", name="Send me a test").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("A test copy is on its way to 1 address")
    test_copies = [(email.to, email.subject) for email in mail.outbox]
    assert test_copies == [(["eda@example.org"], "[Test] Screening this spring")]
    expect(page.get_by_role("button", name="Send now")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    log_in(page, "sam")
    page.get_by_role("link", name="Screening this spring").click()
    page.get_by_label("Date").fill("2001-01-01")
    page.get_by_label("Time (UK)").fill("09:30")
    page.get_by_role("button", name="Schedule").click()
    summary = page.locator(".newsletter-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose a time in the future")
    check_accessibility(page, "the schedule error", csp_violations)

    tomorrow = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Date").fill(f"{tomorrow:%Y-%m-%d}")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_test_id("newsletter-status")).to_have_text("Scheduled")

    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_test_id("send-confirm-count")).to_contain_text("It will go to 1 subscriber, once.")
    check_accessibility(page, "the confirmation", csp_violations)
    page.get_by_role("button", name="Yes, send it now").click()
    expect(page.locator(".messagelist")).to_contain_text("Sending has started")
    expect(page.get_by_test_id("newsletter-status")).to_have_text("Sending")
    expect(page.get_by_test_id("newsletter-stats")).to_contain_text("1")
    check_accessibility(page, "the sent issue", csp_violations)

    sent = [email for email in mail.outbox if not email.subject.startswith("[Test]")]
    assert [email.to for email in sent] == [["in@example.org"]]
    assert NewsletterIssue.objects.get().status == NewsletterIssue.Status.SENDING
