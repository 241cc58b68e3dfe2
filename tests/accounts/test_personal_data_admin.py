import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PersonalDataRequest
from accounts.roles import DATA_PROTECTION
from core.personal_data import address_hash
from tests.accounts.personal_data_fixtures import OTHER, PERSON, make_records, rows_mentioning
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOG = "/admin/accounts/personaldatarequest/"
EXPORT = f"{LOG}export/"
ERASE = f"{LOG}erase/"


@pytest.fixture
def data_protection_officer(db):
    return UserFactory(username="dpo", is_staff=True, groups=[DATA_PROTECTION])


@pytest.fixture
def people(stakeholder, editor, moderator, data_protection_officer, superuser):
    return {
        "anonymous": None,
        "stakeholder": stakeholder,
        "editor": editor,
        "moderator": moderator,
        "data protection": data_protection_officer,
        "superuser": superuser,
    }


# 302: the admin's sign-in page; 403: signed in to the admin without the permission.
MATRIX = {
    "anonymous": 302,
    "stakeholder": 302,
    "editor": 403,
    "moderator": 403,
    "data protection": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("url", [LOG, EXPORT, ERASE])
@pytest.mark.parametrize("role", MATRIX)
def test_only_the_data_protection_role_and_superusers_reach_the_tools(client_for, people, role, url):
    assert client_for(people[role]).get(url).status_code == MATRIX[role]


@pytest.mark.parametrize("role", ["editor", "moderator", "stakeholder", "anonymous"])
def test_no_one_else_can_export_or_erase_by_posting(client_for, people, role):
    make_records()
    client = client_for(people[role])

    exported = client.post(EXPORT, {"email": PERSON})
    erased = client.post(ERASE, {"email": PERSON, "confirm": "on", "confirm_step": "1"})

    assert exported.status_code in (302, 403) and exported.get("Content-Disposition") is None
    assert erased.status_code in (302, 403)
    assert rows_mentioning(PERSON)
    assert not PersonalDataRequest.objects.exists()


def test_the_export_downloads_a_json_file_and_is_logged(client_for, data_protection_officer):
    make_records()

    response = client_for(data_protection_officer).post(EXPORT, {"email": PERSON})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["username"] == "person"
    assert OTHER not in response.content.decode()
    entry = PersonalDataRequest.objects.get()
    assert (entry.kind, entry.requested_by, entry.address_hash) == (
        "export",
        data_protection_officer,
        address_hash(PERSON),
    )


def test_erasure_shows_the_counts_and_erases_only_after_the_box_is_ticked(client_for, data_protection_officer):
    make_records()
    client = client_for(data_protection_officer)

    confirm_page = client.post(ERASE, {"email": PERSON})
    unticked = client.post(ERASE, {"email": PERSON, "confirm_step": "1"})

    assert confirm_page.status_code == 200
    counts = dict(confirm_page.context["counts"])
    assert counts["Comments"] == 2 and counts["Account"] == 1 and counts["Consultation drafts"] == 1
    assert "Tick the box to confirm the erasure" in unticked.content.decode()
    assert rows_mentioning(PERSON) and not PersonalDataRequest.objects.exists()

    done = client.post(ERASE, {"email": PERSON, "confirm_step": "1", "confirm": "on"})

    assert done.status_code == 302 and done["Location"] == LOG
    assert rows_mentioning(PERSON) == []
    assert PersonalDataRequest.objects.get().kind == "erasure"


def test_the_request_log_is_read_only_and_shows_no_address(client_for, data_protection_officer, superuser):
    PersonalDataRequest.objects.create(kind="erasure", address_hash=address_hash(PERSON), requested_by=superuser)
    entry = PersonalDataRequest.objects.get()
    client = client_for(data_protection_officer)

    page = client.get(LOG)

    assert PERSON not in page.content.decode()
    assert client.get(f"{LOG}add/").status_code == 403
    assert client.post(f"{LOG}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{LOG}{entry.pk}/change/", {"kind": "export"}).status_code == 403
    assert PersonalDataRequest.objects.get().kind == "erasure"


def test_the_log_is_searched_by_the_address_itself(client_for, data_protection_officer, superuser):
    PersonalDataRequest.objects.create(kind="erasure", address_hash=address_hash(PERSON), requested_by=superuser)
    PersonalDataRequest.objects.create(kind="export", address_hash=address_hash(OTHER), requested_by=superuser)

    page = client_for(data_protection_officer).get(LOG, {"q": PERSON.upper()})

    assert [row.kind for row in page.context["cl"].result_list] == ["erasure"]


@pytest.mark.parametrize("rows", [3, 60])
def test_the_log_costs_the_same_queries_at_any_length(client_for, data_protection_officer, superuser, rows):
    staff = [UserFactory(username=f"staff{n}", is_staff=True) for n in range(5)]
    PersonalDataRequest.objects.bulk_create(
        PersonalDataRequest(kind="export", address_hash=f"{n:064x}", requested_by=staff[n % 5]) for n in range(rows)
    )
    client = client_for(data_protection_officer)
    client.get(LOG)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(LOG).status_code == 200

    assert len(queries) <= 10
