"""Every public page passes axe-core at WCAG 2.2 AA at 1280 and 320 px wide, and fits 320 px;
and the README's screenshots are taken from the same pages.

The pages come from the URL conf and the demo content: each visit below says which named routes it
passes through, and ``test_every_public_route_is_visited_or_said_to_be_no_page`` fails when a route is
neither visited nor listed in NOT_PAGES with the reason it is no page (a feed, a download, a POST that
redirects). So a new page cannot be added without the check seeing it.

For speed the module loads the demo content once, into a database no test here flushes, and every
visit reuses the session's browser and live server: each test opens a fresh browser context (its
own cookies), follows its steps, runs axe-core, narrows the window to 320 px and runs it again.
"""

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from playwright.sync_api import Page, expect
from reversion.models import Version

from accounts.roles import MODERATORS, sync_groups
from comments.models import Comment
from comments.tokens import confirmation_token, stop_replies_token
from consultations.demo import CLOSED_SLUG, CONCLUDED_SLUG, OPEN_SLUG
from consultations.models import Consultation, LateResponseLink, Question, Response
from moderation.models import PolicyVersion
from notifications import tokens
from policies.demo import SEED_SLUG
from policies.models import Author, PolicyAnalysis
from policies.services import analysis_save
from tests.e2e.accessibility import axe_violations, format_violations, require_axe
from tests.factories import CommentFactory, SubscriberFactory, UserFactory
from topics.models import Topic
from webinars.demo import CLUSTERS_WEBINAR
from webinars.models import Speaker, Webinar

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 320)

# Pages other people are changing under the same issue at the same time: their tests are expected to
# fail (strictly, so the mark goes when the work lands). The lead removes the marks on merging it.
# --- The content every visit reads ---------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """What the demo content and a few extra rows give the visits to open."""

    analysis: str
    topic: str
    author: str
    webinar: str
    speaker: str
    policy_version: int
    own_comment: int
    others_comment: int
    comment_confirm_token: str
    stop_replies_token: str
    subscriber_confirm_token: str
    preferences_token: str
    unsubscribe_token: str
    late_response_token: str
    someone_elses_draft: str
    session_key: str
    moderator_session_key: str
    superuser_session_key: str
    analysis_id: int
    pending_comment: int
    closed_consultation: int
    closed_question: int
    older_version: int
    newer_version: int
    base_url: str


@pytest.fixture(autouse=True)
def _live_server_helper(live_server) -> Iterator[None]:
    """pytest-django's helper, without its per-test flush: every visit reads the module's content."""
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture(autouse=True)
def _staff_groups() -> None:
    """The groups are made once for the module (below), not per test."""


@pytest.fixture(autouse=True)
def _media_in_tmp() -> None:
    """The module's media folder holds the demo images for every visit (below)."""


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, live_server, tmp_path_factory) -> Iterator[Site]:
    require_axe()
    media = tmp_path_factory.mktemp("media")
    overrides = override_settings(
        MEDIA_ROOT=media,
        SITE_URL=live_server.url,
        COMMENTS_MIN_SECONDS_TO_WRITE=0,
        COMMENTS_RATE_LIMIT_SECONDS=0,
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "axe-crawl"}},
    )
    with django_db_blocker.unblock(), overrides:
        ContentType.objects.clear_cache()
        sync_groups()
        call_command("load_demo_content", verbosity=0)
        yield content(live_server.url)
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


