"""Question routing: pages and questions asked only when an earlier answer (or the respondent type) calls for
them, skipped without JavaScript, left out of check-your-answers, the receipt, the email and the export,
and their answers discarded when they stop applying."""

import pytest
from django.core import mail

from consultations import exports, routing, selectors
from consultations.models import Answer, Conditional, Response
from tests.factories import ConsultationFactory, QuestionFactory, ResponseFactory, SectionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ORG = Conditional.Source.RESPONDENT_TYPE
BY_QUESTION = Conditional.Source.QUESTION


@pytest.fixture
def consultation():
    """Page 2 for everyone, page 3 for organisations only, and a follow-up on page 2 after "Often"."""
    consultation = ConsultationFactory(slug="routed", title="Clusters")
    everyone = SectionFactory(consultation=consultation, title="Your work", order=1)
    organisations = SectionFactory(
        consultation=consultation,
        title="About your organisation",
        order=2,
        condition_source=ORG,
        condition_values=["organisation"],
    )
    SectionFactory(consultation=consultation, title="Last thoughts", order=3)
    how_often = QuestionFactory(
        section=everyone, order=1, kind="single", text="How often?", options="Often\nRarely", required=True
    )
    QuestionFactory(
        section=everyone,
        order=2,
        text="What do you do together?",
        required=True,
        condition_source=BY_QUESTION,
        condition_question=how_often,
        condition_values=["Often"],
    )
    QuestionFactory(section=organisations, order=1, text="How many staff?", required=True)
    return consultation


def questions(consultation):
    return {question.text: question for question in consultation.questions.all()}


def about(kind="individual", **extra):
    details = {"action": "continue", "email": "amy@example.org", "name": "Amy", "respondent_type": kind}
    if kind == "organisation":
        details.update(organisation="Northshire Public Health", organisation_role="Director")
    return {**details, **extra}


def declaration(**extra):
    return {"action": "continue", "tobacco_links": "no", "consent": "private", "wants_outcome": "on", **extra}


def start(client, consultation) -> str:
    client.post(f"/consultations/{consultation.slug}/respond/")
    return f"/consultations/{consultation.slug}/respond/"


def test_it_skips_the_organisation_page_for_an_individual_and_asks_the_follow_up_only_after_often(client, consultation):
    q = questions(consultation)
    base = start(client, consultation)
    assert client.post(f"{base}1/", about()).url == f"{base}2/"
    page = client.get(f"{base}2/").content.decode()
    assert "Page 1 of 5" not in page and "Page 2 of 5" in page  # about, your work, last thoughts, declaration, check
    rarely = {"action": "continue", f"q{q['How often?'].pk}": "Rarely"}
    assert client.post(f"{base}2/", rarely).url == f"{base}4/", "the organisation page is skipped"
    assert client.get(f"{base}3/").url == f"{base}4/", "and cannot be reached by its address"
    back = client.get(f"{base}4/").content.decode()
    assert f'class="back-link" href="{base}2/"' in back


def test_an_organisation_is_asked_its_page(client, consultation):
    q = questions(consultation)
    base = start(client, consultation)
    assert client.post(f"{base}1/", about("organisation")).url == f"{base}2/"
    together = q["What do you do together?"].pk
    answers = {"action": "continue", f"q{q['How often?'].pk}": "Often", f"q{together}": "Trials"}
    assert client.post(f"{base}2/", answers).url == f"{base}3/"
    assert "How many staff?" in client.get(f"{base}3/").content.decode()
    missing = client.post(f"{base}3/", {"action": "continue"})
    assert missing.status_code == 200 and "There is a problem" in missing.content.decode()


def test_a_follow_up_on_the_same_page_is_required_only_when_its_condition_holds(client, consultation):
    q = questions(consultation)
    base = start(client, consultation)
    client.post(f"{base}1/", about())
    page = client.get(f"{base}2/").content.decode()
    # Without JavaScript the follow-up is on the page, saying when to answer it, for the script to hide.
    assert f'data-condition-field="q{q["How often?"].pk}"' in page
    assert "Answer this only if you chose “Often” for “How often?”." in page
    often = client.post(f"{base}2/", {"action": "continue", f"q{q['How often?'].pk}": "Often"})
    assert often.status_code == 200
    body = often.content.decode()
    assert f'href="#id_q{q["What do you do together?"].pk}"' in body, "the error summary links to the follow-up"
    # Typed into the follow-up, then "Rarely" chosen (no JavaScript hid it): not asked, so not kept.
    rarely = {
        "action": "continue",
        f"q{q['How often?'].pk}": "Rarely",
        f"q{q['What do you do together?'].pk}": "Written while it showed",
    }
    assert client.post(f"{base}2/", rarely).status_code == 302
    assert not Answer.objects.filter(question=q["What do you do together?"]).exists()


