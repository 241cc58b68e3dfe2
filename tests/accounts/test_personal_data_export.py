import json

import pytest

from accounts.personal_data import data_subject_find, personal_data_export
from tests.accounts.personal_data_fixtures import ALT, OTHER, PERSON, UNPROVEN, make_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    return make_records()


def test_it_finds_the_account_by_a_verified_address_and_gathers_all_its_addresses(records):
    subject = data_subject_find(email=ALT.upper())
    assert subject.user == records.user
    assert subject.emails == {PERSON, ALT}


def test_it_does_not_hand_an_account_to_an_address_it_never_verified(records):
    subject = data_subject_find(email=UNPROVEN)
    assert subject.user is None
    assert subject.emails == {UNPROVEN}


def test_the_export_holds_every_kind_of_record_of_the_person(records):
    data = personal_data_export(subject=data_subject_find(email=PERSON))

    assert data["account"]["username"] == "person"
    assert {row["email"] for row in data["account"]["email_addresses"]} == {PERSON, ALT, UNPROVEN}
    assert set(data["account"]["api_token"]) == {"created_at"}
    comments = data["comments"]
    assert {row["id"] for row in comments["comments"]} == {records.guest_comment.pk, records.own_comment.pk}
    assert [row["action"] for row in comments["moderation_events"]] == ["approve"]
    assert [row["comment"] for row in comments["reports_made"]] == [records.other_comment.pk]
    assert sorted(row["kind"] for row in comments["bans"]) == ["account", "email"]
    assert [row["email"] for row in comments["confirmed_addresses"]] == [PERSON]
    assert [row["email"] for row in comments["trusted_commenter"]] == [ALT]
    responses = data["consultations"]["consultation_responses"]
    assert sorted(row["status"] for row in responses) == ["draft", "submitted"]
    assert any(answer["text"].startswith("My answer") for row in responses for answer in row["answers"])
    assert [row["reason"] for row in data["consultations"]["late_response_links"]] == ["Asked by phone"]
    assert [row["email"] for row in data["notifications"]["subscriptions"]] == [PERSON]
    assert [row["email"] for row in data["notifications"]["suppressions"]] == [ALT]
    assert sorted(row["recipient"] for row in data["notifications"]["emails_sent"]) == [ALT, PERSON]


def test_the_export_holds_nothing_of_another_person_and_no_secret(records):
    text = json.dumps(personal_data_export(subject=data_subject_find(email=PERSON)))

    assert OTHER not in text
    assert "Olly Other" not in text and "Another view." not in text and "Another answer." not in text
    assert records.user.auth_token.key not in text
    assert records.response.token not in text
    assert records.guest_comment.ip_hash not in text


def test_an_address_without_an_account_exports_its_guest_records_only(records):
    data = personal_data_export(subject=data_subject_find(email=OTHER.replace("other", "nobody")))
    assert data["account"] is None
    assert data["comments"]["comments"] == []
    assert data["notifications"]["emails_sent"] == []
