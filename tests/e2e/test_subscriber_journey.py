"""A visitor subscribes in a real browser, confirms by email, manages choices, is told of an analysis and leaves."""

import email
import re
from email.message import Message

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from accounts.roles import EDITORS, sync_groups
from notifications.models import Frequency, Subscriber, Suppression
from policies.models import PolicyAnalysis
from tests.factories import AnalysisFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = "reader@example.org"
PASSWORD = "correct horse battery staple"

# Inputs a person fills in or ticks, each with the text of a label that is on screen.
UNLABELLED_INPUTS = """() => [...document.querySelectorAll("main input, main select, main textarea")]
    .filter(input => input.type !== "hidden")
    .filter(input => ![...input.labels].some(label => label.innerText.trim() && label.getClientRects().length))
    .map(input => input.name + "=" + input.value)"""


@pytest.fixture(autouse=True)
def _site_is_the_live_server(settings, live_server):
    # Emailed links and the confirmed page's link lead to the site that sent them.
    settings.SITE_URL = live_server.url
    # The hourly throttle counts in the cache, which on Redis outlives a test run.
    cache.clear()


@pytest.fixture
def topics():
    return {name: TopicFactory(name=name) for name in ("Research clusters", "Research funding", "Skills")}


def sent_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if address in message.to]


def link_in(text: str, path: str) -> str:
    found = re.search(rf"https?://[^\s\"<>/]+{re.escape(path)}[^\s\"<>]+", text)
    assert found, f"No {path} link in the email."
    return found.group(0)


def as_sent(message: mail.EmailMessage) -> Message:
    """The message as the mail server receives it: headers and MIME parts from its bytes."""
    return email.message_from_bytes(message.message().as_bytes())


def part(parsed: Message, content_type: str) -> str:
    [found] = [p for p in parsed.walk() if p.get_content_type() == content_type]
    return found.get_payload(decode=True).decode(found.get_content_charset() or "utf-8")


def subscribe(page: Page, address: str, topic_names: list[str]) -> None:
    page.goto("/")
    page.get_by_role("link", name="Get updates by email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get updates by email")
    page.get_by_label("Your email address").fill(address)
    for name in topic_names:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("New webinars").check()
    page.get_by_label("As soon as something is published").check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert page.url.endswith("/notifications/subscribe/check-your-inbox/")


def checked_topics(page: Page) -> set[str]:
    boxes = page.locator("input[name=topics]:checked")
    return {page.locator(f"label[for='{box.get_attribute('id')}']").inner_text() for box in boxes.all()}


def publish_as_editor(page: Page, analysis: PolicyAnalysis) -> None:
    sync_groups()  # A flush after an earlier live-server test empties the groups the migrations made.
    UserFactory(username="edna", email="edna@example.org", is_staff=True, groups=[EDITORS])
    page.goto("/admin/")
    page.get_by_label("Username").fill("edna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Policy analyses").click()
    page.locator("#result_list").get_by_role("link", name=analysis.title).click()
    page.get_by_label("Status").select_option(PolicyAnalysis.Status.PUBLISHED)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.context.clear_cookies()


