"""Responding end to end: paged questionnaire, save and return, submit once, receipt, withdrawal."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from consultations.models import Answer, Response
from notifications.models import Delivery
from tests.factories import ConsultationFactory, QuestionFactory, ResponseFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    consultation = ConsultationFactory(title="Supporting research clusters")
    first = SectionFactory(consultation=consultation, title="Funding", order=1)
    second = SectionFactory(consultation=consultation, title="Places", order=2)
    QuestionFactory(section=first, text="What should change?", required=True, max_length=50)
    QuestionFactory(section=first, text="Do you agree?", kind="scale")
    QuestionFactory(section=second, text="Which regions?", kind="multiple", options="North\nSouth", allow_other=True)
    return consultation


def about(email="amy@example.org", **extra):
    return {"action": "continue", "email": email, "name": "Amy", "respondent_type": "individual", **extra}


def declaration(**extra):
    return {"action": "continue", "tobacco_links": "no", "consent": "private", "wants_outcome": "on", **extra}


def start(client, consultation):
    response = client.post(f"/consultations/{consultation.slug}/respond/")
    assert response.status_code == 302
    return f"/consultations/{consultation.slug}/respond/"


def test_it_walks_an_individual_through_every_page_to_a_receipt(
    client, consultation, django_capture_on_commit_callbacks
):
    base = start(client, consultation)
    assert client.get(f"{base}1/").status_code == 200
    assert client.post(f"{base}1/", about()).url == f"{base}2/"
    questions = list(consultation.questions.all())
    page = {"action": "continue", f"q{questions[0].pk}": "More money", f"q{questions[1].pk}": "agree"}
    assert client.post(f"{base}2/", page).url == f"{base}3/"
    page = {"action": "continue", f"q{questions[2].pk}": ["North", "other"], f"q{questions[2].pk}_other": "Wales"}
    assert client.post(f"{base}3/", page).url == f"{base}4/"
    assert client.post(f"{base}4/", declaration()).url == f"{base}check/"
    check = client.get(f"{base}check/")
    assert "More money" in check.content.decode() and "Wales" in check.content.decode()
    assert f'href="{base}3/">Change your answers on “Places”' in check.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{base}check/", {"action": "submit"})
    row = Response.objects.get()
    assert done.url == f"/responses/{row.token}/"
    assert row.status == Response.Status.SUBMITTED and row.submitted_at
    receipt = client.get(done.url).content.decode()
    assert row.reference in receipt and "Withdraw my response" in receipt
    assert row.public_reference not in receipt
    [email] = [m for m in mail.outbox if "received your response" in m.subject]
    assert email.to == ["amy@example.org"]
    assert row.reference in email.body and "More money" in email.body and "Wales" in email.body


def test_it_submits_only_once(client, consultation, django_capture_on_commit_callbacks):
    row = ResponseFactory(consultation=consultation, status="draft", submitted_at=None)
    session = client.session
    session["consultation_responses"] = {str(consultation.pk): row.holder_key}
    session.save()
    answer_required(row)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/consultations/{consultation.slug}/respond/check/", {"action": "submit"})
        again = client.post(f"/consultations/{consultation.slug}/respond/check/", {"action": "submit"})
    assert again.status_code == 302 and again.url == row.get_absolute_url()
    assert Delivery.objects.filter(idempotency_key=f"consultation-receipt:{row.pk}").count() == 1
    assert len([m for m in mail.outbox if "received your response" in m.subject]) == 1


def answer_required(row):
    for question in row.consultation.questions.filter(required=True):
        Answer.objects.create(response=row, question=question, text="Yes")


def test_it_keeps_what_was_typed_and_lists_errors_in_a_summary(client, consultation):
    base = start(client, consultation)
    client.post(f"{base}1/", about())
    question = consultation.questions.first()
    page = client.post(f"{base}2/", {"action": "continue", f"q{question.pk}": "x" * 60})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="error-summary"' in html and f'href="#id_q{question.pk}"' in html
    assert "50 characters or fewer" in html
    assert "x" * 60 in html  # what was typed stays in the box
    assert not Answer.objects.exists()


def test_an_organisation_must_give_its_name_and_the_respondents_role(client, consultation):
    base = start(client, consultation)
    page = client.post(f"{base}1/", about(respondent_type="organisation"))
    html = page.content.decode()
    assert "Enter the name of the organisation" in html and "Enter your role" in html
    assert "#id_organisation" in html
    ok = client.post(
        f"{base}1/", about(respondent_type="organisation", organisation="Cancer Alliance", organisation_role="Director")
    )
    assert ok.status_code == 302
    row = Response.objects.get()
    assert (row.organisation, row.organisation_role) == ("Cancer Alliance", "Director")


def test_the_tobacco_declaration_is_required_and_a_yes_needs_details(client, consultation):
    base = start(client, consultation)
    last = consultation.sections.count() + 2
    client.post(f"{base}1/", about())
    html = client.post(f"{base}{last}/", {"action": "continue", "consent": "private"}).content.decode()
    assert 'href="#id_tobacco_links_0"' in html
    html = client.post(f"{base}{last}/", declaration(tobacco_links="yes")).content.decode()
    assert "Describe the links or funding you have declared" in html
    ok = client.post(
        f"{base}{last}/", declaration(tobacco_links="yes", tobacco_links_details="Shares in a cigarette maker")
    )
    assert ok.status_code == 302
    assert Response.objects.get().tobacco_links_details == "Shares in a cigarette maker"


@pytest.mark.parametrize("consent", ["named", "anonymous"])
def test_publishing_needs_the_comment_policy_accepted(client, consultation, consent):
    base = start(client, consultation)
    last = consultation.sections.count() + 2
    html = client.post(f"{base}{last}/", declaration(consent=consent)).content.decode()
    assert "comment policy" in html and "#id_accept_policy" in html
    assert client.post(f"{base}{last}/", declaration(consent=consent, accept_policy="on")).status_code == 302


def test_save_and_return_emails_a_link_that_resumes_where_left_off(consultation, django_capture_on_commit_callbacks):
    from django.test import Client

    first = Client()
    base = start(first, consultation)
    first.post(f"{base}1/", about())
    question = consultation.questions.first()
    with django_capture_on_commit_callbacks(execute=True):
        saved = first.post(f"{base}2/", {"action": "save-later", f"q{question.pk}": "Half a thought"})
    assert "We have emailed a link" in saved.content.decode()
    [email] = [m for m in mail.outbox if "Carry on" in m.subject]
    link = re.search(r"https?://\S+/responses/\S+/", email.body).group(0)

    # In the browser that saved it; another browser proves the address first (test_draft_link_capture.py).
    resumed = first.get(link.removeprefix(settings.SITE_URL))
    assert resumed.status_code == 302 and resumed.url == f"{base}3/"
    page = first.get(f"{base}2/").content.decode()
    assert "Half a thought" in page


def test_save_for_later_does_not_insist_on_required_answers(client, consultation, django_capture_on_commit_callbacks):
    base = start(client, consultation)
    client.post(f"{base}1/", about())
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(f"{base}2/", {"action": "save-later"})
    assert saved.status_code == 200 and "saved" in saved.content.decode()


def test_submission_is_refused_while_required_answers_are_missing(client, consultation):
    base = start(client, consultation)
    client.post(f"{base}1/", about())
    page = client.post(f"{base}check/", {"action": "submit"})
    assert page.status_code == 400
    assert "What should change?" in page.content.decode()
    assert Response.objects.get().status == Response.Status.DRAFT


def test_withdrawal_before_closing_deletes_the_answers_and_personal_data(client, consultation):
    row = ResponseFactory(consultation=consultation, email="amy@example.org", name="Amy")
    answer_required(row)
    page = client.post(f"/responses/{row.token}/withdraw/", follow=True)
    assert "withdrawn" in page.content.decode()
    row.refresh_from_db()
    assert row.status == Response.Status.WITHDRAWN and row.withdrawn_at
    assert (row.email, row.name) == ("", "") and not row.answers.exists()


def test_withdrawal_after_closing_is_refused(client, consultation):
    row = ResponseFactory(consultation=consultation)
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.opens_at = timezone.now() - timedelta(days=30)
    consultation.save()
    page = client.post(f"/responses/{row.token}/withdraw/", follow=True)
    assert "can no longer be withdrawn" in page.content.decode()
    row.refresh_from_db()
    assert row.status == Response.Status.SUBMITTED
