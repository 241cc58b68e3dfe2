"""The demo consultations: one open, one closed being analysed, one concluded; loading twice changes nothing."""

import pytest
from django.core.management import call_command

from consultations.demo import CLOSED_SLUG, CONCLUDED_SLUG, OPEN_SLUG
from consultations.models import Answer, Consultation, Response
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
    assert client.get(f"/consultations/{OPEN_SLUG}/respond/2/").status_code == 200