def test_a_visitor_subscribes_confirms_chooses_is_told_of_an_analysis_and_leaves(page, topics):
    # 1. Subscribe, then again on second thoughts: the same page, and still one confirmation.
    subscribe(page, ADDRESS, ["Research funding"])
    subscribe(page, ADDRESS.upper(), ["Research clusters", "Skills"])
    [confirmation] = sent_to(ADDRESS)
    assert confirmation.subject.startswith("Confirm your subscription")
    assert len(mail.outbox) == 1
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.confirmed_at is None
    # Until confirmed, the latest choices stand (subscriber_subscribe).
    assert {t.name for t in subscriber.topics.all()} == {"Research clusters", "Skills"}

    # 2. Confirm by the emailed link and its button; nothing else was sent before.
    # Opening the link only asks (mail scanners open links too); the button confirms.
    confirm_link = link_in(confirmation.body, "/notifications/confirm/")
    page.goto(confirm_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    expect(page.locator("main")).to_contain_text("r***@example.org")
    expect(page.locator("main")).to_contain_text("New analyses about Research clusters, Skills; new webinars")
    assert ADDRESS not in page.content()
    assert Subscriber.objects.get(email=ADDRESS).confirmed_at is None
    page.get_by_role("button", name="Confirm subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're subscribed")
    assert page.url == confirm_link
    assert Subscriber.objects.get(email=ADDRESS).is_confirmed
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're subscribed")
    expect(page.get_by_role("button", name="Confirm subscription")).to_have_count(0)
    assert len(mail.outbox) == 1

    # 3. Preferences, with no log-in: weekly and back, then other topics.
    page.get_by_role("link", name="Change what you receive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email preferences")
    assert ADDRESS in page.locator("main").inner_text()
    assert checked_topics(page) == {"Research clusters", "Skills"}
    page.get_by_label("A weekly digest").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".message")).to_have_text("Your choices are saved.")
    expect(page.get_by_label("A weekly digest")).to_be_checked()
    assert Subscriber.objects.get(email=ADDRESS).frequency == Frequency.WEEKLY

    page.get_by_label("As soon as something is published").check()
    page.get_by_label("Research clusters", exact=True).uncheck()
    page.get_by_label("Research funding", exact=True).check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".message")).to_have_text("Your choices are saved.")
    expect(page.get_by_label("As soon as something is published")).to_be_checked()
    assert checked_topics(page) == {"Research funding", "Skills"}
    page.reload()
    assert checked_topics(page) == {"Research funding", "Skills"}
    expect(page.get_by_label("New webinars")).to_be_checked()
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.frequency == Frequency.IMMEDIATE
    assert {t.name for t in subscriber.topics.all()} == {"Research funding", "Skills"}

    # 4. An editor publishes an analysis on a chosen topic: one announcement, with ways out.
    analysis = AnalysisFactory(title="Skills after the Spending Review", status=PolicyAnalysis.Status.DRAFT)
    analysis.topics.set([topics["Skills"]])
    publish_as_editor(page, analysis)
    announcements = [m for m in sent_to(ADDRESS) if m is not confirmation]
    assert [m.subject for m in announcements] == ["New analysis: Skills after the Spending Review"]
    sent = as_sent(announcements[0])
    assert sent["To"] == ADDRESS
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_header = link_in(sent["List-Unsubscribe"], "/notifications/unsubscribe/")
    text, html = part(sent, "text/plain"), part(sent, "text/html")
    unsubscribe = link_in(text, "/notifications/unsubscribe/")
    assert unsubscribe == unsubscribe_header
    assert f"Unsubscribe: {unsubscribe}" in text
    assert link_in(html, "/notifications/unsubscribe/") == unsubscribe
    assert "<mailto:" in sent["List-Unsubscribe"]

    # 5. Leave from the HTML email: the link only asks; the button unsubscribes.
    # Shown as a mail client would, in a blank document: written into the admin page, the email's
    # inline styles would break that page's Content-Security-Policy, which emails need not follow.
    page.goto("about:blank")
    page.set_content(html)
    link = page.get_by_role("link", name="Unsubscribe", exact=True)
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(unsubscribe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    assert Subscriber.objects.get(email=ADDRESS).is_confirmed
    assert not Suppression.objects.filter(email=ADDRESS).exists()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")
    assert not Subscriber.objects.get(email=ADDRESS).is_confirmed
    assert Suppression.objects.filter(email=ADDRESS).exists()

    # Opening the old confirmation email again does not bring them back, nor offer a button to.
    assert page.goto(confirm_link).status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    expect(page.get_by_role("button", name="Confirm subscription")).to_have_count(0)
    assert not Subscriber.objects.get(email=ADDRESS).is_confirmed


def test_a_tampered_link_shows_a_page_that_explains(page, topics):
    subscribe(page, ADDRESS, ["Skills"])
    [confirmation] = sent_to(ADDRESS)
    token = link_in(confirmation.body, "/notifications/confirm/").rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for path in (f"/notifications/unsubscribe/{tampered}/", f"/notifications/confirm/{tampered}/"):
        response = page.goto(path)
        assert response.status == 400
        expect(page.get_by_role("heading", level=1)).to_have_text("This link doesn't work")
        expect(page.get_by_role("link", name="Get a new link to change what you receive")).to_be_visible()
    # A confirmation token is not an unsubscribe token, even untouched.
    assert page.goto(f"/notifications/unsubscribe/{token}/").status == 400
    assert Subscriber.objects.get(email=ADDRESS).confirmed_at is None


def test_the_subscribe_and_preferences_pages_fit_320_pixels_with_every_input_labelled(page, topics):
    page.set_viewport_size({"width": 320, "height": 640})
    subscribe(page, ADDRESS, ["Skills"])
    page.goto("/notifications/subscribe/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate(UNLABELLED_INPUTS) == []

    [confirmation] = sent_to(ADDRESS)
    page.goto(link_in(confirmation.body, "/notifications/confirm/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="Confirm subscription").click()
    page.get_by_role("link", name="Change what you receive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email preferences")
    assert page.locator("main input[type=checkbox]").count() >= 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate(UNLABELLED_INPUTS) == []
