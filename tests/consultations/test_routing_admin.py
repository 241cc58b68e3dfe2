"""Editors set routing in the admin: "ask only when" offers the respondent types and the options of
earlier choice questions, refuses a later question or two sources at once, and shows read-only once locked."""

import pytest

from consultations import routing
from consultations.admin import QuestionInlineForm, SectionInlineForm
from consultations.models import Conditional
from tests.factories import ConsultationFactory, QuestionFactory, ResponseFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    consultation = ConsultationFactory()
    first = SectionFactory(consultation=consultation, order=1, title="Your work")
    SectionFactory(consultation=consultation, order=2, title="Your organisation")
    QuestionFactory(section=first, order=1, kind="single", text="How often?", options="Often\nRarely")
    QuestionFactory(section=first, order=2, text="Together?")
    return consultation


def form_class(base, consultation):
    return type(base.__name__, (base,), {"consultation": consultation})


def question_data(question, **extra):
    return {
        "section": question.section_id,
        "order": question.order,
        "text": question.text,
        "help_text": "",
        "kind": question.kind,
        "options": question.options,
        "max_length": 2000,
        **extra,
    }


def test_a_question_is_routed_on_an_earlier_answer(consultation):
    how_often, together = consultation.questions.order_by("order")
    form = form_class(QuestionInlineForm, consultation)(
        question_data(together, ask_when=[f"question:{how_often.pk}:Often"]), instance=together
    )
    assert form.is_valid(), form.errors
    form.save()
    together.refresh_from_db()
    assert together.condition_source == Conditional.Source.QUESTION
    assert together.condition_question == how_often and together.condition_values == ["Often"]

    cleared = form_class(QuestionInlineForm, consultation)(question_data(together), instance=together)
    assert cleared.is_valid()
    cleared.save()
    together.refresh_from_db()
    assert together.condition_source == "" and together.condition_question is None


def test_a_section_is_routed_on_the_respondent_type(consultation):
    section = consultation.sections.get(title="Your organisation")
    data = {"order": 2, "title": section.title, "intro": "", "ask_when": ["respondent_type:organisation"]}
    form = form_class(SectionInlineForm, consultation)(data, instance=section)
    assert form.is_valid(), form.errors
    form.save()
    section.refresh_from_db()
    assert section.condition_source == "respondent_type" and section.condition_values == ["organisation"]


def test_it_refuses_a_later_question_and_two_sources(consultation):
    how_often, _together = consultation.questions.order_by("order")
    later = QuestionFactory(
        section=consultation.sections.get(title="Your organisation"), kind="yesno", text="Partners?"
    )
    backwards = form_class(QuestionInlineForm, consultation)(
        question_data(how_often, ask_when=[f"question:{later.pk}:yes"]), instance=how_often
    )
    assert not backwards.is_valid()
    assert "Route only on a question asked earlier" in str(backwards.errors["ask_when"])
    mixed = form_class(QuestionInlineForm, consultation)(
        question_data(later, ask_when=[f"question:{how_often.pk}:Often", "respondent_type:individual"]), instance=later
    )
    assert not mixed.is_valid() and "one question only" in str(mixed.errors["ask_when"])
    first_section = consultation.sections.get(title="Your work")
    own_page = form_class(SectionInlineForm, consultation)(
        {"order": 1, "title": "Your work", "intro": "", "ask_when": [f"question:{how_often.pk}:Often"]},
        instance=first_section,
    )
    assert not own_page.is_valid(), "a page cannot depend on its own questions"


def test_the_admin_offers_routing_and_shows_it_read_only_once_locked(client_for, editor, consultation):
    how_often, together = consultation.questions.order_by("order")
    together.condition_source = Conditional.Source.QUESTION
    together.condition_question = how_often
    together.condition_values = ["Often"]
    together.save()
    url = f"/admin/consultations/consultation/{consultation.pk}/change/"
    page = client_for(editor).get(url).content.decode()
    assert "Ask only when" in page and '<optgroup label="How often?">' in page
    assert f'value="question:{how_often.pk}:Often" selected' in page
    ResponseFactory(consultation=consultation)
    locked = client_for(editor).get(url).content.decode()
    assert "“How often?”: Often" in locked


def test_routing_on_a_later_question_is_reported_as_never_asked(consultation):
    how_often, together = consultation.questions.order_by("order")
    how_often.condition_source = Conditional.Source.QUESTION
    how_often.condition_question = together
    how_often.condition_values = ["x"]
    how_often.save()
    assert routing.forward_references(routing.questionnaire(consultation.pk)) == ["How often?"]
    assert (
        how_often.pk not in routing.plan(routing.questionnaire(consultation.pk), respondent_type="", answers={}).asked
    )
