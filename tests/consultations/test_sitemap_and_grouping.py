"""What a search engine and an analyst expect: consultations in the sitemap, campaign groups computed once,
and the closing time written out in UK time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from consultations import selectors, services
from consultations.sitemaps import ConsultationSitemap
from consultations.templatetags.consultation_tags import uk_moment
from tests.factories import AnswerFactory, ConsultationFactory, QuestionFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db

CAMPAIGN = "As a member of the Clusters Campaign I urge you to protect ten-year research funding for every region."


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# --- Sitemap ---------------------------------------------------------------------------


def consultations_in_every_state():
    now = timezone.now()
    concluded = ConsultationFactory(
        slug="concluded-one", opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30)
    )
    concluded.concluded_at = now - timedelta(days=2)
    concluded.save()
    return {
        "upcoming": ConsultationFactory(slug="upcoming-one", opens_at=now + timedelta(days=3)),
        "open": ConsultationFactory(slug="open-one"),
        "closed": ConsultationFactory(
            slug="closed-one", opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=1)
        ),
        "concluded": concluded,
        "draft": ConsultationFactory(slug="draft-one", is_published=False),
    }


def test_the_sitemap_lists_published_consultations_and_never_drafts(client):
    made = consultations_in_every_state()
    assert {c.status for c in made.values()} == {"upcoming", "open", "closed", "concluded", "draft"}
    page = client.get("/sitemap.xml")
    assert page.status_code == 200
    xml = page.content.decode()
    for state in ("upcoming", "open", "closed", "concluded"):
        assert f"<loc>http://testserver/consultations/{state}-one/</loc>" in xml
    assert "draft-one" not in xml


def test_the_sitemap_gives_the_last_change_including_opening_and_closing():
    made = consultations_in_every_state()
    sitemap = ConsultationSitemap()
    assert made["draft"] not in sitemap.items()
    upcoming, closed = made["upcoming"], made["closed"]
    assert sitemap.lastmod(upcoming) == upcoming.updated_at  # the opening time is still ahead
    assert sitemap.lastmod(closed) == max(closed.updated_at, closed.closes_at)
    closed.updated_at = closed.closes_at - timedelta(days=5)
    assert sitemap.lastmod(closed) == closed.closes_at  # closing changed the page after the last edit


# --- Campaign groups -------------------------------------------------------------------


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", is_staff=True, groups=["Analysts"])


@pytest.fixture
def question():
    return QuestionFactory(section__consultation=ConsultationFactory(title="Clusters"), text="What should change?")


@pytest.fixture
def grouping_calls(monkeypatch) -> list[int]:
    """Counts the runs of the real grouping (the slow step) behind the selector."""
    calls: list[int] = []
    real = selectors.near_duplicate_groups

    def counted(texts):
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(selectors, "near_duplicate_groups", counted)
    return calls


def campaign_answers(question, count: int, prefix: str = "") -> None:
    for n in range(count):
        text = f"{prefix}{CAMPAIGN} Signed, person {n}." if n % 2 else f"{prefix}{CAMPAIGN}"
        AnswerFactory(response=ResponseFactory(consultation=question.consultation), question=question, text=text)


def question_page(client, question) -> list:
    url = f"/admin/consultations/consultation/{question.consultation_id}/analysis/{question.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    return page.context["groups"]


def test_a_second_page_load_reuses_the_groups(client_for, analyst, question, grouping_calls):
    campaign_answers(question, 4)
    AnswerFactory(response=ResponseFactory(consultation=question.consultation), question=question, text="Other.")
    client = client_for(analyst)
    [first] = question_page(client, question)
    [second] = question_page(client, question)
    assert first.count == second.count == 4
    assert len(grouping_calls) == 1


def test_reading_cached_groups_takes_one_query(question, django_assert_num_queries):
    campaign_answers(question, 3)
    with django_assert_num_queries(2):  # the cache key, then the texts
        assert [g.count for g in selectors.duplicate_groups(question)] == [3]
    with django_assert_num_queries(1):  # the cache key only
        assert [g.count for g in selectors.duplicate_groups(question)] == [3]


def test_a_new_submission_updates_the_groups(client_for, analyst, question, grouping_calls):
    campaign_answers(question, 2)
    client = client_for(analyst)
    assert [g.count for g in question_page(client, question)] == [2]

    draft = ResponseFactory(consultation=question.consultation, status="draft", submitted_at=None)
    services.response_save_answers(response=draft, answers={question.pk: services.AnswerInput([], CAMPAIGN)}, page=2)
    assert [g.count for g in question_page(client, question)] == [2]  # a draft is not counted

    services.response_submit(response=draft)
    assert [g.count for g in question_page(client, question)] == [3]
    assert len(grouping_calls) == 2  # the draft changed nothing, so only the submission recomputed


def test_a_withdrawal_updates_the_groups_even_when_another_response_arrives(question):
    campaign_answers(question, 3)
    assert [g.count for g in selectors.duplicate_groups(question)] == [3]
    withdrawn = question.answers.first().response
    services.response_withdraw(response=withdrawn)
    assert [g.count for g in selectors.duplicate_groups(question)] == [2]

    # One more withdrawn and one different answer submitted: as many answers as the cached groups had.
    services.response_withdraw(response=question.answers.order_by("pk").first().response)
    AnswerFactory(
        response=ResponseFactory(consultation=question.consultation), question=question, text="Fund skills instead."
    )
    assert question.answers.filter(response__status="submitted").count() == 2
    assert selectors.duplicate_groups(question) == []


def test_questions_keep_their_own_groups(question):
    other = QuestionFactory(section=question.section)
    campaign_answers(question, 2)
    assert [g.count for g in selectors.duplicate_groups(question)] == [2]
    assert selectors.duplicate_groups(other) == []


# --- Closing time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "spoken"),
    [
        (datetime(2027, 1, 12, 23, 59, tzinfo=UTC), "11:59pm on 12 January 2027"),
        (datetime(2027, 7, 1, 8, 0, tzinfo=UTC), "9am on 1 July 2027"),  # British Summer Time
        (datetime(2027, 3, 5, 12, 0, tzinfo=UTC), "midday on 5 March 2027"),
        (datetime(2027, 8, 4, 23, 0, tzinfo=UTC), "midnight on 5 August 2027"),
        (datetime(2027, 2, 9, 17, 30, tzinfo=UTC), "5:30pm on 9 February 2027"),
    ],
)
def test_times_are_written_in_uk_time_the_gov_uk_way(moment, spoken):
    with timezone.override("America/New_York"):
        assert uk_moment(moment) == spoken


def test_an_open_consultation_says_when_it_closes(client):
    consultation = ConsultationFactory(closes_at=datetime(2027, 1, 12, 23, 59, tzinfo=UTC))
    assert consultation.status == "open"
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "This consultation closes at 11:59pm on 12 January 2027" in html


def test_a_closed_or_upcoming_consultation_does_not(client):
    now = timezone.now()
    closed = ConsultationFactory(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1))
    upcoming = ConsultationFactory(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=9))
    for consultation in (closed, upcoming):
        assert "This consultation closes at" not in client.get(consultation.get_absolute_url()).content.decode()
