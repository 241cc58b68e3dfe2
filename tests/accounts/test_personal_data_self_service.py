import json

import pytest
from django.contrib.auth import get_user_model

from accounts.models import PersonalDataRequest
from comments.models import Comment
from core.personal_data import address_hash
from tests.accounts.personal_data_fixtures import ALT, OTHER, PERSON, UNPROVEN, make_records, rows_mentioning

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PASSWORD = "correct horse battery staple"  # UserFactory's


@pytest.fixture
def records():
    return make_records()


def test_the_account_page_offers_the_download_and_the_deletion(client_for, records):
    page = client_for(records.user).get("/account/").content.decode()
    assert 'action="/account/your-data/"' in page
    assert 'href="/account/delete/"' in page


def test_a_signed_in_person_downloads_their_own_data_and_no_one_elses(client_for, records):
    response = client_for(records.user).post("/account/your-data/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["username"] == "person"
    assert set(data["addresses"]) == {PERSON, ALT}
    assert OTHER not in response.content.decode()
    entry = PersonalDataRequest.objects.get()
    assert entry.by_subject and entry.requested_by == records.user and entry.address_hash == address_hash(PERSON)


def test_the_download_needs_a_post_and_a_signed_in_person(client_for, records):
    assert client_for(records.user).get("/account/your-data/").status_code == 405
    assert client_for(None).post("/account/your-data/").status_code == 302
    assert not PersonalDataRequest.objects.exists()


def test_the_deletion_page_shows_what_will_go(client_for, records):
    page = client_for(records.user).get("/account/delete/")
    assert page.status_code == 200
    assert dict(page.context["counts"])["Comments"] == 2
    assert 'autocomplete="current-password"' in page.content.decode()


def test_a_wrong_password_deletes_nothing_and_says_why(client_for, records):
    response = client_for(records.user).post("/account/delete/", {"password": "guess", "confirm": "on"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "The password is not right" in page
    assert 'aria-describedby="id_password_error"' in page
    assert get_user_model().objects.filter(pk=records.user.pk).exists()
    assert not PersonalDataRequest.objects.exists()


def test_guessing_the_password_stops_after_five_tries_even_with_the_right_one(client_for, records):
    client = client_for(records.user)
    for _ in range(5):
        client.post("/account/delete/", {"password": "guess", "confirm": "on"})

    response = client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 400
    assert "Too many tries. Try again in" in response.content.decode()
    assert get_user_model().objects.filter(pk=records.user.pk).exists()


def test_deleting_ones_own_account_erases_it_everywhere_and_signs_out(client_for, records):
    client = client_for(records.user)

    response = client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=records.user.pk).exists()
    assert rows_mentioning(PERSON, ALT, UNPROVEN) == []
    assert Comment.objects.get(pk=records.reply.pk).parent_id == records.guest_comment.pk
    entry = PersonalDataRequest.objects.get()
    assert entry.kind == "erasure" and entry.by_subject and entry.requested_by is None
    assert client.get("/account/").status_code == 302  # signed out
