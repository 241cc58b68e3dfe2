"""The public forms in a real browser, by keyboard alone, with JavaScript and without it.

Each flow is run twice: in an ordinary context and in one with JavaScript off. Every field is reached
with Tab and filled with the keyboard; each step, error states included, passes axe-core at WCAG 2.2 AA
at 1280 and at 320 px (where nothing may scroll sideways). Tabbing never lands in the comment form's
robot trap.
"""

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from comments.models import Comment, ConfirmedAddress, Flag
from consultations.models import Consultation
from moderation.models import BlockedTerm
from notifications import tokens
from notifications.models import Subscriber
from policies.demo import SEED_SLUG
from tests.e2e.accessibility import assert_no_axe_violations, require_axe
from tests.e2e.conftest import REPORT_VIOLATIONS, is_csp_violation
from tests.e2e.demo_content import demo_content_load
from tests.factories import SubscriberFactory, UserFactory
from webinars.models import Webinar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URL = f"/analyses/{SEED_SLUG}/"
PASSWORD = "correct horse battery staple"
TRAP = "input[name=website]"
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


@pytest.fixture(autouse=True)
def _site(settings, live_server, request):
    require_axe()
    settings.SITE_URL = live_server.url
    settings.COMMENTS_MIN_SECONDS_TO_WRITE = 0
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }
    cache.clear()
    demo_content_load()


@pytest.fixture(params=[True, False], ids=["with JavaScript", "without JavaScript"])
def tab(request, browser: Browser, live_server, csp_violations) -> Iterator["Keyboard"]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=request.param
    )
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))
    # axe-core needs scripts (its checks wait on timers), so a page shown without them is checked as rendered
    # there, in a second context that has them.
    checker_context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Keyboard(page, javascript=request.param, checker=checker_context.new_page())
    checker_context.close()
    context.close()
    if csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(csp_violations), pytrace=False)


