"""A draft's emailed link cannot capture someone else's answers.

The attack: start a response, "save and come back later" under your own address, send the
/responses/<token>/ link to someone; they carry on and submit, and you read their answers in the
receipt. Now only the browser holding the draft (the one that started it, or the last one to
prove its address) works on it; anyone else who opens the link is shown whose draft it is,
masked, and can start their own response or prove the address with a link that works only in
their own browser.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from consultations.models import Answer, Response
from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/consultations/clusters/respond/"


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """The link limits count in the cache; each test counts alone."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture
def consultation():
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    section = SectionFactory(consultation=consultation, title="Funding", order=1)
    QuestionFactory(section=section, text="What should change?", required=True)
    return consultation


def question(consultation):
    return consultation.questions.get()


def about(email: str, **extra) -> dict:
    return {"action": "continue", "email": email, "name": "Someone", "respondent_type": "individual", **extra}


def declaration() -> dict:
    return {"action": "continue", "tobacco_links": "no", "consent": "private", "wants_outcome": "on"}


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


def links_to(address: str, pattern: str) -> list[str]:
    return [
        path_of(link)
        for message in mail.outbox
        if message.to == [address]
        for link in re.findall(rf"https?://\S+{pattern}", message.body)
    ]


def save_a_draft(consultation, capture, address: str, answer: str) -> tuple[Client, str]:
    """A browser that starts a response, answers, and saves it for later under ``address``."""
    browser = Client()
    browser.post(f"{BASE}")
    browser.post(f"{BASE}1/", about(address))
    with capture(execute=True):
        saved = browser.post(f"{BASE}2/", {"action": "save-later", f"q{question(consultation).pk}": answer})
    assert "We have emailed a link" in saved.content.decode()
    [link] = links_to(address, r"/responses/[^/\s]+/")
    return browser, link


def receipts_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address] and "received" in message.subject]


def test_a_forwarded_save_link_lets_the_person_it_was_sent_to_neither_see_nor_answer(
    consultation, django_capture_on_commit_callbacks
):
    attacker, link = save_a_draft(
        consultation, django_capture_on_commit_callbacks, "attacker@example.org", "The attacker's words"
    )
    draft = Response.objects.get()
    victim = Client()

    opened = victim.get(link)

    assert opened.status_code == 403
    page = opened.content.decode()
    assert "a***@example.org" in page and "attacker@example.org" not in page
    assert "Start my own response" in page and "Email me a link to continue here" in page
    assert "The attacker&#x27;s words" not in page and "The attacker's words" not in page

    # Past the link, every page of the questionnaire treats the victim as having no draft.
    assert victim.get(f"{BASE}2/")["Location"] == "/consultations/clusters/"
    assert victim.post(f"{BASE}1/", about("victim@example.org"))["Location"] == "/consultations/clusters/"
    victim.post(f"{BASE}2/", {"action": "continue", f"q{question(consultation).pk}": "The victim's view"})
    victim.post(f"{BASE}3/", declaration())
    with django_capture_on_commit_callbacks(execute=True):
        submitted = victim.post(f"{BASE}check/", {"action": "submit"})
    assert submitted["Location"] == "/consultations/clusters/"

    draft.refresh_from_db()
    assert draft.status == Response.Status.DRAFT and draft.email == "attacker@example.org"
    assert list(Answer.objects.values_list("text", flat=True)) == ["The attacker's words"]
    assert receipts_to("attacker@example.org") == []
    # The one who saved it carries on in their own browser as before.
    assert attacker.get(link)["Location"] == f"{BASE}3/"
    assert "The attacker&#x27;s words" in attacker.get(f"{BASE}2/").content.decode()


def test_starting_their_own_response_keeps_the_visitors_answers_and_receipt_their_own(
    consultation, django_capture_on_commit_callbacks
):
    attacker, link = save_a_draft(consultation, django_capture_on_commit_callbacks, "attacker@example.org", "Draft")
    victim = Client()
    victim.get(link)

    assert victim.post(f"{BASE}")["Location"] == f"{BASE}1/"
    victim.post(f"{BASE}1/", about("victim@example.org"))
    victim.post(f"{BASE}2/", {"action": "continue", f"q{question(consultation).pk}": "The victim's view"})
    victim.post(f"{BASE}3/", declaration())
    with django_capture_on_commit_callbacks(execute=True):
        victim.post(f"{BASE}check/", {"action": "submit"})

    own = Response.objects.get(email="victim@example.org")
    assert own.status == Response.Status.SUBMITTED
    assert [m.to for m in mail.outbox if "received" in m.subject] == [["victim@example.org"]]
    assert "The victim" not in attacker.get(link).content.decode()
    assert Response.objects.get(email="attacker@example.org").status == Response.Status.DRAFT


