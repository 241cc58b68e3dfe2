"""Addresses mail servers refuse are refused where they are typed, by every form and API that takes one.

Before, ``""@x.org`` and its kind passed Django's check, were saved, bounced at the provider and
ended on the suppression list; now each is a 400 or a form error naming the field, and nothing is
saved or queued.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from comments.models import Comment
from consultations.models import Response
from core.validators import validate_deliverable_email
from notifications.models import Delivery, Subscriber
from tests.comments.conftest import issued
from tests.factories import AnalysisFactory, ConsultationFactory, PolicyVersionFactory, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

REFUSED = [
    '""@example.org',  # an empty quoted local part: Django's own check lets it through
    '"a"@example.org',  # a quoted local part (one with a space Django refuses already)
    "reader@localhost",  # no dot in the domain (Django allows "localhost")
    "reader@example.local",  # special-use names no public server delivers to
    "reader@example.invalid",
    "reader@[127.0.0.1]",  # an address literal
    "r" * 65 + "@example.org",  # a local part over 64 characters
    "reader@" + ".".join(letter * 61 for letter in "abcd") + ".org",  # 258 characters: over 254 in all
]
ACCEPTED = ["reader@example.org", "Reader.Name+tag@Example.co.uk", "o'brien@example.org", "reader@exämple.org"]


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """The forms' hourly limits count in the cache; each test counts alone."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.mark.parametrize("address", REFUSED)
def test_the_shared_check_refuses_what_mail_servers_refuse_with_the_reason(address):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        validate_deliverable_email(address)
    assert raised.value.code == "undeliverable"
    message = raised.value.messages[0]
    assert message.startswith("Enter an email address that can receive mail, like name@example.org.")
    assert len(message) > len("Enter an email address that can receive mail, like name@example.org. ")


@pytest.mark.parametrize("address", ACCEPTED)
def test_the_shared_check_accepts_ordinary_addresses(address):
    validate_deliverable_email(address)


@pytest.mark.parametrize("address", REFUSED)
def test_the_subscribe_page_refuses_it(address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = Client().post("/notifications/subscribe/", {"email": address, "all_analyses": "on"})
    assert page.status_code == 400
    assert "can receive mail" in page.content.decode()
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize("address", REFUSED)
def test_the_subscribe_api_refuses_it(address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = APIClient().post("/api/v1/subscriptions/", {"email": address, "all_analyses": True}, format="json")
    assert reply.status_code == 400
    assert "email" in reply.json()["errors"]
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()


def test_the_preferences_link_form_refuses_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = Client().post("/notifications/preferences/", {"email": '""@example.org'})
    assert page.status_code == 400
    assert "can receive mail" in page.content.decode()
    assert not Delivery.objects.exists()


@pytest.fixture
def analysis():
    PolicyVersionFactory()
    return AnalysisFactory()


def guest_comment(address: str) -> dict:
    return {
        "name": "Ada Guest",
        "email": address,
        "text": "Research clusters need long-term funding.",
        "accept_policy": "on",
        "issued": issued(),
    }


@pytest.mark.parametrize("address", REFUSED)
def test_the_comment_form_refuses_it_as_a_guests_address(address, analysis, django_capture_on_commit_callbacks):
    from comments.views import target_key

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/comments/{target_key(analysis)}/{analysis.pk}/post/", guest_comment(address))
    assert sent.status_code == 303  # back to the discussion page, which shows the error
    page = client.get(sent["Location"])
    assert "can receive mail" in page.content.decode()
    assert not Comment.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize("address", REFUSED)
def test_the_comment_api_refuses_it_as_a_guests_address(address, analysis, django_capture_on_commit_callbacks):
    body = {**guest_comment(address), "accept_policy": True}
    with django_capture_on_commit_callbacks(execute=True):
        reply = APIClient().post(f"/api/v1/analyses/{analysis.slug}/comments/", body, format="json")
    assert reply.status_code == 400
    # The serializer's own format check may answer first ("Enter a valid email address."); either way, refused.
    assert reply.json()["errors"]["email"]
    assert not Comment.objects.exists() and not Delivery.objects.exists()


@pytest.fixture
def consultation():
    consultation = ConsultationFactory(slug="clusters")
    QuestionFactory(section=SectionFactory(consultation=consultation), text="What should change?", required=False)
    return consultation


def about_you(address: str, action: str) -> dict:
    return {"action": action, "email": address, "name": "Amy", "respondent_type": "individual"}


@pytest.mark.parametrize("action", ["continue", "save-later"])
@pytest.mark.parametrize("address", REFUSED)
def test_the_consultation_email_step_and_save_and_return_refuse_it(
    address, action, consultation, django_capture_on_commit_callbacks
):
    client = Client()
    client.post("/consultations/clusters/respond/")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/consultations/clusters/respond/1/", about_you(address, action))
    assert page.status_code == 200
    assert "can receive mail" in page.content.decode()
    assert Response.objects.get().email == ""
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("address", REFUSED)
def test_the_consultation_api_refuses_it(address, consultation, django_capture_on_commit_callbacks):
    body = {
        "email": address,
        "respondent_type": "individual",
        "tobacco_links": "no",
        "consent": "private",
        "answers": [],
    }
    with django_capture_on_commit_callbacks(execute=True):
        reply = APIClient().post("/api/v1/consultations/clusters/responses/", body, format="json")
    assert reply.status_code == 400
    assert reply.json()["errors"]["email"]
    assert not Response.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize("address", REFUSED)
def test_signing_up_refuses_it(address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        passphrase = "a long pass phrase"
        page = Client().post("/accounts/signup/", {"email": address, "password1": passphrase, "password2": passphrase})
    assert page.status_code == 200
    assert page.context["form"].errors["email"]
    assert not User.objects.exists() and not Delivery.objects.exists()
