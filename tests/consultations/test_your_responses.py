"""'Your responses' on the account page: a person's own responses, their state and their links, never anyone else's."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from consultations import services
from consultations.models import LateResponseLink
from tests.factories import ConsultationFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "/account/"


@pytest.fixture
def person():
    user = UserFactory(username="person", email="person@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def closed_consultation(**kwargs):
    now = timezone.now()
    return ConsultationFactory(opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1), **kwargs)


def test_it_asks_strangers_to_sign_in(client):
    page = client.get(ACCOUNT)
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/login/")


def test_it_says_when_there_are_none(client_for, person):
    page = client_for(person).get(ACCOUNT)
    assert page.status_code == 200
    assert page.context["responses"] == []
    assert "You have not responded to any consultation." in page.content.decode()


def test_it_offers_to_continue_a_draft_while_the_consultation_is_open(client_for, person):
    draft = ResponseFactory(user=person, status="draft", submitted_at=None, consultation__title="Open one")
    html = client_for(person).get(ACCOUNT).content.decode()
    assert "Open one" in html
    assert "Draft" in html
    assert draft.reference in html
    assert f'<a href="/responses/{draft.token}/">Continue your response</a>' in html


def test_it_offers_no_way_to_continue_once_closed(client_for, person):
    draft = ResponseFactory(user=person, status="draft", submitted_at=None, consultation=closed_consultation())
    html = client_for(person).get(ACCOUNT).content.decode()
    assert draft.reference in html
    assert "Continue your response" not in html
    assert f"/responses/{draft.token}/" not in html


def test_a_late_link_keeps_a_draft_open_after_closing(client_for, person):
    consultation = closed_consultation()
    link = LateResponseLink.objects.create(
        consultation=consultation, email=person.email, reason="Asked", expires_at=timezone.now() + timedelta(days=2)
    )
    draft = ResponseFactory(user=person, status="draft", submitted_at=None, consultation=consultation, late_link=link)
    html = client_for(person).get(ACCOUNT).content.decode()
    assert f'<a href="/responses/{draft.token}/">Continue your response</a>' in html


def test_a_submitted_response_shows_its_date_and_the_receipt_and_withdraw_link_while_open(client_for, person):
    submitted_at = timezone.now().replace(year=2026, month=11, day=3)
    response = ResponseFactory(user=person, submitted_at=submitted_at)
    html = client_for(person).get(ACCOUNT).content.decode()
    assert "Submitted" in html
    assert "3 November 2026" in html
    assert response.reference in html
    assert f'<a href="/responses/{response.token}/">View your receipt or withdraw your response</a>' in html
    assert "See the outcome" not in html


def test_a_concluded_consultation_links_to_its_outcome(client_for, person):
    consultation = closed_consultation(you_said="Said", we_did="Did")
    consultation.concluded_at = timezone.now()
    consultation.save()
    response = ResponseFactory(user=person, consultation=consultation)
    html = client_for(person).get(ACCOUNT).content.decode()
    assert f'<a href="/consultations/{consultation.slug}/#outcome-heading">See the outcome</a>' in html
    assert f'<a href="/responses/{response.token}/">View your receipt</a>' in html
    assert "withdraw your response" not in html


def test_it_lists_responses_given_under_a_verified_address_but_not_an_unverified_one(client_for, person):
    EmailAddress.objects.create(user=person, email="work@example.org", verified=True)
    EmailAddress.objects.create(user=person, email="unproven@example.org", verified=False)
    by_verified = ResponseFactory(email="Work@Example.org")
    by_unverified = ResponseFactory(email="unproven@example.org")
    listed = client_for(person).get(ACCOUNT).context["responses"]
    assert listed == [by_verified]
    assert by_unverified not in listed


def test_it_never_shows_anyone_elses_responses(client_for, person):
    other = UserFactory(username="other", email="other@example.org")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    mine = ResponseFactory(user=person)
    theirs = ResponseFactory(user=other, consultation=mine.consultation)
    by_their_address = ResponseFactory(email="other@example.org")
    anonymous = ResponseFactory(email="")

    html = client_for(person).get(ACCOUNT).content.decode()
    assert mine.reference in html
    for response in (theirs, by_their_address, anonymous):
        assert response.reference not in html
        assert response.token not in html
    assert client_for(other).get(ACCOUNT).context["responses"] == [by_their_address, theirs]


def test_a_withdrawn_response_leaves_the_list(client_for, person):
    response = ResponseFactory(user=person)
    services.response_withdraw(response=response)
    assert client_for(person).get(ACCOUNT).context["responses"] == []


def test_it_escapes_the_consultation_title(client_for, person):
    ResponseFactory(user=person, consultation__title="<script>alert(1)</script>")
    html = client_for(person).get(ACCOUNT).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_is_not_cached(client_for, person):
    page = client_for(person).get(ACCOUNT)
    assert "no-store" in page["Cache-Control"]


@pytest.mark.parametrize("count", [1, 10])
def test_it_takes_the_same_queries_for_one_response_or_ten(client_for, person, django_assert_max_num_queries, count):
    now = timezone.now()
    link = LateResponseLink.objects.create(
        consultation=closed_consultation(), email=person.email, reason="Asked", expires_at=now + timedelta(days=2)
    )
    for n in range(count):
        if n % 3 == 0:
            ResponseFactory(user=person, status="draft", submitted_at=None)
        elif n % 3 == 1:
            ResponseFactory(
                user=person, status="draft", submitted_at=None, consultation=link.consultation, late_link=link
            )
        else:
            ResponseFactory(email=person.email, consultation=closed_consultation())
    client = client_for(person)
    with django_assert_max_num_queries(4):
        page = client.get(ACCOUNT)
    assert len(page.context["responses"]) == count