def content(base_url: str) -> Site:
    analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
    # A video, so the page offers its player; and a second version, so the history has two to compare.
    Webinar.objects.filter(slug=CLUSTERS_WEBINAR).update(recording_url="https://www.youtube.com/watch?v=abcdefghijk")
    analysis.body = analysis.body.replace("Here is our analysis", "Here, in brief, is our analysis")
    analysis_save(analysis=analysis, user=None, change_note="Reworded the introduction.")
    newer_version, older_version = Version.objects.get_for_object(analysis).values_list("pk", flat=True)[:2]
    reader = UserFactory(username="reader", email="reader@example.org", first_name="Rea", last_name="Der")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    own = CommentFactory(target=analysis, user=reader, author_email=reader.email, status=Comment.Status.APPROVED)
    others = Comment.objects.filter(status=Comment.Status.APPROVED).exclude(pk=own.pk).first()
    guest = CommentFactory(target=analysis, author_email="guest@example.org", status=Comment.Status.UNCONFIRMED)
    SubscriberFactory(email="new@example.org", confirmed_at=None)
    SubscriberFactory(email="subscriber@example.org")
    late = LateResponseLink.objects.create(
        consultation=Consultation.objects.get(slug=CLOSED_SLUG),
        email="late@example.org",
        reason="Asked in time by letter.",
        expires_at=timezone.now() + timedelta(days=7),
    )
    draft = Response.objects.filter(consultation__slug=OPEN_SLUG, status=Response.Status.DRAFT).first()
    assert others is not None and draft is not None
    moderator = UserFactory(username="mira", email="mira@example.org", is_staff=True, groups=[MODERATORS])
    superuser = UserFactory(username="root", email="root@example.org", is_staff=True, is_superuser=True)
    return Site(
        analysis=analysis.get_absolute_url(),
        topic=Topic.objects.filter(analyses=analysis).first().get_absolute_url(),
        author=Author.objects.get(pk=analysis.author_id).get_absolute_url(),
        webinar=Webinar.objects.filter(appearances__isnull=False).first().get_absolute_url(),
        speaker=Speaker.objects.filter(quotes__isnull=False).first().get_absolute_url(),
        policy_version=PolicyVersion.objects.current().number,
        own_comment=own.pk,
        others_comment=others.pk,
        comment_confirm_token=confirmation_token(guest),
        stop_replies_token=stop_replies_token(others),
        subscriber_confirm_token=tokens.make(tokens.CONFIRM, "new@example.org"),
        preferences_token=tokens.make(tokens.PREFERENCES, "subscriber@example.org"),
        unsubscribe_token=tokens.make(tokens.UNSUBSCRIBE, "subscriber@example.org"),
        late_response_token=late.token,
        analysis_id=analysis.pk,
        pending_comment=Comment.objects.filter(status=Comment.Status.PENDING).values_list("pk", flat=True).first(),
        closed_consultation=late.consultation_id,
        closed_question=Question.objects.filter(section__consultation_id=late.consultation_id).first().pk,
        older_version=older_version,
        newer_version=newer_version,
        someone_elses_draft=draft.get_absolute_url(),
        session_key=session_of(reader),
        moderator_session_key=session_of(moderator),
        superuser_session_key=session_of(superuser),
        base_url=base_url,
    )


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(autouse=True)
def _fresh_limits(site) -> None:
    """Each visit starts with no rate-limit count: the browser's address is the same for all."""
    cache.clear()


# --- Steps the visits share ------------------------------------------------------------------------


def go(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == status, f"{path} answered {response.status}, not {status}"


def signed_in(page: Page, site: Site, session_key: str = "") -> None:
    """The reader's session (or another's), made by the test client's log-in: the sign-in form is checked on its own."""
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session_key or site.session_key, "url": site.base_url}
    page.context.add_cookies([cookie])


def submit(page: Page, button: str | None = None, status: int | None = None) -> None:
    """Press the main form's button (its first, or the one named) and wait for the page it brings.

    The browser's own checks of required fields are turned off first, so an empty form reaches the
    server and the page shows the server's error messages, as it does in a browser without them.
    """
    page.evaluate("() => document.querySelectorAll('form').forEach((form) => { form.noValidate = true; })")
    target = page.get_by_role("button", name=button, exact=True) if button else main_form_button(page)
    with page.expect_navigation() as navigation:
        target.click()
    if status is not None:
        response = navigation.value
        assert response is not None and response.status == status, f"{page.url} answered {response and response.status}"


def main_form_button(page: Page):
    return page.locator("main form[method=post] button[type=submit], main form[method=post] input[type=submit]").first


# Answers every question on a questionnaire page, as a person would who picks the first option.
ANSWER_ALL = """() => {
  const form = document.querySelector("main form[method=post]");
  const groups = new Set();
  for (const input of form.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    if (groups.has(input.name)) continue;
    groups.add(input.name);
    if (!form.querySelector(`input[name="${input.name}"]:checked`)) input.checked = true;
  }
  for (const input of form.querySelectorAll("input[type=text], input[type=email], textarea")) {
    if (!input.value) input.value = input.type === "email" ? "crawler@example.org" : "Long-term funding.";
  }
}"""


