"""The demo consultations: one open, one closed being analysed, one concluded; loading twice changes nothing."""

import pytest
from django.core.management import call_command

from consultations.demo import CLOSED_SLUG, CONCLUDED_SLUG, OPEN_SLUG
from consultations.models import Answer, Consultation, Question, Response
from consultations.selectors import duplicate_groups

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo_content", verbosity=0)


def test_the_demo_has_one_consultation_in_each_state(demo):
    assert Consultation.objects.get(slug=OPEN_SLUG).status == "open"
    assert Consultation.objects.get(slug=CLOSED_SLUG).status == "closed"
    concluded = Consultation.objects.get(slug=CONCLUDED_SLUG)
    assert concluded.status == "concluded" and concluded.final_report


def test_loading_the_demo_again_adds_no_responses(demo):
    counts = (Response.objects.count(), Answer.objects.count())
    call_command("load_demo_content", verbosity=0)
    assert (Response.objects.count(), Answer.objects.count()) == counts


def test_the_closed_demo_has_work_for_analysts_and_moderators(demo):
    closed = Consultation.objects.get(slug=CLOSED_SLUG)
    assert Answer.objects.awaiting_moderation().filter(response__consultation=closed).exists()
    question = closed.questions.get(kind="text")
    assert duplicate_groups(question)[0].count >= 6


def test_the_open_demo_consultation_can_be_answered(client, demo):
    consultation = Consultation.objects.get(slug=OPEN_SLUG)
    page = client.get(consultation.get_absolute_url())
    assert "How should research clusters be supported?" in page.content.decode()
    assert client.post(f"/consultations/{OPEN_SLUG}/respond/").status_code == 302
    assert client.get(f"/consultations/{OPEN_SLUG}/respond/2/").status_code == 302, "organisations only"
    assert client.get(f"/consultations/{OPEN_SLUG}/respond/3/").status_code == 200


def test_the_open_demo_routes_organisations_to_their_page_and_follow_ups_to_those_who_need_them(client, demo):
    client.post(f"/consultations/{OPEN_SLUG}/respond/")
    about = {
        "action": "continue",
        "email": "org@example.org",
        "name": "Ben Carter",
        "respondent_type": "organisation",
        "organisation": "Northshire Public Health",
        "organisation_role": "Director",
    }
    assert client.post(f"/consultations/{OPEN_SLUG}/respond/1/", about).url.endswith("/respond/2/")
    assert "What kind of organisation is it?" in client.get(f"/consultations/{OPEN_SLUG}/respond/2/").content.decode()
    page = client.get(f"/consultations/{OPEN_SLUG}/respond/3/").content.decode()
    assert "data-condition-field" in page and "What stops you working more closely" in page


def test_the_concluded_demo_publishes_a_summary_with_quotes(client, demo):
    concluded = Consultation.objects.get(slug=CONCLUDED_SLUG)
    assert concluded.summary_published
    quotes = Answer.objects.filter(response__consultation=concluded, summary_quote=True)
    assert quotes.count() == 2 and not quotes.filter(response__consent="private").exists()
    page = client.get(concluded.get_absolute_url()).content.decode()
    assert 'id="response-summary"' in page and "In their own words" in page


def test_loading_the_demo_again_changes_no_routing_or_summary(demo):
    state = (
        list(Question.objects.order_by("pk").values_list("pk", "condition_source", "condition_values")),
        list(Answer.objects.filter(summary_quote=True).values_list("pk", flat=True)),
    )
    call_command("load_demo_content", verbosity=0)
    assert state == (
        list(Question.objects.order_by("pk").values_list("pk", "condition_source", "condition_values")),
        list(Answer.objects.filter(summary_quote=True).values_list("pk", flat=True)),
    )
