import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.models import PersonalDataRequest
from accounts.personal_data import data_subject_find, personal_data_erase
from comments.models import Comment
from comments.pipeline import Submission, check_bans
from consultations.models import Answer, Response
from core.personal_data import address_hash
from moderation.models import Ban, ModerationEvent
from notifications.models import Delivery, Stream, Subscriber, Suppression
from notifications.services import delivery_enqueue
from tests.accounts.personal_data_fixtures import ALT, OTHER, PERSON, UNPROVEN, make_records, rows_mentioning
from tests.services import require_postgresql

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    return make_records()


@pytest.fixture
def erased(records, superuser):
    personal_data_erase(subject=data_subject_find(email=PERSON), actor=superuser)
    return records


def test_erasure_leaves_no_trace_of_any_of_the_persons_addresses_in_any_table(records, superuser):
    assert rows_mentioning(PERSON, ALT, UNPROVEN)  # the scan sees them before

    personal_data_erase(subject=data_subject_find(email=PERSON), actor=superuser)

    assert rows_mentioning(PERSON, ALT, UNPROVEN) == []


def test_erasure_leaves_no_trace_on_postgresql_too(records, superuser):
    require_postgresql()
    personal_data_erase(subject=data_subject_find(email=PERSON), actor=superuser)
    assert rows_mentioning(PERSON, ALT, UNPROVEN) == []


def test_the_account_goes_and_another_persons_records_stay(erased):
    assert not get_user_model().objects.filter(username="person").exists()
    assert get_user_model().objects.filter(username="other").exists()
    assert Comment.objects.filter(pk=erased.other_comment.pk, author_email=OTHER).exists()
    assert Subscriber.objects.filter(email=OTHER).exists()
    assert Delivery.objects.filter(recipient=OTHER).exists()
    assert Response.objects.get(pk=erased.other_response.pk).email == OTHER
    assert Suppression.objects.filter(email=OTHER).exists()


def test_a_reply_survives_under_its_anonymised_parent(erased):
    parent = Comment.objects.get(pk=erased.guest_comment.pk)
    reply = Comment.objects.get(pk=erased.reply.pk)

    assert reply.parent_id == parent.pk and reply.text == "I disagree, Pat."
    assert parent.author_name == "Removed"
    assert (parent.author_email, parent.ip_hash, parent.organisation, parent.user_id) == ("", "", "", None)
    assert parent.status == Comment.Status.REMOVED
    assert "Pat" not in parent.text
    assert ModerationEvent.objects.filter(object_id=parent.pk, note__contains="[address removed]").exists()


def test_someone_elses_comment_quoting_the_address_keeps_its_words_without_it(erased):
    quoting = Comment.objects.get(text__startswith="Pat asked")

    assert quoting.text == "Pat asked to be written to at [address removed]."
    assert "[address removed]" in quoting.text_html and "mailto:" not in quoting.text_html


def test_a_comment_nobody_replied_to_is_deleted_with_its_audit_rows(erased):
    assert not Comment.objects.filter(pk=erased.own_comment.pk).exists()


def test_a_submitted_response_keeps_its_answers_without_the_person_and_its_link_stops_working(erased):
    response = Response.objects.get(pk=erased.response.pk)

    assert (response.email, response.name, response.organisation_role, response.user_id) == ("", "", "", None)
    assert response.personal_data_removed_at is not None
    assert response.token != erased.response.token
    assert Answer.objects.get(response=response).text == "My answer; reach me on [address removed]."
    assert not Response.objects.filter(pk=erased.draft.pk).exists()


def test_bans_outlive_the_erasure_by_hash_and_still_refuse_the_address(erased):
    assert not Ban.objects.filter(value=PERSON).exists()
    assert Ban.objects.filter(kind=Ban.Kind.EMAIL, value=Ban.erased_value(PERSON)).count() == 2
    submission = Submission(target=erased.other_comment.target, text="Hello again", author_email=PERSON)
    assert check_bans(submission) is not None


def test_a_suppressed_then_erased_address_gets_no_bulk_mail(erased, django_capture_on_commit_callbacks):
    assert Suppression.objects.filter(email_hash=address_hash(ALT), email="").exists()
    assert Suppression.objects.filter(email_hash=address_hash(PERSON), reason=Suppression.Reason.ERASED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        for address in (PERSON, ALT):
            delivery_enqueue(
                recipient=address,
                template="subscription-confirm",
                context={"summary": "All", "confirm_url": "https://example.org/c/2", "link_days": 7},
                kind="newsletter",
                idempotency_key="newsletter:1",
                stream=Stream.BULK,
            )

    assert set(Delivery.objects.filter(kind="newsletter").values_list("status", flat=True)) == {"suppressed"}
    assert mail.outbox == []


def test_each_erasure_is_logged_with_who_and_when_and_the_address_only_hashed(erased, superuser):
    entry = PersonalDataRequest.objects.get()

    assert entry.kind == PersonalDataRequest.Kind.ERASURE
    assert entry.requested_by == superuser and entry.created_at is not None
    assert entry.address_hash == address_hash(PERSON)
    assert entry.counts["account_deleted"] == 1 and entry.counts["comments_anonymised"] == 1


def test_an_erasure_that_fails_half_way_changes_nothing(records, superuser, monkeypatch):
    from notifications import personal_data as notifications_data

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(notifications_data, "personal_data_erase", broken)
    with pytest.raises(RuntimeError):
        personal_data_erase(subject=data_subject_find(email=PERSON), actor=superuser)

    assert get_user_model().objects.filter(username="person").exists()
    assert Comment.objects.filter(pk=records.own_comment.pk).exists()
    assert not PersonalDataRequest.objects.exists()