def test_changing_an_earlier_answer_discards_the_answers_that_stop_applying(client, consultation):
    q = questions(consultation)
    base = start(client, consultation)
    client.post(f"{base}1/", about("organisation"))
    client.post(
        f"{base}2/",
        {"action": "continue", f"q{q['How often?'].pk}": "Often", f"q{q['What do you do together?'].pk}": "Trials"},
    )
    client.post(f"{base}3/", {"action": "continue", f"q{q['How many staff?'].pk}": "40"})
    response = Response.objects.get()
    assert set(response.answers.values_list("question__text", flat=True)) == {
        "How often?",
        "What do you do together?",
        "How many staff?",
    }
    client.post(f"{base}1/", about("individual"))
    response.refresh_from_db()
    assert response.organisation == "" and response.organisation_role == ""
    assert set(response.answers.values_list("question__text", flat=True)) == {"How often?", "What do you do together?"}
    client.post(f"{base}2/", {"action": "continue", f"q{q['How often?'].pk}": "Rarely"})
    assert list(response.answers.values_list("question__text", flat=True)) == ["How often?"]


def test_check_your_answers_the_receipt_the_email_and_the_export_show_only_what_was_asked(
    client, consultation, django_capture_on_commit_callbacks
):
    q = questions(consultation)
    base = start(client, consultation)
    client.post(f"{base}1/", about())
    client.post(f"{base}2/", {"action": "continue", f"q{q['How often?'].pk}": "Rarely"})
    client.post(f"{base}5/", {"action": "continue", "tobacco_links": "no", "consent": "private"})
    check = client.get(f"{base}check/").content.decode()
    assert "How often?" in check
    for not_asked in ("What do you do together?", "How many staff?", "About your organisation"):
        assert not_asked not in check
    assert "Before you can send" not in check, "questions not asked are not missing"

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{base}check/", {"action": "submit"})
    receipt = client.get(done.url).content.decode()
    assert "How often?" in receipt and "How many staff?" not in receipt
    [email] = [message for message in mail.outbox if "received your response" in message.subject]
    assert "How often?" in email.body and "How many staff?" not in email.body
    assert "What do you do together?" not in email.body
    header, row = list(exports.rows(consultation))
    staff_column = header.index(next(column for column in header if column.endswith("How many staff?")))
    assert row[staff_column] == ""


def test_the_organisation_follow_ups_are_revealed_under_their_answer(client, consultation):
    base = start(client, consultation)
    page = client.get(f"{base}1/").content.decode()
    reveal = page.index('data-reveal-when="id_respondent_type_1"')
    assert page.index('id="id_respondent_type_1"') < reveal < page.index('id="id_organisation"')
    client.post(f"{base}1/", about())
    declaration_page = client.get(f"{base}5/").content.decode()
    assert declaration_page.index('data-reveal-when="id_tobacco_links_0"') < declaration_page.index(
        'id="id_tobacco_links_details"'
    )


def test_declared_links_need_their_details_and_undeclared_ones_drop_them(client, consultation):
    base = start(client, consultation)
    client.post(f"{base}1/", about())
    refused = client.post(f"{base}5/", declaration(tobacco_links="yes"))
    assert refused.status_code == 200 and 'href="#id_tobacco_links_details"' in refused.content.decode()
    client.post(f"{base}5/", declaration(tobacco_links="no", tobacco_links_details="Typed, then answered no"))
    assert Response.objects.get().tobacco_links_details == ""


def test_a_chain_falls_with_its_first_link(consultation):
    q = questions(consultation)
    later = SectionFactory(consultation=consultation, title="Partners", order=4)
    QuestionFactory(
        section=later,
        text="Which partners?",
        condition_source=BY_QUESTION,
        condition_question=q["How many staff?"],
        condition_values=["many"],
    )
    depends = QuestionFactory(
        section=later,
        kind="yesno",
        text="Is it a trial?",
        condition_source=BY_QUESTION,
        condition_question=q["How often?"],
        condition_values=["Often"],
    )
    sections = selectors.consultation_sections(consultation)
    plan = routing.plan(sections, respondent_type="individual", answers={q["How often?"].pk: ["Often"]})
    assert [section.title for section in plan.sections] == ["Your work", "Last thoughts", "Partners"]
    assert depends.pk in plan.asked and q["How many staff?"].pk not in plan.asked
    stale = routing.plan(
        sections,
        respondent_type="individual",
        answers={q["How often?"].pk: ["Rarely"], q["What do you do together?"].pk: []},
    )
    assert depends.pk not in stale.asked and q["What do you do together?"].pk not in stale.asked


def test_a_response_without_answers_is_asked_only_the_unconditional_questions(consultation):
    response = ResponseFactory(consultation=consultation, status="draft", respondent_type="")
    plan = routing.response_plan(response)
    assert [section.title for section in plan.sections] == ["Your work", "Last thoughts"]
    assert {question.text for section in plan.sections for question in plan.questions[section.pk]} == {"How often?"}


def test_the_consultation_page_lists_when_routed_pages_and_questions_are_asked(client, consultation):
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Asked only if you respond “On behalf of an organisation”." in page
    assert "Asked only if you chose “Often” for “How often?”." in page


def test_a_position_paper_on_a_page_that_stops_applying_is_deleted_with_its_answer(
    client, consultation, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.consultations.attachments_setup import stored, stored_files

    settings.STORAGES = {
        **settings.STORAGES,
        "consultation_attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    q = questions(consultation)
    staff = q["How many staff?"]
    staff.accepts_files = True
    staff.save()
    base = start(client, consultation)
    client.post(f"{base}1/", about("organisation"))
    response = Response.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        stored(response, staff)
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}1/", about("individual"))
    assert not response.attachments.exists() and stored_files(settings) == []
