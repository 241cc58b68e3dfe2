"""Every question type's validation, and the question set locking once responses arrive."""

import pytest

from consultations.forms import SectionForm
from consultations.services import AnswerInput
from tests.factories import ConsultationFactory, QuestionFactory, ResponseFactory, SectionFactory

pytestmark = pytest.mark.django_db


def form_for(question, data, partial=False):
    return SectionForm(data, section=question.section, answers={}, partial=partial)


def test_free_text_enforces_its_length_limit_and_requiredness():
    question = QuestionFactory(kind="text", max_length=10, required=True)
    assert form_for(question, {f"q{question.pk}": "short"}).is_valid()
    too_long = form_for(question, {f"q{question.pk}": "x" * 11})
    assert not too_long.is_valid()
    assert "10 characters or fewer (it has 11)" in too_long.errors[f"q{question.pk}"][0]
    assert not form_for(question, {}).is_valid()
    assert form_for(question, {}, partial=True).is_valid()


def test_single_choice_takes_one_of_its_options():
    question = QuestionFactory(kind="single", options="Yes, fully\nIn part\nNot at all")
    assert form_for(question, {f"q{question.pk}": "In part"}).is_valid()
    invalid = form_for(question, {f"q{question.pk}": "Something else"})
    assert not invalid.is_valid()
    form = form_for(question, {f"q{question.pk}": "In part"})
    form.is_valid()
    assert form.answers() == {question.pk: AnswerInput(selected=["In part"], text="")}


def test_multiple_choice_with_other_needs_the_other_specified():
    question = QuestionFactory(kind="multiple", options="North\nSouth", allow_other=True, required=True)
    field = f"q{question.pk}"
    assert not form_for(question, {}).is_valid()
    missing = form_for(question, {field: ["North", "other"]})
    assert not missing.is_valid() and f"{field}_other" in missing.errors
    form = form_for(question, {field: ["North", "other"], f"{field}_other": "Wales"})
    assert form.is_valid()
    assert form.answers()[question.pk] == AnswerInput(selected=["North", "other"], text="Wales")
    # "Other" text typed without ticking "Other" is not kept.
    form = form_for(question, {field: ["South"], f"{field}_other": "Ignored"})
    assert form.is_valid() and form.answers()[question.pk].text == ""


def test_the_agree_disagree_scale_has_five_points():
    question = QuestionFactory(kind="scale")
    assert [value for value, _ in question.option_choices()] == [
        "strongly-agree",
        "agree",
        "neither",
        "disagree",
        "strongly-disagree",
    ]
    assert form_for(question, {f"q{question.pk}": "neither"}).is_valid()
    assert not form_for(question, {f"q{question.pk}": "meh"}).is_valid()


def test_yes_no_takes_yes_or_no():
    question = QuestionFactory(kind="yesno", required=True)
    assert form_for(question, {f"q{question.pk}": "yes"}).is_valid()
    assert not form_for(question, {f"q{question.pk}": "maybe"}).is_valid()
    errors = form_for(question, {}).error_summary()
    assert errors == [(f"id_q{question.pk}_0", f"{question.text}: Select an answer.")]


def test_help_text_is_linked_to_the_input():
    question = QuestionFactory(help_text="Think about the next ten years.")
    form = form_for(question, {})
    form.is_valid()
    assert f"id_q{question.pk}-hint" in str(form[f"q{question.pk}"])


def test_editors_see_why_the_questions_are_locked_once_responses_arrive(client_for, editor):
    consultation = ConsultationFactory()
    section = SectionFactory(consultation=consultation)
    QuestionFactory(section=section, text="Before anyone answered")
    url = f"/admin/consultations/consultation/{consultation.pk}/change/"
    page = client_for(editor).get(url)
    assert page.context["inline_admin_formsets"][1].has_change_permission
    ResponseFactory(consultation=consultation, status="draft", submitted_at=None)
    page = client_for(editor).get(url)
    html = page.content.decode()
    assert "The questions are locked because people have started responding" in html
    section_inline, question_inline = page.context["inline_admin_formsets"]
    assert not question_inline.has_change_permission and not question_inline.has_add_permission
    assert not section_inline.has_delete_permission


def test_the_admin_refuses_a_closing_time_before_the_opening_time(client_for, editor):
    page = client_for(editor).post(
        "/admin/consultations/consultation/add/",
        {
            "title": "Backwards",
            "slug": "backwards",
            "summary": "S",
            "body": "B",
            "opens_at_0": "2027-03-10",
            "opens_at_1": "09:00",
            "closes_at_0": "2027-03-01",
            "closes_at_1": "09:00",
            "contact_email": "policy@example.org",
            "sections-TOTAL_FORMS": "0",
            "sections-INITIAL_FORMS": "0",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 200
    assert "A consultation must close after it opens." in page.content.decode()
