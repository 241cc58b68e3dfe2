"""A consultation's page carries no public comment form while it runs: views go through the questionnaire.

Respondents posted their answers in public by mistake in a form under the questionnaire. The discussion
opens, clearly apart and labelled, once the outcome is published; the page, the form's post and the API
all follow the same rule (``Consultation.accepts_comments``).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from comments.models import Comment
from tests.comments.conftest import issued
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policy(policy_version, no_rate_limit):
    pass


def consultation_in(state: str):
    now = timezone.now()
    if state == "open":
        return ConsultationFactory()
    if state == "upcoming":
        return ConsultationFactory(opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9))
    closed = ConsultationFactory(opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=2))
    if state == "concluded":
        closed.concluded_at = now
        closed.save()
    return closed


@pytest.mark.parametrize("state", ["upcoming", "open", "closed"])
def test_it_shows_no_comment_form_and_refuses_comments_until_the_outcome(state, form_data):
    consultation = consultation_in(state)
    html = Client().get(consultation.get_absolute_url()).content.decode()
    assert 'class="comment-form"' not in html and "Post comment" not in html

    page = Client().post(f"/comments/consultation/{consultation.pk}/post/", form_data(text="My answer to question 2"))
    assert page.status_code == 400
    html = page.content.decode()
    assert not Comment.objects.exists()
    assert "Comments on a consultation open when its outcome is published" in html
    assert "My answer to question 2" in html  # given back, to keep or to put in a response

    api = APIClient()
    url = f"/api/v1/consultations/{consultation.slug}/comments/"
    assert api.get(url).json()["accepts_comments"] is False
    body = {"name": "Ada", "email": "ada@example.org", "text": "An answer", "accept_policy": True, "issued": issued()}
    refused = api.post(url, body, format="json")
    assert refused.status_code == 409
    assert "respond" in refused.json()["detail"]
    assert not Comment.objects.exists()


def test_the_outcome_opens_a_labelled_discussion_apart_from_the_questionnaire(form_data):
    consultation = consultation_in("concluded")
    html = Client().get(consultation.get_absolute_url()).content.decode()
    discussion = html.split('<section id="comments"')[1]
    assert html.index('id="outcome-heading"') < html.index('<section id="comments"')
    assert "Discuss the outcome" in discussion
    assert "they are not responses to the consultation" in discussion
    assert f'action="/comments/consultation/{consultation.pk}/post/"' in discussion

    response = Client().post(f"/comments/consultation/{consultation.pk}/post/", form_data())
    assert response.status_code == 302
    assert Comment.objects.get().target == consultation
    assert APIClient().get(f"/api/v1/consultations/{consultation.slug}/comments/").json()["accepts_comments"]
