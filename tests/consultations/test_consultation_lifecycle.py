"""Status derives from the clock: a consultation opens and closes on time with no job."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from consultations.models import Consultation, Response
from tests.factories import ConsultationFactory, QuestionFactory, ResponseFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
OPENS = datetime(2027, 3, 1, 9, 0, tzinfo=LONDON)
CLOSES = datetime(2027, 3, 29, 23, 59, tzinfo=LONDON)  # the night the clocks go forward


@pytest.fixture
def consultation():
    return ConsultationFactory(opens_at=OPENS, closes_at=CLOSES, slug="clusters")


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (datetime(2027, 3, 1, 8, 59, 59, tzinfo=LONDON), "upcoming"),
        (OPENS, "open"),
        (datetime(2027, 3, 29, 23, 58, tzinfo=LONDON), "open"),
        (CLOSES, "closed"),
    ],
)
def test_it_opens_and_closes_on_time(consultation, moment, status):
    with time_machine.travel(moment, tick=False):
        assert consultation.status == status
        by_verb = {
            "upcoming": Consultation.objects.upcoming(),
            "open": Consultation.objects.open(),
            "closed": Consultation.objects.closed(),
        }
        assert list(by_verb[status]) == [consultation]
        assert all(consultation not in qs for name, qs in by_verb.items() if name != status)


def test_a_draft_stays_a_draft_whatever_the_time(consultation):
    consultation.is_published = False
    consultation.save()
    with time_machine.travel(datetime(2027, 3, 10, tzinfo=LONDON), tick=False):
        assert consultation.status == "draft"
        assert not Consultation.objects.published().exists()


def test_publishing_the_outcome_concludes_it(consultation):
    with time_machine.travel(datetime(2027, 4, 10, tzinfo=LONDON), tick=False):
        consultation.concluded_at = timezone.now()
        consultation.save()
        assert consultation.status == "concluded"
        assert list(Consultation.objects.concluded()) == [consultation]
        assert not Consultation.objects.closed().exists()


def test_the_form_refuses_a_response_the_moment_it_closes(client, consultation):
    with time_machine.travel(datetime(2027, 3, 29, 23, 0, tzinfo=LONDON), tick=False):
        assert client.post("/consultations/clusters/respond/").status_code == 302
        assert client.get("/consultations/clusters/respond/1/").status_code == 200
    with time_machine.travel(CLOSES, tick=False):
        page = client.get("/consultations/clusters/respond/1/")
        assert page.status_code == 403
        assert "no longer accepts responses" in page.content.decode()
        client.cookies.clear()
        late = client.post("/consultations/clusters/respond/")
        assert late.status_code == 403
        assert "not open for responses" in late.content.decode()


def test_the_list_shows_open_first_then_closed_then_concluded(client):
    now = timezone.now()
    closed = ConsultationFactory(
        title="Closed one", opens_at=now - timezone.timedelta(days=30), closes_at=now - timezone.timedelta(days=1)
    )
    concluded = ConsultationFactory(
        title="Concluded one",
        opens_at=now - timezone.timedelta(days=90),
        closes_at=now - timezone.timedelta(days=60),
        concluded_at=now - timezone.timedelta(days=5),
    )
    open_one = ConsultationFactory(title="Open one")
    ConsultationFactory(title="Secret draft", is_published=False)
    html = client.get("/consultations/").content.decode()
    assert html.index(open_one.title) < html.index(closed.title) < html.index(concluded.title)
    assert "Secret draft" not in html


def test_the_detail_page_counts_down_while_open_and_reads_in_constant_queries(client, django_assert_max_num_queries):
    consultation = ConsultationFactory()
    for _ in range(5):
        QuestionFactory(section__consultation=consultation)
    with django_assert_max_num_queries(12):
        page = client.get(consultation.get_absolute_url())
    html = page.content.decode()
    assert "Closes in" in html and "data-countdown" in html
    assert "Respond to this consultation" in html


def test_a_draft_is_a_404_for_the_public_and_a_preview_for_editors(client_for, anonymous, editor):
    draft = ConsultationFactory(is_published=False)
    assert client_for(anonymous).get(draft.get_absolute_url()).status_code == 404
    preview = client_for(editor).get(draft.get_absolute_url())
    assert preview.status_code == 200 and "Preview" in preview.content.decode()


def test_an_upcoming_consultation_shows_when_it_opens_and_takes_no_responses(client):
    upcoming = ConsultationFactory(opens_at=timezone.now() + timezone.timedelta(days=2))
    html = client.get(upcoming.get_absolute_url()).content.decode()
    assert "This consultation opens on" in html
    assert client.post(f"/consultations/{upcoming.slug}/respond/").status_code == 403
    assert not Response.objects.exists()


def test_a_concluded_consultation_shows_its_outcome(client):
    concluded = ConsultationFactory(
        opens_at=timezone.now() - timezone.timedelta(days=90),
        closes_at=timezone.now() - timezone.timedelta(days=60),
        concluded_at=timezone.now(),
        you_said="Most of you wanted **long-term** funding.",
        we_did="We will ask for a ten-year settlement.",
    )
    ResponseFactory(consultation=concluded)
    html = client.get(concluded.get_absolute_url()).content.decode()
    assert "we asked, you said, we did" in html.lower()
    assert "<strong>long-term</strong>" in html and "ten-year settlement" in html