class Keyboard:
    """A person using only the keyboard: Tab to a control, then type, Space or Enter."""

    def __init__(self, page: Page, javascript: bool, checker: Page | None = None) -> None:
        self.page = page
        self.javascript = javascript
        self.checker = checker
        self.visited: list[str] = []

    def check(self, where: str) -> None:
        """axe-core at both widths on the page as it stands; without scripts, on its HTML as served."""
        if self.javascript or self.checker is None:
            axe_at_both_widths(self.page, where)
            return
        html = SCRIPT.sub("", self.page.content())
        url = self.page.url.split("#")[0]
        self.checker.route(url, lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=html))
        self.checker.goto(url)
        self.checker.unroute(url)
        axe_at_both_widths(self.checker, f"{where}, without JavaScript")

    def to(self, selector: str, limit: int = 120) -> None:
        """Press Tab until the control matching ``selector`` has focus, with a focus indicator drawn."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            state = self.page.evaluate(
                """(selector) => {
                  const element = document.activeElement;
                  const style = getComputedStyle(element);
                  return {
                    matches: element.matches(selector),
                    name: element.name || "",
                    drawn: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                      || (style.boxShadow && style.boxShadow !== "none"),
                  };
                }""",
                selector,
            )
            self.visited.append(state["name"])
            assert state["name"] != "website", "Tab reached the robot trap"
            if state["matches"]:
                assert state["drawn"], f"{selector} has focus but no visible focus indicator"
                return
        raise AssertionError(f"Tab never reached {selector}")

    def type(self, selector: str, text: str) -> None:
        self.to(selector)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(text)

    def press(self, selector: str, key: str, navigates: bool = True) -> None:
        """Space on a box; Enter on a link or button, waiting for the page it opens."""
        self.to(selector)
        if key != "Enter" or not navigates:
            self.page.keyboard.press(key)
            return
        # Waiting for the new page before reading it: with scripts off, reading the old one mid-navigation hangs.
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def start(self, path: str) -> None:
        self.page.goto(path)
        self.page.locator("h1").first.click()  # Tab from the top of the content, as after reading the heading.

    def summary_leads_to(self, message: str, field: str) -> None:
        """The error summary is read first (focused with JavaScript; the page opens at it without), and its
        link for ``message`` takes the keyboard to ``field``."""
        summary = self.page.locator("[data-error-summary]")
        expect(summary).to_contain_text(message)
        if self.javascript:
            expect(summary).to_be_focused()
        else:
            anchor = self.page.evaluate("location.hash")
            assert not anchor or self.page.locator(anchor).count(), anchor
            summary.focus()  # where a browser without scripts starts tabbing after the page opens at it
        self.to(f"[data-error-summary] a[href='#{field}']")
        self.page.keyboard.press("Enter")
        expect(self.page.locator(f"#{field}")).to_be_focused()


def axe_at_both_widths(page: Page, where: str) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_axe_violations(page, f"{where} at {width} px")
        if width == 320:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 320, f"{where} scrolls sideways at 320 px: {scroll_width} px wide"
    page.set_viewport_size({"width": 1280, "height": 900})


def person(username: str = "reader") -> None:
    user = UserFactory(username=username, email=f"{username}@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def sign_in(keys: Keyboard, email: str = "reader@example.org") -> None:
    keys.type("input[name=login]", email)
    keys.type("input[name=password]", PASSWORD)
    keys.press("main form button[type=submit]", "Enter")


def first_published() -> Comment:
    return Comment.objects.filter(status="approved", object_id__isnull=False).earliest("pk")


# --- The robot trap -------------------------------------------------------------------------------


def concluded_consultation() -> Consultation:
    consultation = Consultation.objects.published().first()
    consultation.opens_at = timezone.now() - timedelta(days=30)
    consultation.closes_at = timezone.now() - timedelta(days=3)
    consultation.concluded_at = timezone.now()
    consultation.save()
    return consultation


@pytest.mark.parametrize("where", ["analysis", "webinar", "consultation"])
def test_the_robot_trap_is_out_of_reach_on_every_commentable_page(page, where):
    urls = {
        "analysis": lambda: URL,
        "webinar": lambda: Webinar.objects.first().get_absolute_url(),
        "consultation": lambda: concluded_consultation().get_absolute_url(),
    }
    page.goto(urls[where]())
    keys = Keyboard(page, javascript=True)
    keys.to("form.comment-form button[type=submit]")  # Tab passes every control of the form ...
    assert "website" not in keys.visited  # ... and never the trap.
    assert {"name", "email", "text", "accept_policy"} <= set(keys.visited)
    # Out of the accessibility tree, and inert: no click, label or autofill reaches it either.
    expect(page.get_by_role("textbox", name="Leave this empty")).to_have_count(0)
    assert page.evaluate(f"document.querySelector('{TRAP}').closest('[inert][aria-hidden=true]') !== null")
    page.locator(".comment-form__trap label").dispatch_event("click")
    assert page.evaluate("document.activeElement.name") != "website"
    axe_at_both_widths(page, f"{where} page")


# --- Comment, reply, report -----------------------------------------------------------------------


def test_a_guest_comments_by_keyboard(tab: Keyboard):
    page = tab.page
    tab.start(URL)
    tab.type("#id_name", "Ada Guest")
    tab.press("form.comment-form button[type=submit]", "Enter")

    # Back on the discussion page itself, not a separate one, with the typed name kept.
    assert page.url.split("#")[0].endswith(URL)
    summary = page.locator("#comment-errors")
    for message in (
        "Enter your email address",
        "Enter your comment",
        "Tick the box to agree to the comment policy",
    ):
        expect(summary).to_contain_text(message)
    expect(page.locator("#id_name")).to_have_value("Ada Guest")
    tab.check("comment form with errors")

    tab.summary_leads_to("Enter your email address", "id_email")
    page.keyboard.type("not an address")
    tab.type("#id_text", "Clusters need housing and transport too.")
    tab.press("form.comment-form button[type=submit]", "Enter")
    expect(page.locator("#comment-errors")).to_contain_text(
        "Enter an email address in the correct format, like name@example.com"
    )
    expect(page.locator("#id_text")).to_have_value("Clusters need housing and transport too.")

    tab.summary_leads_to("Enter an email address in the correct format", "id_email")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("ada@example.org")
    tab.press("#id_accept_policy", "Space")
    tab.press("form.comment-form button[type=submit]", "Enter")

    expect(page.locator(".message")).to_contain_text("We have emailed you a link")
    comment = Comment.objects.get(author_email="ada@example.org")
    assert comment.text == "Clusters need housing and transport too."
    tab.check("comment posted")


def test_a_guest_replies_by_keyboard(tab: Keyboard):
    page = tab.page
    ConfirmedAddress.objects.create(email="bo@example.org")
    parent = first_published()
    tab.start(URL)
    # With scripts the link moves the form under the comment; without, it opens the page set to reply.
    tab.press(f"#comment-{parent.pk} a[data-reply-to]", "Enter", navigates=not tab.javascript)
    expect(page.locator("#respond-heading")).to_contain_text(f"Reply to {parent.author_name}")
    tab.check("reply form")

    tab.type("#id_text", "Good point about transport.")
    tab.press("form.comment-form button[type=submit]", "Enter")
    expect(page.locator("#respond-heading")).to_contain_text(f"Reply to {parent.author_name}")
    if tab.javascript:  # the form reopens under the comment it answers
        assert page.evaluate(f"document.getElementById('comment-{parent.pk}').parentElement.contains(respond)")
    tab.check("reply form with errors")

    tab.summary_leads_to("Enter your name", "id_name")
    page.keyboard.type("Bo Reader")
    tab.type("#id_email", "bo@example.org")
    tab.press("#id_accept_policy", "Space")
    tab.press("form.comment-form button[type=submit]", "Enter")

    reply = Comment.objects.get(author_email="bo@example.org")
    assert (reply.parent_id, reply.text) == (parent.pk, "Good point about transport.")
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("awaiting moderation")


def test_a_guest_is_told_reporting_needs_an_account_and_comes_back_to_the_report(tab: Keyboard):
    page = tab.page
    person()
    comment = first_published()
    tab.start(URL)
    tab.press(f"a[href='/comments/{comment.pk}/report/']", "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to report a comment")
    expect(page.locator("main")).to_contain_text("Reporting a comment needs an account")
    tab.check("report needs an account")

    tab.press("main a[href^='/accounts/login/']", "Enter")
    sign_in(tab)
    expect(page).to_have_url(re.compile(rf"/comments/{comment.pk}/report/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a comment")


def test_a_reader_reports_a_comment_by_keyboard(tab: Keyboard):
    page = tab.page
    person()
    comment = first_published()
    tab.start("/accounts/login/")
    sign_in(tab)
    tab.start(f"/comments/{comment.pk}/report/")
    tab.check("report form")
    tab.type("#id_note", "Personal attack in the second line.")
    tab.press("main form button[type=submit]", "Enter")
    expect(page.locator("#id_note")).to_have_value("Personal attack in the second line.")
    tab.check("report form with errors")

    tab.summary_leads_to("Select the rule the comment breaks", "id_clause_0")
    page.keyboard.press("Space")
    tab.press("main form button[type=submit]", "Enter")
    expect(page.locator(".message")).to_contain_text("The moderators will look at this comment")
    assert Flag.objects.get(user__username="reader").note == "Personal attack in the second line."


def test_an_automatic_rejection_is_explained_and_a_review_asked_for_by_keyboard(tab: Keyboard):
    page = tab.page
    BlockedTerm.objects.create(term="casino", action=BlockedTerm.Action.BLOCK)
    ConfirmedAddress.objects.create(email="cy@example.org")
    tab.start(URL)
    tab.type("#id_name", "Cy")
    tab.type("#id_email", "cy@example.org")
    tab.type("#id_text", "Casino Road campus needs a bus.")
    tab.press("#id_accept_policy", "Space")
    tab.press("form.comment-form button[type=submit]", "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your comment was not published")
    expect(page.locator("main")).not_to_contain_text("awaiting moderation")
    expect(page.locator("main")).to_contain_text("a word or phrase that our comment policy does not allow")
    tab.check("comment not published")
    [email] = [m for m in mail.outbox if "not published" in m.subject]
    assert email.to == ["cy@example.org"]
    # The page's link and the email's are signed separately, perhaps in different seconds, so they
    # agree on what they sign (the comment and the address), not on when.
    signed_value = page.url.split("/comments/")[1].split(":")[0]
    assert signed_value in email.body

    tab.type("#id_note", "Casino Road is a street name.")
    tab.press("main form button[type=submit]", "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You asked for a review")
    tab.check("review asked for")
    comment = Comment.objects.get(author_email="cy@example.org")
    assert comment.status == Comment.Status.PENDING
    assert comment.reasons[0] == "review_requested"


# --- Subscribe, preferences, unsubscribe ----------------------------------------------------------


def test_a_visitor_subscribes_by_keyboard(tab: Keyboard):
    page = tab.page
    tab.start("/notifications/subscribe/")
    tab.check("subscribe")
    tab.press("main form button[type=submit]", "Enter")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_contain_text("Choose at least one thing to receive")
    tab.check("subscribe with errors")

    tab.summary_leads_to("Enter your email address", "id_email")
    page.keyboard.type("new@example.org")
    tab.press("#id_webinars", "Space")
    tab.press("main form button[type=submit]", "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert Subscriber.objects.get(email="new@example.org").webinars


def test_a_subscriber_changes_preferences_and_unsubscribes_by_keyboard(tab: Keyboard):
    page = tab.page
    SubscriberFactory(email="sub@example.org")
    tab.start(tokens.absolute_url(tokens.PREFERENCES, "sub@example.org"))
    tab.check("preferences")
    for box in page.locator("main form input[type=checkbox]:checked").all():
        tab.press(f"#{box.get_attribute('id')}", "Space")
    tab.press("main form button[value=save]", "Enter")
    expect(page.locator("[data-error-summary]")).to_contain_text("Choose at least one thing to receive")
    tab.check("preferences with errors")

    tab.summary_leads_to("Choose at least one thing to receive", "id_all_analyses")
    tab.press("#id_consultations", "Space")
    tab.press("main form button[value=save]", "Enter")
    expect(page.locator(".message")).to_contain_text("Your choices are saved.")
    assert Subscriber.objects.get(email="sub@example.org").consultations

    tab.start(tokens.absolute_url(tokens.UNSUBSCRIBE, "sub@example.org"))
    tab.check("unsubscribe")
    tab.press("main form button[type=submit]", "Enter")
    tab.check("unsubscribed")
    assert Subscriber.objects.get(email="sub@example.org").unsubscribed_at is not None


# --- Sign up, sign in -----------------------------------------------------------------------------


def test_a_visitor_signs_up_by_keyboard(tab: Keyboard):
    page = tab.page
    tab.start("/accounts/signup/")
    tab.check("sign up")
    tab.type("input[name=email]", "newcomer@example.org")
    tab.type("input[name=password1]", PASSWORD)
    tab.type("input[name=password2]", "a different password")
    tab.press("main form button[type=submit]", "Enter")
    expect(page.locator("input[name=email]")).to_have_value("newcomer@example.org")
    tab.check("sign up with errors")

    tab.start("/accounts/signup/")
    tab.type("input[name=email]", "newcomer@example.org")
    tab.type("input[name=password1]", PASSWORD)
    tab.type("input[name=password2]", PASSWORD)
    tab.press("main form button[type=submit]", "Enter")
    assert EmailAddress.objects.filter(email="newcomer@example.org", verified=False).exists()
    tab.check("sign up: verify your address")
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    tab.start(link)
    tab.check("sign up: confirm your address")
    tab.press("main form button[type=submit]", "Enter")
    assert EmailAddress.objects.get(email="newcomer@example.org").verified


def test_a_reader_signs_in_by_keyboard(tab: Keyboard):
    page = tab.page
    person()
    tab.start("/accounts/login/")
    tab.check("sign in")
    tab.type("input[name=login]", "reader@example.org")
    tab.type("input[name=password]", "not the password")
    tab.press("main form button[type=submit]", "Enter")
    expect(page.locator("input[name=login]")).to_have_value("reader@example.org")
    tab.check("sign in with errors")

    tab.type("input[name=password]", PASSWORD)
    tab.press("main form button[type=submit]", "Enter")
    expect(page).to_have_url(re.compile(r"/account/$"))
    assert json.loads(json.dumps(page.context.cookies()))  # signed in: a session is held
