import pytest
from django.contrib.admin.models import LogEntry
from rest_framework.authtoken.models import Token

from accounts.models import ApiToken
from tests.factories import AnalysisFactory

pytestmark = pytest.mark.django_db


def test_a_user_makes_a_token_and_sees_it_once(client_for, stakeholder):
    client = client_for(stakeholder)

    response = client.post("/account/api-token/", follow=True)

    token = Token.objects.get(user=stakeholder)
    assert response.redirect_chain == [("/account/", 302)]
    assert token.key in response.content.decode()
    again = client.get("/account/").content.decode()
    assert token.key not in again
    assert f"starting {token.key[:4]}" in again


def test_making_a_token_again_replaces_the_old_one(client_for, stakeholder, api):
    client = client_for(stakeholder)
    client.post("/account/api-token/")
    old = Token.objects.get(user=stakeholder).key

    client.post("/account/api-token/")

    assert Token.objects.get(user=stakeholder).key != old
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    response = api.get("/api/v1/topics/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_a_user_revokes_their_token(client_for, stakeholder, api):
    key = Token.objects.create(user=stakeholder).key

    response = client_for(stakeholder).post("/account/api-token/revoke/", follow=True)

    assert not Token.objects.filter(user=stakeholder).exists()
    assert "Your API token is revoked" in response.content.decode()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/topics/").status_code == 401


def test_a_token_authenticates_api_requests(api, editor):
    draft = AnalysisFactory(status="draft")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")

    assert api.get(f"/api/v1/analyses/{draft.slug}/").status_code == 200


@pytest.mark.parametrize("path", ["/account/api-token/", "/account/api-token/revoke/"])
def test_token_pages_need_a_signed_in_user_and_a_post(client_for, stakeholder, path):
    anonymous = client_for(None).post(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/accounts/login/")
    assert client_for(stakeholder).get(path).status_code == 405
    assert not Token.objects.exists()


def test_staff_make_a_token_in_the_admin_and_see_the_key_once(client_for, superuser, stakeholder):
    client = client_for(superuser)

    response = client.post("/admin/accounts/apitoken/add/", {"user": stakeholder.pk, "_save": "Save"}, follow=True)

    key = Token.objects.get(user=stakeholder).key
    assert f"The new API token for {stakeholder} is {key}" in response.content.decode()
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert key not in listing
    assert f"{key[:4]}…" in listing
    assert not LogEntry.objects.filter(object_repr__contains=key).exists()


def test_staff_revoke_a_token_in_the_admin(client_for, superuser, stakeholder):
    Token.objects.create(user=stakeholder)

    response = client_for(superuser).post(
        f"/admin/accounts/apitoken/{stakeholder.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_only_superusers_reach_the_token_admin(client_for, editor, moderator):
    assert client_for(editor).get("/admin/accounts/apitoken/").status_code == 403
    assert client_for(moderator).get("/admin/accounts/apitoken/").status_code == 403
