"""Routing through the API: the detail says what each section and question is asked on, and a response
is checked as the pages check it: a question not asked is neither required nor accepted."""

import pytest

from consultations.models import Conditional, Response
from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def consultation():
    consultation = ConsultationFactory(slug="routed")
    work = SectionFactory(consultation=consultation, order=1, title="Your work")
    organisation = SectionFactory(
        consultation=consultation,
        order=2,
        title="Your organisation",
        condition_source=Conditional.Source.RESPONDENT_TYPE,
        condition_values=["organisation"],
    )
    how_often = QuestionFactory(section=work, order=1, kind="single", text="How often?", options="Often\nRarely")
    QuestionFactory(
        section=work,
        order=2,
        text="What stops you?",
        required=True,
        condition_source=Conditional.Source.QUESTION,
        condition_question=how_often,
        condition_values=["Rarely"],
    )
    QuestionFactory(section=organisation, text="How many staff?", required=True)
    return consultation


def ids(consultation):
    return {question.text: question.pk for question in consultation.questions.all()}


def body(answers, respondent_type="individual"):
    details = {"organisation": "Alliance", "organisation_role": "Director"} if respondent_type == "organisation" else {}
    return {
        "email": "amy@example.org",
        "name": "Amy",
        "respondent_type": respondent_type,
        "tobacco_links": "no",
        "consent": "private",
        "answers": answers,
        **details,
    }


def test_the_detail_says_when_each_section_and_question_is_asked(client, consultation):
    sections = client.get("/api/v1/consultations/routed/").json()["sections"]
    assert sections[0]["asked_when"] is None
    assert sections[1]["asked_when"] == {"depends_on": "respondent_type", "question": None, "values": ["organisation"]}
    follow_up = sections[0]["questions"][1]["asked_when"]
    assert follow_up == {"depends_on": "question", "question": ids(consultation)["How often?"], "values": ["Rarely"]}


def test_an_individual_who_rarely_works_with_a_cluster_answers_only_what_they_are_asked(client, consultation):
    q = ids(consultation)
    answers = [{"question": q["How often?"], "selected": ["Often"]}]
    created = client.post("/api/v1/consultations/routed/responses/", body(answers), content_type="application/json")
    assert created.status_code == 201, created.json()
    missing = client.post(
        "/api/v1/consultations/routed/responses/",
        body([{"question": q["How often?"], "selected": ["Rarely"]}], "organisation"),
        content_type="application/json",
    )
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {f"answers.q{q['What stops you?']}", f"answers.q{q['How many staff?']}"}


def test_an_answer_to_a_question_not_asked_is_refused(client, consultation):
    q = ids(consultation)
    answers = [
        {"question": q["How often?"], "selected": ["Often"]},
        {"question": q["What stops you?"], "text": "Not asked of me"},
        {"question": q["How many staff?"], "text": "40"},
    ]
    refused = client.post("/api/v1/consultations/routed/responses/", body(answers), content_type="application/json")
    assert refused.status_code == 400
    [message] = refused.json()["errors"]["answers"]
    assert str(sorted([q["What stops you?"], q["How many staff?"]])) in message
    assert not Response.objects.exists()
