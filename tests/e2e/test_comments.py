"""A guest comments in a real browser: errors stay on the page with the text, the emailed link confirms."""

import re
import time

import pytest
from django.core import mail

from comments.models import Comment, ConfirmedAddress
from policies.demo import SEED_SLUG
from tests.e2e.demo_content import demo_content_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URL = f"/analyses/{SEED_SLUG}/"


@pytest.fixture
def demo(settings):
    # A test types faster than a person; the timing check is tested on its own.
    settings.COMMENTS_MIN_SECONDS_TO_WRITE = 0
    demo_content_load()


def emailed_link() -> str:
    for _ in range(50):
        for message in mail.outbox:
            if found := re.search(r"https?://\S+(/comments/confirm/\S+/)", message.body):
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError("No confirmation email was sent.")


def test_a_guest_comments_confirms_by_email_and_sees_it_awaiting_moderation(page, demo):
    page.goto(URL)
    form = page.locator("form.comment-form")
    form.get_by_role("textbox", name="Name").fill("Ada Guest")
    typed = "Clusters need housing and transport too.\nOtherwise talent cannot move there."
    form.get_by_role("textbox", name="Comment").fill(typed)
    assert "characters left" in page.locator("#id_text_counter").inner_text()
    form.get_by_role("button", name="Post comment").click()

    # Back on the analysis itself, at the error summary, which takes focus.
    assert page.url.endswith(f"{URL}#comment-errors")
    assert page.evaluate("document.activeElement.id") == "comment-errors"
    assert "Enter your email address" in page.locator(".field", has=page.locator("#id_email")).inner_text()
    assert "Tick the box" in page.locator(".field", has=page.locator("#id_accept_policy")).inner_text()
    assert page.get_by_role("textbox", name="Comment").input_value() == typed
    assert page.get_by_role("textbox", name="Name").input_value() == "Ada Guest"

    page.get_by_role("textbox", name="Email").fill("ada@example.org")
    page.get_by_label("I have read and accept the comment policy").check()
    page.get_by_role("button", name="Post comment").click()

    comment = Comment.objects.get(author_email="ada@example.org")
    assert page.url.endswith(f"{URL}#comment-{comment.pk}")
    assert "We have emailed you a link" in page.locator(".message").inner_text()
    mine = page.locator(f"#comment-{comment.pk}")
    assert "awaiting your email confirmation" in mine.inner_text()
    assert "ada@example.org" not in page.content()

    page.goto(emailed_link())
    page.get_by_role("button", name="Confirm my comment").click()
    mine = page.locator(f"#comment-{comment.pk}")
    assert "awaiting moderation" in mine.inner_text()
    assert "Otherwise talent cannot move there." in mine.inner_text()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_reply_moves_the_form_under_the_comment(page, demo):
    ConfirmedAddress.objects.create(email="bo@example.org")
    helen = Comment.objects.filter(author_name="Helen Marsh").earliest("pk")
    page.goto(URL)
    page.locator(f"#comment-{helen.pk}").get_by_role("link", name="Reply").click()

    respond = page.locator("#respond")
    assert respond.get_by_role("heading").inner_text() == "Reply to Helen Marsh"
    assert page.evaluate(
        "id => document.getElementById(id).parentElement.contains(document.getElementById('respond'))",
        f"comment-{helen.pk}",
    )
    assert page.evaluate("document.activeElement.name") == "text"
    assert "replyto" not in page.url

    respond.get_by_role("textbox", name="Name").fill("Bo Reader")
    respond.get_by_role("textbox", name="Email").fill("bo@example.org")
    respond.get_by_role("textbox", name="Comment").fill("Good point about transport.")
    respond.get_by_label("I have read and accept the comment policy").check()
    respond.get_by_role("button", name="Post comment").click()

    reply = Comment.objects.get(author_email="bo@example.org")
    assert reply.parent_id == helen.pk
    assert reply.status == Comment.Status.PENDING
    nested = page.locator(f"#comment-{helen.pk} + ol #comment-{reply.pk}")
    assert "awaiting moderation" in nested.inner_text()


def test_cancel_reply_puts_the_form_back(page, demo):
    page.goto(URL)
    first = Comment.objects.filter(status="approved").earliest("pk")
    page.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply").click()
    page.get_by_role("link", name="Cancel reply").click()
    assert page.locator("#respond").get_by_role("heading").inner_text() == "Leave a reply"
    assert page.locator("#respond input[name=parent]").input_value() == ""
    assert page.evaluate("document.getElementById('respond').closest('.comment-list') === null")


def test_a_guest_comments_with_javascript_off_on_a_page_served_from_the_cache(no_script_page, demo):
    # A first visit leaves the page in the cache; with its cookies gone this reader is a stranger to it.
    page = no_script_page
    first = page.request.get(URL)
    assert first.headers.get("x-page-cache") in {"miss", "hit"}
    page.context.clear_cookies()
    response = page.goto(URL)
    assert response is not None and response.headers.get("x-page-cache") == "hit"
    form = page.locator("form.comment-form")
    form.get_by_role("textbox", name="Name").fill("Ada Guest")
    form.get_by_role("textbox", name="Email").fill("ada@example.org")
    form.get_by_role("textbox", name="Comment").fill("Posted from a cached page with scripts off.")
    page.get_by_label("I have read and accept the comment policy").check()
    form.get_by_role("button", name="Post comment").click()

    comment = Comment.objects.get(author_email="ada@example.org")
    assert page.url.endswith(f"{URL}#comment-{comment.pk}")
    assert "awaiting your email confirmation" in page.locator(f"#comment-{comment.pk}").inner_text()