def test_the_owner_in_another_browser_proves_the_address_with_a_link_that_works_only_there(
    consultation, django_capture_on_commit_callbacks
):
    laptop, link = save_a_draft(consultation, django_capture_on_commit_callbacks, "amy@example.org", "Half a thought")
    phone = Client()
    assert phone.get(link).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        asked = phone.post(f"{link}claim/")
    assert asked.status_code == 200 and "a***@example.org" in asked.content.decode()
    [proof] = links_to("amy@example.org", r"/responses/[^/\s]+/claim/[^/\s]+/")

    # Forwarded, the proof opens nothing in someone else's browser.
    elsewhere = Client()
    refused = elsewhere.get(proof)
    assert refused.status_code == 403
    assert "works only in the browser that asked for it" in refused.content.decode()
    assert elsewhere.get(f"{BASE}2/")["Location"] == "/consultations/clusters/"

    assert phone.get(proof)["Location"] == f"{BASE}3/"
    assert "Half a thought" in phone.get(f"{BASE}2/").content.decode()
    # One browser holds a draft at a time: the laptop has handed it over.
    assert laptop.get(f"{BASE}2/")["Location"] == "/consultations/clusters/"
    # The emailed save link still leads the owner back, through the same proof.
    assert phone.get(link)["Location"] == f"{BASE}3/"


def test_a_tampered_or_expired_proof_opens_nothing(consultation, django_capture_on_commit_callbacks):
    _laptop, link = save_a_draft(consultation, django_capture_on_commit_callbacks, "amy@example.org", "Draft")
    phone = Client()
    with django_capture_on_commit_callbacks(execute=True):
        phone.post(f"{link}claim/")
    [proof] = links_to("amy@example.org", r"/responses/[^/\s]+/claim/[^/\s]+/")

    assert phone.get(proof[:-3] + "x/").status_code == 400
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert phone.get(proof).status_code == 400
    assert phone.get(f"{BASE}2/")["Location"] == "/consultations/clusters/"


def test_a_draft_started_under_someone_elses_address_is_lost_to_its_starter_once_they_prove_it(
    consultation, django_capture_on_commit_callbacks
):
    """The other way round: the attacker types the victim's address, so the link goes to the victim."""
    attacker, link = save_a_draft(consultation, django_capture_on_commit_callbacks, "victim@example.org", "Bait")
    victim = Client()
    opened = victim.get(link)
    assert opened.status_code == 403 and "v***@example.org" in opened.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        victim.post(f"{link}claim/")
    [proof] = links_to("victim@example.org", r"/responses/[^/\s]+/claim/[^/\s]+/")
    victim.get(proof)
    victim.post(f"{BASE}2/", {"action": "continue", f"q{question(consultation).pk}": "The victim's view"})

    # The attacker's browser no longer holds the draft, so it sees none of what the victim writes.
    assert attacker.get(f"{BASE}2/")["Location"] == "/consultations/clusters/"
    assert "The victim" not in attacker.get("/consultations/clusters/").content.decode()


def test_changing_the_address_retires_the_links_sent_to_the_old_one(consultation, django_capture_on_commit_callbacks):
    """Save under one's own address (getting a link), switch to the victim's, and the old link is dead."""
    attacker, old_link = save_a_draft(consultation, django_capture_on_commit_callbacks, "attacker@example.org", "x")
    with django_capture_on_commit_callbacks(execute=True):
        attacker.post(f"{BASE}1/", about("victim@example.org", action="save-later"))
    [new_link] = links_to("victim@example.org", r"/responses/[^/\s]+/")

    assert new_link != old_link
    assert attacker.get(old_link).status_code == 404


def test_an_account_whose_verified_address_it_is_continues_at_once_and_takes_the_draft(
    consultation, django_capture_on_commit_callbacks, client_for
):
    laptop, link = save_a_draft(consultation, django_capture_on_commit_callbacks, "amy@example.org", "Half a thought")
    amy = UserFactory(email="amy@example.org")
    EmailAddress.objects.create(user=amy, email="Amy@example.org", verified=True, primary=True)
    stranger = UserFactory(email="stranger@example.org")
    EmailAddress.objects.create(user=stranger, email=stranger.email, verified=True, primary=True)

    assert client_for(stranger).get(link).status_code == 403
    signed_in = client_for(amy)
    assert signed_in.get(link)["Location"] == f"{BASE}3/"
    assert Response.objects.get().user == amy
    assert laptop.get(f"{BASE}2/")["Location"] == "/consultations/clusters/"
