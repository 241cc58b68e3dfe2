"""Nobody can mail-bomb a stranger: every email a stranger can cause to an address they type is
limited per recipient address, counted in the outbox, across the forms and the API, and carries
none of the stranger's words."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from comments.decisions import comment_moderate
from comments.models import Comment
from comments.views import target_key
from notifications.models import Delivery
from notifications.services import delivery_enqueue
from tests.comments.conftest import issued
from tests.factories import (
    AnalysisFactory,
    CommentFactory,
    ConsultationFactory,
    PolicyVersionFactory,
    QuestionFactory,
    SectionFactory,
    SubscriberFactory,
    UserFactory,
)
from tests.services import require_postgresql

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"
# Tomorrow, so that factories made at the real time (an open consultation) still hold then.
START = timezone.now().replace(microsecond=0) + timedelta(days=1)


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.NOTIFICATIONS_RECIPIENT_LIMIT_PER_HOUR = 3
    settings.NOTIFICATIONS_RECIPIENT_LIMIT_PER_DAY = 10


@pytest.fixture
def analysis(db):
    PolicyVersionFactory()
    return AnalysisFactory(title="Funding research clusters")


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def client_address(number: int) -> str:
    return f"198.51.100.{number % 250 + 1}"


def guest_comment(client_number: int, analysis, *, by_api: bool, text: str, name: str = "A Guest"):
    """One guest comment from its own client address, through the page or the API."""
    address = client_address(client_number)
    if by_api:
        body = {"name": name, "email": VICTIM, "text": text, "accept_policy": True, "issued": issued()}
        return APIClient().post(f"/api/v1/analyses/{analysis.slug}/comments/", body, format="json", REMOTE_ADDR=address)
    form = {"name": name, "email": VICTIM, "text": text, "accept_policy": "on", "website": "", "issued": issued()}
    return Client().post(f"/comments/{target_key(analysis)}/{analysis.pk}/post/", form, REMOTE_ADDR=address)


# --- Comment confirmations ----------------------------------------------------------------------


def test_twenty_guest_comments_to_one_address_send_it_at_most_the_hourly_limit(
    analysis, django_capture_on_commit_callbacks
):
    answers = []
    for number in range(20):
        # 16 s apart: past the 15 s comment rate limit, as the attack was run.
        with (
            time_machine.travel(START + timedelta(seconds=16 * number), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reply = guest_comment(number, analysis, by_api=number % 2 == 1, text=f"Comment number {number}")
            answers.append(reply.status_code)

    assert answers == [302, 201] * 10
    # Every comment is kept: it waits unconfirmed, it just brings no more email.
    assert Comment.objects.filter(author_email=VICTIM, status=Comment.Status.UNCONFIRMED).count() == 20
    assert len(emails_to(VICTIM)) == 3
    assert Delivery.objects.filter(recipient=VICTIM, kind="comment_confirmation").count() == 3


def test_the_page_and_the_api_answer_the_same_when_the_email_was_held_back(
    analysis, django_capture_on_commit_callbacks
):
    messages = []
    for number in range(5):
        with (
            time_machine.travel(START + timedelta(seconds=16 * number), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reply = guest_comment(number, analysis, by_api=True, text=f"Comment number {number}")
        assert reply.status_code == 201
        messages.append((reply.json()["state"], reply.json()["message"]))

    assert len(emails_to(VICTIM)) == 3
    # The fourth and fifth were held back, and their answers say nothing different.
    assert len(set(messages)) == 1


def test_a_day_of_guest_comments_sends_the_address_at_most_the_daily_limit(
    analysis, django_capture_on_commit_callbacks
):
    for number in range(40):
        # One every 16 minutes for over ten hours: under the hourly limit most hours, over the daily one.
        with (
            time_machine.travel(START + timedelta(minutes=16 * number), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            guest_comment(number, analysis, by_api=number % 2 == 0, text=f"Comment number {number}")

    assert Comment.objects.filter(author_email=VICTIM).count() == 40
    assert len(emails_to(VICTIM)) == 10


def test_the_confirmation_link_comes_again_once_the_hour_has_passed(analysis, django_capture_on_commit_callbacks):
    for number in range(5):
        with (
            time_machine.travel(START + timedelta(seconds=16 * number), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            guest_comment(number, analysis, by_api=False, text=f"Comment number {number}")
    assert len(emails_to(VICTIM)) == 3

    with (
        time_machine.travel(START + timedelta(minutes=61), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        guest_comment(99, analysis, by_api=False, text="Trying again later")
    assert len(emails_to(VICTIM)) == 4


def test_the_confirmation_email_carries_none_of_the_commenters_words(analysis, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        reply = guest_comment(
            1,
            analysis,
            by_api=False,
            name="MARKERNAME call 0800 000 000",
            text="MARKERTEXT Your account is locked, visit the link to unlock it",
        )
    assert reply.status_code == 302

    [email] = emails_to(VICTIM)
    delivery = Delivery.objects.get(recipient=VICTIM)
    html = email.alternatives[0][0]
    for part in (email.subject, email.body, html, delivery.subject, delivery.body_text, delivery.body_html):
        assert "MARKER" not in part
        assert "0800" not in part
    # What the email needs: which discussion, and the link (whose page shows the comment before confirming).
    assert "Funding research clusters" in email.subject
    assert "/comments/confirm/" in email.body


# --- Save and return, receipts ------------------------------------------------------------------


@pytest.fixture
def consultation(db):
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    QuestionFactory(section=SectionFactory(consultation=consultation), text="What should change?", required=True)
    return consultation


def test_nine_save_and_return_requests_in_fifteen_seconds_send_at_most_the_limit(
    consultation, django_capture_on_commit_callbacks
):
    base = f"/consultations/{consultation.slug}/respond/"
    pages = []
    for number in range(9):
        with time_machine.travel(START + timedelta(seconds=number * 1.5), tick=False):
            browser = Client(REMOTE_ADDR=client_address(number))
            browser.post(base)
            about = {"action": "save-later", "email": VICTIM, "name": "Sam", "respondent_type": "individual"}
            with django_capture_on_commit_callbacks(execute=True):
                pages.append(browser.post(f"{base}1/", about))

    assert [page.status_code for page in pages] == [200] * 9
    assert all("We have emailed a link" in page.content.decode() for page in pages)
    assert len(emails_to(VICTIM)) == 3
    assert Delivery.objects.filter(recipient=VICTIM, kind="consultation_return_link").count() == 3


def test_one_draft_saved_again_and_again_sends_at_most_the_limit(consultation, django_capture_on_commit_callbacks):
    base = f"/consultations/{consultation.slug}/respond/"
    browser = Client()
    browser.post(base)
    for number in range(9):
        with time_machine.travel(START + timedelta(seconds=number * 1.5), tick=False):
            about = {"action": "save-later", "email": VICTIM, "name": f"Sam {number}", "respondent_type": "individual"}
            with django_capture_on_commit_callbacks(execute=True):
                browser.post(f"{base}1/", about)

    assert len(emails_to(VICTIM)) == 3


def test_responses_sent_through_the_api_with_one_address_bring_it_at_most_the_limit_of_receipts(
    consultation, django_capture_on_commit_callbacks
):
    question = consultation.questions.get()
    for number in range(6):
        body = {
            "email": VICTIM,
            "name": "Sam",
            "respondent_type": "individual",
            "tobacco_links": "no",
            "consent": "private",
            "answers": [{"question": question.pk, "text": f"Answer number {number}"}],
        }
        with django_capture_on_commit_callbacks(execute=True):
            reply = APIClient().post(
                f"/api/v1/consultations/{consultation.slug}/responses/",
                body,
                format="json",
                REMOTE_ADDR=client_address(number),
            )
        assert reply.status_code == 201, reply.content

    assert len(emails_to(VICTIM)) == 3
    assert Delivery.objects.filter(recipient=VICTIM, kind="consultation_receipt").count() == 3


def test_a_few_saves_do_not_cost_a_respondent_their_receipt(consultation, django_capture_on_commit_callbacks):
    base = f"/consultations/{consultation.slug}/respond/"
    browser = Client()
    browser.post(base)
    about = {"action": "save-later", "email": VICTIM, "name": "Sam", "respondent_type": "individual"}
    for number in range(3):
        with time_machine.travel(START + timedelta(minutes=number), tick=False):
            browser.post(f"{base}1/", {**about, "name": f"Sam {number}"})
    draft = consultation.responses.get()
    draft.tobacco_links, draft.consent = "no", "private"
    draft.save()
    draft.answers.create(question=consultation.questions.get(), text="More money")

    with (
        time_machine.travel(START + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        browser.post(f"{base}check/", {"action": "submit"})
    assert Delivery.objects.filter(recipient=VICTIM, kind="consultation_receipt").count() == 1


# --- Subscribing --------------------------------------------------------------------------------


def subscribe(number: int, *, by_api: bool):
    address = client_address(number)
    if by_api:
        body = {"email": VICTIM, "all_analyses": True}
        return APIClient().post("/api/v1/subscriptions/", body, format="json", REMOTE_ADDR=address)
    form = {"email": VICTIM, "all_analyses": "on", "frequency": "immediate"}
    return Client().post("/notifications/subscribe/", form, REMOTE_ADDR=address)


def test_the_subscribe_form_and_api_together_send_one_link_an_hour(db, django_capture_on_commit_callbacks):
    for number in range(8):
        with (
            time_machine.travel(START + timedelta(minutes=5 * number), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reply = subscribe(number, by_api=number % 2 == 1)
        assert reply.status_code == (202 if number % 2 else 302)

    assert len(emails_to(VICTIM)) == 1


def test_a_day_of_subscribing_by_form_and_api_sends_the_address_at_most_the_daily_limit(
    db, django_capture_on_commit_callbacks
):
    for number in range(16):
        # Each past the one-link-an-hour window, so only the per-address daily limit stops them.
        with (
            time_machine.travel(START + timedelta(minutes=61 * number), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            subscribe(number, by_api=number % 2 == 1)

    assert len(emails_to(VICTIM)) == 10


def test_preferences_links_and_subscribe_links_share_the_addresses_limit(db, django_capture_on_commit_callbacks):
    SubscriberFactory(email=VICTIM, confirmed_at=START - timedelta(days=30))
    for number in range(16):
        with (
            time_machine.travel(START + timedelta(minutes=61 * number), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            if number % 2:
                subscribe(number, by_api=True)
            else:
                Client().post("/notifications/preferences/", {"email": VICTIM}, REMOTE_ADDR=client_address(number))

    assert len(emails_to(VICTIM)) == 10


# --- Reply notifications ------------------------------------------------------------------------


def test_a_wave_of_replies_brings_the_parents_author_at_most_the_limit_without_names_in_subjects(
    analysis, django_capture_on_commit_callbacks
):
    parent = CommentFactory(target=analysis, author_email=VICTIM, notify_replies=True, status=Comment.Status.APPROVED)
    moderator = UserFactory(is_staff=True, is_superuser=True)
    replies = [
        CommentFactory(
            target=analysis, parent=parent, author_name="MARKERNAME", author_email=f"r{number}@example.org",
            status=Comment.Status.PENDING, text=f"Reply number {number}",
        )
        for number in range(6)
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        for reply in replies:
            comment_moderate(comment=reply, action="approve", moderator=moderator)

    notices = emails_to(VICTIM)
    assert len(notices) == 3
    assert all("MARKERNAME" not in notice.subject for notice in notices)


# --- The limit itself ---------------------------------------------------------------------------


def enqueue(key: str, *, kind: str = "comment_confirmation", limit=("comment_confirmation",)):
    return delivery_enqueue(
        recipient=VICTIM,
        template="subscription-preferences-link",
        context={"preferences_url": "https://example.org/p/", "link_days": 90},
        kind=kind,
        idempotency_key=key,
        recipient_limit=limit,
    )


def test_a_held_back_email_writes_no_row_and_a_repeated_event_is_not_counted_twice(db):
    first = [enqueue(f"event:{number}") for number in range(3)]
    assert enqueue("event:0") == first[0]
    assert enqueue("event:3") is None
    assert Delivery.objects.filter(recipient=VICTIM).count() == 3


def test_each_family_of_emails_has_its_own_limit_and_unlimited_mail_is_untouched(db):
    for number in range(3):
        enqueue(f"comment:{number}")
        enqueue(f"link:{number}", kind="consultation_return_link", limit=("consultation_return_link",))
    assert enqueue("comment:3") is None
    assert enqueue("staff-chosen:1", kind="consultation_late_link", limit=()) is not None
    assert Delivery.objects.filter(recipient=VICTIM).count() == 7


def test_the_address_is_compared_as_normalised(db):
    for number in range(3):
        delivery_enqueue(
            recipient=f"  Victim@Example.ORG{' ' * number}",
            template="subscription-preferences-link",
            context={"preferences_url": "https://example.org/p/", "link_days": 90},
            kind="comment_confirmation",
            idempotency_key=f"spelling:{number}",
            recipient_limit=("comment_confirmation",),
        )
    assert enqueue("spelling:3") is None


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_requests_to_one_address_get_only_the_limit_through():
    require_postgresql()
    barrier = threading.Barrier(8)
    written: list[bool] = []

    def attack(number: int) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            written.append(enqueue(f"parallel:{number}") is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=attack, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(written) == [False] * 5 + [True] * 3
    assert Delivery.objects.filter(recipient=VICTIM).count() == 3


def test_proof_links_asked_for_by_whoever_holds_a_drafts_link_are_limited_per_address(consultation):
    from consultations.emails import send_claim_link
    from tests.factories import ResponseFactory

    draft = ResponseFactory(consultation=consultation, status="draft", submitted_at=None, email=VICTIM)
    for number in range(6):
        send_claim_link(response=draft, link=f"/responses/claim/{number}/", nonce=str(number))

    assert Delivery.objects.filter(recipient=VICTIM, kind="consultation_claim_link").count() == 3
