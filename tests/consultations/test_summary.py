"""The published summary of responses: figures, campaigns and analysts' quotes, on the page, in the API and
linked from the outcome email; never anything from a response whose author refused publication."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from consultations import services, tasks  # noqa: F401 - registers the outcome job's task
from consultations.models import Answer
from tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    QuestionFactory,
    ResponseFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CAMPAIGN = "I support the Smokefree Futures campaign and urge you to raise the age of sale every single year."
PRIVATE_WORDS = "Confidential: my employer funds this work and I must not be named"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", is_staff=True, groups=["Analysts"])


@pytest.fixture
def concluded():
    now = timezone.now()
    consultation = ConsultationFactory(
        slug="concluded",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=30),
        concluded_at=now - timedelta(days=2),
        you_said="Most said yes.",
        we_did="We asked for more.",
        summary_published=True,
    )
    section = SectionFactory(consultation=consultation, title="Staff", order=1)
    QuestionFactory(section=section, order=1, kind="yesno", text="Enough staff?")
    QuestionFactory(section=section, order=2, kind="multiple", text="What helps?", options="Training\nScanners")
    QuestionFactory(section=section, order=3, text="What else?")
    return consultation


def respond(consultation, *, consent, kind="individual", yesno="yes", helps=("Training",), text="", name="Ann"):
    questions = {question.text: question for question in consultation.questions.all()}
    response = ResponseFactory(consultation=consultation, consent=consent, respondent_type=kind, name=name)
    publication = Answer.Publication.APPROVED if consent != "private" else Answer.Publication.NOT_REQUESTED
    for text_of, selected in (("Enough staff?", [yesno]), ("What helps?", list(helps))):
        AnswerFactory(
            response=response, question=questions[text_of], selected=selected, text="", publication=publication
        )
    if text:
        AnswerFactory(response=response, question=questions["What else?"], text=text, publication=publication)
    return response


@pytest.fixture
def responses(concluded):
    cache.clear()
    named = respond(concluded, consent="named", text="Evening clinics would help working people.", name="Bea")
    respond(concluded, consent="anonymous", kind="organisation", helps=("Training", "Scanners"))
    for n in range(3):
        respond(concluded, consent="anonymous", text=f"{CAMPAIGN} {'Thanks.' * n}", name=f"Campaigner {n}")
    private = respond(concluded, consent="private", yesno="no", helps=("Scanners",), text=PRIVATE_WORDS, name="Zed")
    return {"named": named, "private": private}


def page(client, consultation) -> str:
    response = client.get(consultation.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_counts_consenting_responses_by_type_and_by_option(client, concluded, responses):
    html = page(client, concluded)
    assert 'id="response-summary"' in html
    assert "This summary counts the 5 responses whose authors agreed to publication." in html
    assert "1 more respondent asked us not to publish their response" in html
    assert "3 of these responses repeat" in html, "campaign responses are named as such"
    # Yes/no: all five consenting said yes; the private "no" is nowhere.
    yes = '<th scope="row">Yes</th><td class="number">5</td><td class="number">100%</td><td class="number">3</td>'
    assert yes in html
    assert '<th scope="row">No</th><td class="number">0</td><td class="number">0%</td>' in html
    assert '<th scope="row">Scanners</th><td class="number">1</td><td class="number">20%</td>' in html
    assert "People could choose more than one answer" in html
    assert '<th scope="row">On behalf of an organisation</th><td class="number">1</td>' in html


def test_a_non_consenting_response_never_reaches_the_summary(client, api, analyst, concluded, responses):
    private = responses["private"]
    private_answer = private.answers.get(question__text="What else?")
    with pytest.raises(ValidationError):
        services.answer_mark_quote(answer=private_answer, quote=True, actor=analyst)
    # Even marked behind the services' back, and even published by mistake, it stays out.
    Answer.objects.filter(response=private).update(summary_quote=True, publication=Answer.Publication.APPROVED)
    html = page(client, concluded)
    data = api.get(f"/api/v1/consultations/{concluded.slug}/summary/").json()
    for text in (html, str(data)):
        assert PRIVATE_WORDS not in text and private.public_reference not in text and "Zed" not in text
    staff = next(q for q in data["questions"] if q["question_text"] == "Enough staff?")
    assert [(o["value"], o["count"]) for o in staff["options"]] == [("yes", 5), ("no", 0)]
    assert data["total"] == 5 and data["unpublished"] == 1


def test_analysts_choose_quotes_shown_as_moderated(client, client_for, analyst, concluded, responses):
    named = responses["named"].answers.get(question__text="What else?")
    admin = client_for(analyst)
    url = f"/admin/consultations/consultation/{concluded.pk}/analysis/{named.question_id}/"
    assert f'name="a{named.pk}-quote"' in admin.get(url).content.decode()
    private = responses["private"].answers.get(question__text="What else?")
    assert f'name="a{private.pk}-quote"' not in admin.get(url).content.decode()
    admin.post(url, {"answer": named.pk, f"a{named.pk}-note": "", f"a{named.pk}-quote": "on"})
    named.refresh_from_db()
    assert named.summary_quote
    html = page(client, concluded)
    assert "Evening clinics would help working people." in html and "Bea (As an individual)" in html

    named.publication, named.published_text = Answer.Publication.REDACTED, "Evening clinics would help [redacted]."
    named.save()
    html = page(client, concluded)
    assert "Evening clinics would help [redacted]." in html and "working people" not in html
    named.publication = Answer.Publication.PENDING
    named.save()
    assert "Evening clinics" not in page(client, concluded), "not shown until moderators publish it"


def test_a_quoted_campaign_text_says_so(client, analyst, concluded, responses):
    campaign = Answer.objects.filter(text__startswith=CAMPAIGN).first()
    services.answer_mark_quote(answer=campaign, quote=True, actor=analyst)
    assert "A campaign text, sent by 3 respondents" in page(client, concluded)


def test_no_summary_until_concluded_and_switched_on(client, api, concluded, responses):
    concluded.summary_published = False
    concluded.save()
    assert 'id="response-summary"' not in page(client, concluded)
    assert api.get(f"/api/v1/consultations/{concluded.slug}/summary/").status_code == 404
    open_one = ConsultationFactory(summary_published=True)
    assert 'id="response-summary"' not in page(client, open_one)
    assert api.get(f"/api/v1/consultations/{open_one.slug}/summary/").status_code == 404


def test_the_api_gives_the_same_summary(api, concluded, responses, analyst):
    services.answer_mark_quote(
        answer=responses["named"].answers.get(question__text="What else?"), quote=True, actor=analyst
    )
    data = api.get(f"/api/v1/consultations/{concluded.slug}/summary/").json()
    assert data["campaign"] == 3 and data["campaigns"] == 1
    assert [(t["value"], t["count"]) for t in data["by_type"]] == [("individual", 4), ("organisation", 1)]
    helps = next(q for q in data["questions"] if q["question_text"] == "What helps?")
    assert helps["multiple"] and helps["answered"] == 5
    assert [(o["label"], o["count"], o["percentage"], o["campaign"]) for o in helps["options"]] == [
        ("Training", 5, 100.0, 3),
        ("Scanners", 1, 20.0, 0),
    ]
    [quote] = data["quotes"]
    assert quote["name"] == "Bea" and quote["text"] == "Evening clinics would help working people."


def test_the_page_costs_the_same_queries_with_ten_times_the_responses(
    client, concluded, responses, django_assert_max_num_queries
):
    page(client, concluded)  # the campaign groups are cached, as the analysts' pages leave them
    # The page without a summary costs 11; the summary adds 6: the campaign groups' state, the counts by
    # type, the unpublished count, the closed questions, their counts, the quotes.
    with django_assert_max_num_queries(17):
        page(client, concluded)
    for n in range(30):
        respond(concluded, consent="named", text=f"{CAMPAIGN} {n}" if n % 2 else f"Idea number {n}", name=f"P{n}")
    page(client, concluded)
    with django_assert_max_num_queries(17):
        page(client, concluded)


def test_the_outcome_email_links_to_the_summary(closed, editor, django_capture_on_commit_callbacks):
    closed.summary_published = True
    closed.save()
    ResponseFactory(consultation=closed, email="heard@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_conclude(consultation=closed, actor=editor)
    [email] = [m for m in mail.outbox if m.to == ["heard@example.org"]]
    assert f"{closed.get_absolute_url()}#response-summary" in email.body
    html = email.alternatives[0][0]
    assert f"{closed.get_absolute_url()}#response-summary" in html


def test_the_outcome_page_says_whether_the_summary_goes_with_it(client_for, editor):
    now = timezone.now()
    closed = ConsultationFactory(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1))
    page = client_for(editor).get(f"/admin/consultations/consultation/{closed.pk}/conclude/").content.decode()
    assert "No summary of the responses will be published" in page
    closed.summary_published = True
    closed.save()
    page = client_for(editor).get(f"/admin/consultations/consultation/{closed.pk}/conclude/").content.decode()
    assert "The summary of the responses will be published with the outcome" in page
