"""Outcome, reminders, announcements, late links and retention: each email once, each job safe to rerun."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations import services, tasks
from consultations.models import Consultation, LateResponseLink, Response
from notifications.models import Broadcast, Delivery
from tests.factories import AnswerFactory, ConsultationFactory, ResponseFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def outcome_emails():
    return [m for m in mail.outbox if m.subject.startswith("The outcome")]


def test_publishing_the_outcome_emails_each_respondent_who_asked_exactly_once(
    closed, editor, django_capture_on_commit_callbacks
):
    wanting = [ResponseFactory(consultation=closed, email=f"r{n}@example.org") for n in range(3)]
    ResponseFactory(consultation=closed, wants_outcome=False, email="quiet@example.org")
    ResponseFactory(consultation=closed, status="draft", submitted_at=None, email="draft@example.org")
    ResponseFactory(consultation=closed, status="withdrawn", email="gone@example.org")
    subscriber = SubscriberFactory(consultations=True, all_analyses=False)
    SubscriberFactory(consultations=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_conclude(consultation=closed, actor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_conclude(consultation=closed, actor=editor)
        tasks.send_outcome(closed.pk)  # a retried task

    closed.refresh_from_db()
    assert closed.status == Consultation.Status.CONCLUDED
    recipients = sorted(address for m in outcome_emails() for address in m.to)
    assert recipients == sorted([r.email for r in wanting] + [subscriber.email])
    email = next(m for m in outcome_emails() if m.to == [wanting[0].email])
    assert "ten-year settlement" in email.body and "Clusters: the final report" in email.body
    assert Broadcast.objects.filter(key=f"consultation-outcome:{closed.pk}").count() == 1


def test_the_outcome_needs_a_closed_consultation_and_both_halves_written(closed, editor):
    open_one = ConsultationFactory(you_said="x", we_did="y")
    with pytest.raises(ValidationError):
        services.consultation_conclude(consultation=open_one, actor=editor)
    closed.we_did = ""
    closed.save()
    with pytest.raises(ValidationError):
        services.consultation_conclude(consultation=closed, actor=editor)


def test_the_admin_conclude_page_publishes_for_editors_only(client_for, closed, editor, moderator):
    url = f"/admin/consultations/consultation/{closed.pk}/conclude/"
    change_page = client_for(editor).get(f"/admin/consultations/consultation/{closed.pk}/change/")
    assert url in change_page.content.decode()
    assert client_for(moderator).get(url).status_code == 403
    assert "Publish the outcome" in client_for(editor).get(url).content.decode()
    assert client_for(editor).post(url).status_code == 302
    closed.refresh_from_db()
    assert closed.concluded_at


def test_drafts_are_reminded_three_days_before_closing_once(django_capture_on_commit_callbacks):
    closes = datetime(2027, 5, 10, 17, 0, tzinfo=LONDON)
    consultation = ConsultationFactory(opens_at=closes - timedelta(days=30), closes_at=closes)
    draft = ResponseFactory(consultation=consultation, status="draft", submitted_at=None, email="late@example.org")
    ResponseFactory(consultation=consultation, email="done@example.org")
    ResponseFactory(consultation=consultation, status="draft", submitted_at=None, email="")
    with time_machine.travel(closes - timedelta(days=4), tick=False):
        assert tasks.remind_drafts() == 0
    with time_machine.travel(closes - timedelta(days=3), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_drafts() == 1
        assert tasks.remind_drafts() == 0
    reminders = [m for m in mail.outbox if m.subject.startswith("3 days left")]
    assert [m.to for m in reminders] == [["late@example.org"]]
    assert draft.get_absolute_url() in reminders[0].body


def test_subscribers_hear_when_a_consultation_opens_once(django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory(consultations=True, all_analyses=False)
    opens = timezone.now() + timedelta(hours=1)
    consultation = ConsultationFactory(opens_at=opens, closes_at=opens + timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_openings() == 0
    with (
        time_machine.travel(opens + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.announce_openings() == 1
        assert tasks.announce_openings() == 0
    consultation.refresh_from_db()
    assert consultation.opening_announced_at
    opening = [m for m in mail.outbox if m.subject.startswith("Consultation open")]
    assert [m.to for m in opening] == [[subscriber.email]]
    assert "List-Unsubscribe" in opening[0].extra_headers


def test_a_staff_issued_link_lets_one_person_respond_after_closing(
    client, client_for, closed, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(editor).post(
            "/admin/consultations/lateresponselink/add/",
            {"consultation": closed.pk, "email": "slow@example.org", "reason": "Asked for a paper copy"},
        )
    assert page.status_code == 302
    link = LateResponseLink.objects.get()
    assert link.created_by == editor and link.expires_at > timezone.now()
    [email] = [m for m in mail.outbox if m.to == ["slow@example.org"]]
    assert link.get_absolute_url() in email.body

    assert client.post(f"/consultations/{closed.slug}/respond/").status_code == 403
    assert client.post(link.get_absolute_url()).status_code == 302
    assert client.get(f"/consultations/{closed.slug}/respond/1/").status_code == 200
    row = Response.objects.get()
    assert row.late_link == link and row.email == "slow@example.org"

    link.expires_at = timezone.now() - timedelta(minutes=1)
    link.save()
    assert client.get(f"/consultations/{closed.slug}/respond/1/").status_code == 403
    assert client.get(link.get_absolute_url()).status_code == 403


def test_personal_data_is_removed_months_after_conclusion_and_answers_kept(settings):
    settings.CONSULTATION_RETENTION_MONTHS = 6
    concluded_at = datetime(2027, 1, 15, 12, 0, tzinfo=LONDON)
    old = ConsultationFactory(
        opens_at=concluded_at - timedelta(days=90),
        closes_at=concluded_at - timedelta(days=30),
        concluded_at=concluded_at,
    )
    row = ResponseFactory(
        consultation=old,
        email="amy@example.org",
        name="Amy",
        respondent_type="organisation",
        organisation="Cancer Alliance",
        organisation_role="Director",
    )
    answer = AnswerFactory(response=row, text="Keep this")
    recent = ResponseFactory(
        consultation=ConsultationFactory(
            opens_at=concluded_at - timedelta(days=20),
            closes_at=concluded_at - timedelta(days=10),
            concluded_at=concluded_at + timedelta(days=60),
        ),
        email="bo@example.org",
    )
    with time_machine.travel(datetime(2027, 7, 14, tzinfo=LONDON), tick=False):
        assert tasks.remove_expired_personal_data() == 0
    with time_machine.travel(datetime(2027, 7, 16, tzinfo=LONDON), tick=False):
        assert tasks.remove_expired_personal_data() == 1
        assert tasks.remove_expired_personal_data() == 0
    row.refresh_from_db()
    recent.refresh_from_db()
    assert (row.email, row.name, row.organisation_role) == ("", "", "")
    assert row.organisation == "Cancer Alliance" and row.personal_data_removed_at
    answer.refresh_from_db()
    assert answer.text == "Keep this"
    assert recent.email == "bo@example.org"


def test_outbox_rows_are_tied_to_the_response(closed, django_capture_on_commit_callbacks):
    row = ResponseFactory(consultation=closed, status="draft", submitted_at=None, email="t@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.response_send_link(response=row)
    delivery = Delivery.objects.get(recipient="t@example.org")
    assert delivery.content_type.model == "response" and delivery.object_id == row.pk