def answer_page(page: Page) -> None:
    page.evaluate(ANSWER_ALL)
    submit(page, "Save and continue")


def start_response(page: Page) -> None:
    go(page, f"/consultations/{OPEN_SLUG}/")
    submit(page, "Respond to this consultation")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")


def to_page(page: Page, number: int) -> None:
    start_response(page)
    for _ in range(number - 1):
        answer_page(page)


def to_check(page: Page) -> None:
    start_response(page)
    while "/respond/check/" not in page.url:
        answer_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")


def to_receipt(page: Page) -> None:
    to_check(page)
    submit(page, "Send my response")
    expect(page.get_by_role("heading", level=1)).to_have_text("Response received")


def post_comment_with_errors(page: Page, site: Site) -> None:
    go(page, site.analysis)
    page.locator("form.comment-form").get_by_role("textbox", name="Comment").fill("Clusters need housing too.")
    with page.expect_navigation():
        page.locator("form.comment-form").get_by_role("button", name="Post comment").click()


def try_it_out(page: Page) -> None:
    """Open the analyses list in Swagger UI, fill in nothing, and run it: the docs as a developer uses them."""
    page.locator("#operations-analyses-analyses_list .opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator("#operations-analyses-analyses_list .live-responses-table")).to_be_visible()


def post_comment_as_a_guest(page: Page, site: Site) -> None:
    go(page, site.analysis)
    form = page.locator("form.comment-form")
    form.get_by_role("textbox", name="Name").fill("Ada Guest")
    form.get_by_role("textbox", name="Email").fill("ada@example.org")
    form.get_by_role("textbox", name="Comment").fill("Clusters need housing and transport too.")
    form.get_by_label("I have read and accept the comment policy").check()
    submit(page, "Post comment")
    expect(page.locator(".message")).to_contain_text("We have emailed you a link")


PERSONAL_DATA = "/admin/accounts/personaldatarequest/"
QUEUE = "/admin/comments/pendingcomment/"
EDIT_ANALYSIS = "/admin/policies/policyanalysis/"
EDIT_CONSULTATION = "/admin/consultations/consultation/"


def staff_at(path: Callable[[Site], str] | str) -> Callable[[Page, Site], None]:
    def open_page(page: Page, site: Site) -> None:
        signed_in(page, site, site.superuser_session_key)
        go(page, path(site) if callable(path) else path)

    return open_page


def ask_to_erase(page: Page) -> None:
    page.get_by_label("Email address").fill("reader@example.org")
    submit(page, "Show what would be erased")
    expect(page.get_by_role("heading", name=re.compile("Erase the personal data of"))).to_be_visible()


# --- The visits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    name: str
    covers: tuple[str, ...]
    open: Callable[[Page, Site], None]
    # Drawn by scripts after it loads (the API docs): checked once the network is quiet.
    scripted: bool = False


def page_at(path: Callable[[Site], str] | str, status: int = 200) -> Callable[[Page, Site], None]:
    def open_page(page: Page, site: Site) -> None:
        go(page, path(site) if callable(path) else path, status)

    return open_page


def signed_in_at(path: Callable[[Site], str] | str) -> Callable[[Page, Site], None]:
    def open_page(page: Page, site: Site) -> None:
        signed_in(page, site)
        go(page, path(site) if callable(path) else path)

    return open_page


def then(first: Callable[[Page, Site], None], step: Callable[[Page], None]) -> Callable[[Page, Site], None]:
    def open_page(page: Page, site: Site) -> None:
        first(page, site)
        step(page)

    return open_page


def questionnaire(step: Callable[[Page], None]) -> Callable[[Page, Site], None]:
    return lambda page, site: step(page)


def error_page(path: str, status: int) -> Callable[[Page, Site], None]:
    def open_page(page: Page, site: Site) -> None:
        with override_settings(ROOT_URLCONF="tests.e2e.error_urls"):
            go(page, path, status)

    return open_page


VISITS = [
    # Reading
    Visit("home", ("policies:home",), page_at("/")),
    Visit("analyses", ("policies:analysis_list",), page_at("/analyses/")),
    Visit("an analysis with its discussion", ("policies:analysis",), page_at(lambda s: s.analysis)),
    Visit("topics", ("policies:topic_list",), page_at("/topics/")),
    Visit("a topic", ("policies:topic",), page_at(lambda s: s.topic)),
    Visit("an author", ("policies:author",), page_at(lambda s: s.author)),
    Visit("webinars", ("webinars:webinar_list",), page_at("/webinars/")),
    Visit("a webinar", ("webinars:webinar",), page_at(lambda s: s.webinar)),
    Visit("a speaker", ("webinars:speaker",), page_at(lambda s: s.speaker)),
    Visit("comment policy", ("comments:policy",), page_at("/comment-policy/")),
    Visit(
        "a version of the comment policy",
        ("comments:policy_version",),
        page_at(lambda s: f"/comment-policy/version-{s.policy_version}/"),
    ),
    Visit("privacy notice", ("privacy",), page_at("/privacy/")),
    # Search
    Visit("search results", ("search:results",), page_at("/search/?q=research+clusters")),
    Visit("search with no results", ("search:results",), page_at("/search/?q=xylophone")),
    Visit("search with bad filters", ("search:results",), page_at("/search/?q=cancer&kind=podcast&from=soon", 400)),
    # Consultations and every step of answering one
    Visit("consultations", ("consultations:consultation_list",), page_at("/consultations/")),
    Visit("an open consultation", ("consultations:consultation",), page_at(f"/consultations/{OPEN_SLUG}/")),
    Visit("a closed consultation", ("consultations:consultation",), page_at(f"/consultations/{CLOSED_SLUG}/")),
    Visit("a concluded consultation", ("consultations:consultation",), page_at(f"/consultations/{CONCLUDED_SLUG}/")),
    Visit(
        "questionnaire: about you",
        ("consultations:respond_start", "consultations:respond_page"),
        questionnaire(start_response),
    ),
    Visit(
        "questionnaire: about you, with errors",
        ("consultations:respond_page",),
        questionnaire(lambda page: (start_response(page), submit(page, "Save and continue"))),
    ),
    Visit("questionnaire: a section", ("consultations:respond_page",), questionnaire(lambda page: to_page(page, 2))),
    Visit(
        "questionnaire: a section, with errors",
        ("consultations:respond_page",),
        questionnaire(lambda page: (to_page(page, 2), submit(page, "Save and continue"))),
    ),
    Visit(
        "questionnaire: the declaration, with errors",
        ("consultations:respond_page",),
        questionnaire(lambda page: (to_page(page, 4), submit(page, "Save and continue"))),
    ),
    Visit(
        "questionnaire: saved for later",
        ("consultations:respond_page",),
        questionnaire(lambda page: (to_page(page, 2), submit(page, "Save and come back later"))),
    ),
    Visit("questionnaire: check your answers", ("consultations:respond_check",), questionnaire(to_check)),
    Visit(
        "questionnaire: check your answers, sent with questions unanswered",
        ("consultations:respond_check",),
        questionnaire(
            lambda page: (
                to_page(page, 2),
                go(page, f"/consultations/{OPEN_SLUG}/respond/check/"),
                submit(page, "Send my response", status=400),
            )
        ),
    ),
    Visit("questionnaire: receipt", ("consultations:response_link",), questionnaire(to_receipt)),
    Visit(
        "questionnaire: receipt after withdrawing",
        ("consultations:response_withdraw",),
        questionnaire(lambda page: (to_receipt(page), submit(page, "Withdraw my response"))),
    ),
    Visit("someone else's draft", ("consultations:response_link",), page_at(lambda s: s.someone_elses_draft, 403)),
    Visit(
        "someone else's draft: proof link sent",
        ("consultations:response_claim",),
        then(
            page_at(lambda s: s.someone_elses_draft, 403), lambda page: submit(page, "Email me a link to continue here")
        ),
    ),
    Visit(
        "someone else's draft: broken proof link",
        ("consultations:response_claim_confirm",),
        page_at(lambda s: f"{s.someone_elses_draft}claim/not-a-proof/", 400),
    ),
    Visit(
        "late response invitation",
        ("consultations:late_response",),
        page_at(lambda s: f"/late-responses/{s.late_response_token}/"),
    ),
    # Comments
    Visit("comment form with errors", ("comments:post",), post_comment_with_errors),
    Visit("comment posted by a guest", ("comments:post",), post_comment_as_a_guest),
    Visit(
        "confirm a comment", ("comments:confirm",), page_at(lambda s: f"/comments/confirm/{s.comment_confirm_token}/")
    ),
    Visit("comment confirmation link broken", ("comments:confirm",), page_at("/comments/confirm/broken/", 400)),
    Visit(
        "stop reply emails",
        ("comments:stop_replies",),
        page_at(lambda s: f"/comments/replies/stop/{s.stop_replies_token}/"),
    ),
    Visit("edit your comment", ("comments:edit",), signed_in_at(lambda s: f"/comments/{s.own_comment}/edit/")),
    Visit("delete your comment", ("comments:delete",), signed_in_at(lambda s: f"/comments/{s.own_comment}/delete/")),
    Visit("report a comment", ("comments:report",), signed_in_at(lambda s: f"/comments/{s.others_comment}/report/")),
    Visit(
        "report a comment, with errors",
        ("comments:report",),
        then(signed_in_at(lambda s: f"/comments/{s.others_comment}/report/"), lambda page: submit(page, "Send report")),
    ),
    # Email updates
    Visit("subscribe", ("notifications:subscribe",), page_at("/notifications/subscribe/")),
    Visit(
        "subscribe, with errors",
        ("notifications:subscribe",),
        then(page_at("/notifications/subscribe/"), lambda page: submit(page, "Subscribe", status=400)),
    ),
    Visit(
        "subscribed: check your inbox",
        ("notifications:subscribe_done",),
        page_at("/notifications/subscribe/check-your-inbox/"),
    ),
    Visit(
        "confirm a subscription",
        ("notifications:confirm",),
        page_at(lambda s: f"/notifications/confirm/{s.subscriber_confirm_token}/"),
    ),
    Visit("subscription link broken", ("notifications:confirm",), page_at("/notifications/confirm/broken/", 400)),
    Visit("ask for a preferences link", ("notifications:preferences_request",), page_at("/notifications/preferences/")),
    Visit(
        "ask for a preferences link, with errors",
        ("notifications:preferences_request",),
        then(page_at("/notifications/preferences/"), lambda page: submit(page, "Email me a link", status=400)),
    ),
    Visit(
        "preferences",
        ("notifications:preferences",),
        page_at(lambda s: f"/notifications/preferences/{s.preferences_token}/"),
    ),
    Visit(
        "preferences saved",
        ("notifications:preferences",),
        then(
            page_at(lambda s: f"/notifications/preferences/{s.preferences_token}/"),
            lambda page: submit(page, "Save my choices"),
        ),
    ),
    Visit(
        "unsubscribe",
        ("notifications:unsubscribe",),
        page_at(lambda s: f"/notifications/unsubscribe/{s.unsubscribe_token}/"),
    ),
    Visit(
        "unsubscribed",
        ("notifications:unsubscribe",),
        then(
            page_at(lambda s: f"/notifications/unsubscribe/{s.unsubscribe_token}/"),
            lambda page: submit(page, "Unsubscribe"),
        ),
    ),
    Visit("email updates for an account", ("notifications:account",), signed_in_at("/notifications/account/")),
    # Accounts
    Visit("your account", ("accounts:profile",), signed_in_at("/account/")),
    Visit(
        "your account with a new API token",
        ("accounts:api_token_new",),
        then(signed_in_at("/account/"), lambda page: submit(page, "Make a token")),
    ),
    Visit("delete your account", ("accounts:delete",), signed_in_at("/account/delete/")),
    Visit(
        "delete your account, with errors",
        ("accounts:delete",),
        then(signed_in_at("/account/delete/"), lambda page: submit(page, "Delete my account")),
    ),
    Visit("sign in", ("account_login",), page_at("/accounts/login/")),
    Visit(
        "sign in, with errors",
        ("account_login",),
        then(page_at("/accounts/login/"), lambda page: submit(page)),
    ),
    Visit("sign up", ("account_signup",), page_at("/accounts/signup/")),
    Visit(
        "sign up, with errors",
        ("account_signup",),
        then(page_at("/accounts/signup/"), lambda page: submit(page)),
    ),
    Visit("reset your password", ("account_reset_password",), page_at("/accounts/password/reset/")),
    Visit(
        "password reset sent",
        ("account_reset_password_done",),
        page_at("/accounts/password/reset/done/"),
    ),
    Visit(
        "password reset link broken",
        ("account_reset_password_from_key",),
        page_at("/accounts/password/reset/key/1-broken/"),
    ),
    Visit(
        "confirm your email address",
        ("account_email_verification_sent",),
        page_at("/accounts/confirm-email/"),
    ),
    Visit(
        "email confirmation link broken",
        ("account_confirm_email",),
        page_at("/accounts/confirm-email/broken/"),
    ),
    Visit("sign out", ("account_logout",), signed_in_at("/accounts/logout/")),
    Visit("your email addresses", ("account_email",), signed_in_at("/accounts/email/")),
    Visit(
        "change your password",
        ("account_change_password",),
        signed_in_at("/accounts/password/change/"),
    ),
    # Errors
    Visit("404 page", (), page_at("/analyses/no-such-analysis/", 404)),
    Visit("400 page", (), page_at("/responses/%00/", 400)),
    Visit("403 page", (), error_page("/test-errors/403/", 403)),
    Visit("500 page", (), error_page("/test-errors/500/", 500)),
    # Third-party: drf-spectacular's Swagger UI and ReDoc, served from this site
    Visit("API docs (Swagger UI)", ("api:docs",), page_at("/api/docs/"), scripted=True),
    Visit(
        "API docs (Swagger UI), an operation tried out",
        ("api:docs",),
        then(page_at("/api/docs/"), try_it_out),
        scripted=True,
    ),
    Visit("API docs (ReDoc)", ("api:redoc",), page_at("/api/redoc/"), scripted=True),
    # Staff: the personal-data requests in the admin (the moderation and editing screens are checked by
    # their own tests)
    Visit("admin: personal data requests", (), staff_at(PERSONAL_DATA)),
    Visit("admin: export personal data", (), staff_at(f"{PERSONAL_DATA}export/")),
    Visit("admin: erase personal data", (), staff_at(f"{PERSONAL_DATA}erase/")),
    Visit("admin: erasure confirmation", (), then(staff_at(f"{PERSONAL_DATA}erase/"), ask_to_erase)),
    Visit(
        "admin: erasure not confirmed",
        (),
        then(staff_at(f"{PERSONAL_DATA}erase/"), lambda page: (ask_to_erase(page), submit(page, "Erase the data"))),
    ),
    # Staff: the screens moderators and editors use every day
    Visit("admin: home", (), staff_at("/admin/")),
    *(
        Visit(f"admin: the {queue} queue", (), staff_at(f"/admin/comments/{model}/"))
        for queue, model in [
            ("pending", "pendingcomment"),
            ("reported", "reportedcomment"),
            ("spam", "spamcomment"),
            ("approved", "approvedcomment"),
            ("rejected", "rejectedcomment"),
            ("all comments", "comment"),
        ]
    ),
    Visit(
        "admin: a comment to moderate",
        (),
        staff_at(lambda s: f"{QUEUE}{s.pending_comment}/change/"),
    ),
    Visit(
        "admin: the analysis editor",
        (),
        staff_at(lambda s: f"{EDIT_ANALYSIS}{s.analysis_id}/change/"),
    ),
    Visit("admin: figures", (), staff_at("/admin/policies/figure/")),
    Visit("admin: a new figure", (), staff_at("/admin/policies/figure/add/")),
    Visit(
        "admin: an analysis's history",
        (),
        staff_at(lambda s: f"{EDIT_ANALYSIS}{s.analysis_id}/history/"),
    ),
    Visit(
        "admin: two versions of an analysis compared",
        (),
        staff_at(
            lambda s: f"{EDIT_ANALYSIS}{s.analysis_id}/history/compare/?older={s.older_version}&newer={s.newer_version}"
        ),
    ),
    Visit(
        "admin: versions compared, with errors",
        (),
        then(
            staff_at(lambda s: f"{EDIT_ANALYSIS}{s.analysis_id}/history/"),
            lambda page: (
                page.get_by_label("Compare the version of").select_option(index=0),
                submit(page, "Compare", status=400),
            ),
        ),
    ),
    Visit(
        "admin: an old version of an analysis, to restore",
        (),
        staff_at(lambda s: f"{EDIT_ANALYSIS}{s.analysis_id}/history/{s.older_version}/"),
    ),
    Visit("admin: the updates readers see", (), staff_at("/admin/policies/analysisupdate/")),
    Visit(
        "admin: the consultation editor",
        (),
        staff_at(lambda s: f"{EDIT_CONSULTATION}{s.closed_consultation}/change/"),
    ),
    Visit(
        "admin: a consultation's responses",
        (),
        staff_at(lambda s: f"{EDIT_CONSULTATION}{s.closed_consultation}/analysis/"),
    ),
    Visit(
        "admin: the answers to one question",
        (),
        staff_at(lambda s: f"{EDIT_CONSULTATION}{s.closed_consultation}/analysis/{s.closed_question}/"),
    ),
]

# Named routes that are no page to check, and why.
NOT_PAGES = {
    "sitemap": "XML for search engines",
    "robots": "plain text for crawlers",
    "policies:feed": "an RSS feed",
    "policies:feed_atom": "an Atom feed",
    "policies:topic_feed": "an RSS feed",
    "policies:topic_feed_atom": "an Atom feed",
    "comments:permalink": "redirects to the comment on its discussion's page, checked above",
    "comments:not_published": (
        "reached only by posting a comment an automatic rule rejects; test_public_forms.py checks it and the "
        "review it offers with axe-core at both widths"
    ),
    "accounts:api_token_revoke": "a POST that redirects to the account page, checked above",
    "accounts:personal_data_download": "a JSON download",
    "consultations:respond_attachment": "a file download (the respondent's own attachment)",
    "consultations:response_attachment": "a file download (through the private response link)",
    "api:schema": "the OpenAPI schema, YAML or JSON",
    "api:root": "the API's JSON",
    # allauth's routes for features this site turns off: each answers 404.
    "account_inactive": "an account is never made inactive",
    "account_set_password": "every account has a password; redirects to change it",
    "account_reauthenticate": "no page asks to sign in again",
    "account_request_reauthentication_code": "sign-in by code is off",
    "account_confirm_reauthentication_code": "sign-in by code is off",
    "account_confirm_login_code": "sign-in by code is off",
    "account_reset_password_from_key_done": "reached only after a reset link, which the visits cannot open",
}


def visit_params():
    for visit in VISITS:
        yield pytest.param(visit, id=visit.name)


# --- The check ------------------------------------------------------------------------------------


# The innermost elements reaching past a 320 px window: what makes a page scroll sideways.
PAST_THE_EDGE = """() => [...document.body.querySelectorAll("*")]
  .filter((element) => element.getBoundingClientRect().right > 321)
  .filter((element) => ![...element.children].some((child) => child.getBoundingClientRect().right > 321))
  .slice(0, 3)
  .map((element) => {
    const right = Math.round(element.getBoundingClientRect().right);
    const name = (node) => `${node.tagName.toLowerCase()}${[...node.classList].map((c) => `.${c}`).join("")}`;
    return `${name(element.parentElement)} > ${name(element)} to ${right} px`;
  })"""


def routes_passed(urls: list[str]) -> set[str]:
    names = set()
    for url in urls:
        try:
            match = resolve(urlparse(url).path)
        except Resolver404:
            continue
        names.add(match.view_name)
    return names


def record(visit: Visit, width: int, violations: list[dict], scroll_width: int) -> None:
    """With AXE_REPORT set, one JSON line per page and width: the figures in docs/accessibility.md."""
    if path := os.environ.get("AXE_REPORT"):
        counts = {violation["id"]: len(violation["targets"]) for violation in violations}
        line = {"page": visit.name, "width": width, "violations": counts, "scroll_width": scroll_width}
        with open(path, "a", encoding="utf-8") as report:
            report.write(json.dumps(line) + "\n")


@pytest.mark.parametrize("visit", list(visit_params()))
def test_the_page_passes_axe_core_at_1280_and_320_px(page, site, visit, csp_violations):
    visited: list[str] = []  # every page address asked for, redirects included
    page.on("request", lambda request: visited.append(request.url) if request.is_navigation_request() else None)

    visit.open(page, site)
    if visit.scripted:
        page.wait_for_load_state("networkidle")

    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        seen = len(csp_violations)
        violations = axe_violations(page)
        # axe-core adds <style> elements of its own while it measures (its elementsFromPoint helper),
        # which the page's policy refuses; they are the checker's, not the page's.
        del csp_violations[seen:]
        if violations:
            failures.append(f"at {width} px:\n{format_violations(violations)}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if width == 320 and scroll_width > 320:
            wide = ", ".join(page.evaluate(PAST_THE_EDGE))
            failures.append(f"at 320 px the page scrolls sideways: {scroll_width} px wide ({wide})")
        record(visit, width, violations, scroll_width)
    assert not failures, f"{visit.name} ({page.url}):\n" + "\n".join(failures)
    with override_settings(ROOT_URLCONF="tests.e2e.error_urls"):
        assert set(visit.covers) <= routes_passed(visited), f"{visit.name} never reached {visit.covers}: {visited}"


def test_the_check_finds_violations_on_a_page_that_has_them(page, site, live_server):
    """A page with an unlabelled field, an image without text and faint text fails the check."""
    page.route(
        "**/a11y-probe/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<html lang="en"><title>Probe</title><main><h1>Probe</h1>'
            '<p style="color: #bbb">Faint</p><img src="/x.png"><input type="text"></main></html>',
        ),
    )
    page.goto(f"{live_server.url}/a11y-probe/")

    rules = {violation["id"] for violation in axe_violations(page)}
    assert {"color-contrast", "image-alt", "label"} <= rules


# --- Nothing left out ------------------------------------------------------------------------------


def named_routes(patterns=None, namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), str(pattern.pattern)


def public_routes() -> dict[str, str]:
    """Every named route but the admin's (staff pages) and the API's JSON (tests/api covers it)."""
    routes = {}
    for name, route in named_routes():
        staff_or_json = name.startswith("admin:") or (name.startswith("api:") and name not in {"api:docs", "api:redoc"})
        if staff_or_json and name not in NOT_PAGES:
            continue
        routes[name] = route
    return routes


def test_every_public_route_is_visited_or_said_to_be_no_page():
    covered = {name for visit in VISITS for name in visit.covers}
    missing = {name: route for name, route in public_routes().items() if name not in covered | set(NOT_PAGES)}

    assert not missing, (
        "Public routes no visit in tests/e2e/test_every_page.py passes through: add a Visit "
        f"for each, or say in NOT_PAGES why it is no page: {missing}"
    )


def test_not_pages_names_only_routes_that_exist():
    assert set(NOT_PAGES) <= set(public_routes()) | {name for name, _ in named_routes()}


# --- The README's screenshots ---------------------------------------------------------------------
#
# Taken from the same pages as the checks above. `make screenshots` keeps them in docs/screenshots/
# (SCREENSHOTS names the folder); otherwise they go to a temporary folder, so every run still checks
# that they can be taken.


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is no PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_screenshot_an_analysis_with_its_discussion(page, site, screenshots):
    page.set_viewport_size({"width": 1280, "height": 900})
    go(page, site.analysis)
    expect(page.locator("#comment-count")).to_be_visible()
    # The end of the article, then the count of comments and the threads under it.
    page.evaluate("scrollTo(0, document.querySelector('#comment-count').getBoundingClientRect().top + scrollY - 240)")

    page.screenshot(path=screenshots / "analysis-with-comments.png")

    assert png_size(screenshots / "analysis-with-comments.png") == (1280, 900)


def test_screenshot_the_questionnaire_on_a_phone(page, site, screenshots):
    page.set_viewport_size({"width": 375, "height": 812})
    to_page(page, 2)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your experience of research clusters")

    page.screenshot(path=screenshots / "questionnaire-on-a-phone.png")

    assert png_size(screenshots / "questionnaire-on-a-phone.png") == (375, 812)


def test_screenshot_the_moderation_queue(page, site, screenshots):
    page.set_viewport_size({"width": 1280, "height": 900})
    signed_in(page, site, site.moderator_session_key)
    go(page, "/admin/comments/pendingcomment/")
    expect(page.locator("#result_list")).to_be_visible()

    page.screenshot(path=screenshots / "moderation-queue.png")

    assert png_size(screenshots / "moderation-queue.png") == (1280, 900)
