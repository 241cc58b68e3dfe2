"""Staff never see a secret link in the admin, and only a role made for it reads what an email said.

The attack as reported: an Editor opened a consultation receipt in the delivery log, read every answer
of a response whose author refused publication, followed the private /responses/<token>/ link in it
and withdrew the response.
"""

import re
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import Resolver404, resolve, reverse

from accounts.roles import ANALYSTS, EDITORS
from comments.emails import guest_confirmation, reply_notification
from consultations import emails as consultation_emails
from consultations.models import LateResponseLink, Response
from consultations.services import late_link_issue
from notifications.models import Delivery, Stream
from notifications.redaction import secret_links_redact
from notifications.services import delivery_enqueue
from notifications.services.emails import send_preferences_link
from tests.factories import AnswerFactory, CommentFactory, ResponseFactory, SubscriberFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_ANSWER = "My late father was treated at the Royal Marsden in 2019"
LINK = re.compile(r"(?:https?://|mailto:)[^\s<>\"']+")


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])


@pytest.fixture
def content_reader(db):
    """Support staff given the delivery-content permission on purpose (no group holds it)."""
    user = UserFactory(username="content_reader", is_staff=True, groups=[EDITORS])
    user.user_permissions.add(Permission.objects.get(codename="view_delivery_content"))
    return user


@pytest.fixture
def receipt(db) -> Delivery:
    """A receipt for a response whose author refused publication, with a private answer in it."""
    response = ResponseFactory(consent=Response.Consent.PRIVATE, email="respondent@example.org")
    AnswerFactory(response=response, text=PRIVATE_ANSWER)
    consultation_emails.send_receipt(response=response)
    return Delivery.objects.get(idempotency_key=f"consultation-receipt:{response.pk}")


@pytest.fixture
def every_secret_email(receipt, editor, policy_version_for_comments) -> list[Delivery]:
    """One of each email that carries a secret link, in its body or its headers."""
    late_link_issue(consultation=receipt.about.consultation, email="late@example.org", reason="Post lost", actor=editor)
    guest = CommentFactory(status="pending", confirmed_at=None, author_email="guest@example.org")
    guest_confirmation(comment=guest)
    parent = CommentFactory(author_email="parent@example.org", notify_replies=True)
    reply_notification(comment=CommentFactory(parent=parent, author_email="replier@example.org"))
    subscriber = SubscriberFactory(email="reader@example.org")
    subscriber.link_sent_at = subscriber.created_at
    send_preferences_link(subscriber=subscriber)
    delivery_enqueue(
        recipient="bulk@example.org",
        template="subscription-preferences-link",
        context={"preferences_url": "https://example.org/p", "link_days": 90},
        kind="bulk_test",
        idempotency_key="bulk",
        stream=Stream.BULK,
    )
    return list(Delivery.objects.all())


@pytest.fixture
def policy_version_for_comments(db):
    from tests.factories import PolicyVersionFactory

    return PolicyVersionFactory()


def secrets_in(deliveries: list[Delivery]) -> set[str]:
    """Every token the stored emails carry: the path's token of each site link, the mailto's token."""
    found = set(Response.objects.values_list("token", flat=True))
    found |= set(LateResponseLink.objects.values_list("token", flat=True))
    for delivery in deliveries:
        raw = " ".join([delivery.subject, delivery.body_text, delivery.body_html, *delivery.headers.values()])
        for link in LINK.findall(raw):
            if link.startswith("mailto:"):
                found.update(re.findall(r"unsubscribe%20([^&>\s]+)", link))
                continue
            try:
                match = resolve(re.sub(r"^https?://[^/]+", "", link).split("?")[0].rstrip(">,."))
            except Resolver404:
                continue
            if "token" in match.kwargs:
                found.add(match.kwargs["token"])
    return {unquote(secret) for secret in found} | found


def test_the_fixture_emails_do_carry_secrets(every_secret_email):
    """Guards the tests below: they prove nothing if the emails held no secret to leak."""
    secrets = secrets_in(every_secret_email)
    assert len(every_secret_email) == 6
    assert len(secrets) >= 7


def change_url(delivery: Delivery) -> str:
    return reverse("admin:notifications_delivery_change", args=[delivery.pk])


# --- The attack, as reported --------------------------------------------------------------------


def test_an_editor_opening_the_receipt_finds_no_link_and_no_answer(client_for, editor, receipt):
    token = receipt.about.token
    assert token in receipt.body_text and PRIVATE_ANSWER in receipt.body_text

    page = client_for(editor).get(change_url(receipt))

    assert page.status_code == 200
    html = page.content.decode()
    assert "respondent@example.org" in html  # who got it
    assert "Queued" in html or "Sent" in html  # its status
    assert token not in html
    assert PRIVATE_ANSWER not in html


def test_the_private_link_cannot_be_reached_through_view_on_site(client_for, editor, superuser, receipt):
    response = receipt.about
    late = late_link_issue(consultation=response.consultation, email="late@example.org", reason="r", actor=editor)
    for user in (editor, superuser):
        client = client_for(user)
        for obj in (response, late):
            content_type = ContentType.objects.get_for_model(obj)
            answer = client.get(f"/admin/r/{content_type.pk}/{obj.pk}/")
            assert answer.status_code == 404
            assert obj.token not in answer.get("Location", "")


def test_view_on_site_still_works_for_public_pages(client_for, superuser, policy_version_for_comments):
    comment = CommentFactory()
    content_type = ContentType.objects.get_for_model(comment)

    answer = client_for(superuser).get(f"/admin/r/{content_type.pk}/{comment.pk}/")

    assert answer.status_code == 302
    assert comment.get_absolute_url() in answer["Location"]


def test_view_on_site_needs_the_models_view_permission(client_for, moderator, receipt, policy_version_for_comments):
    analysis = CommentFactory().target
    content_type = ContentType.objects.get_for_model(analysis)

    # Moderators may not view analyses in the admin; the redirect refuses them too.
    assert client_for(moderator).get(f"/admin/r/{content_type.pk}/{analysis.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["editor", "superuser"])
def test_no_admin_page_holds_a_secret_link(request, client_for, persona, every_secret_email):
    """Every list, change page and history page of every model in the admin, as an Editor and as a superuser."""
    secrets = secrets_in(every_secret_email)
    client = client_for(request.getfixturevalue(persona))
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{base}_changelist"))
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:5]:
            urls += [reverse(f"{base}_change", args=[pk]), reverse(f"{base}_history", args=[pk])]
            urls.append(f"/admin/r/{ContentType.objects.get_for_model(model).pk}/{pk}/")
    for url in urls:
        answer = client.get(url)
        shown = answer.content.decode(errors="replace") + answer.get("Location", "")
        leaked = [secret for secret in secrets if secret in shown]
        assert not leaked, (url, leaked)
    assert len(urls) > 50


# --- The role x page matrix over the delivery admin ---------------------------------------------

PERSONAS = ["anonymous", "stakeholder", "editor", "moderator", "analyst", "content_reader", "superuser"]
STATUS = {
    "anonymous": 302,
    "stakeholder": 302,
    "moderator": 403,
    "analyst": 403,
    "editor": 200,
    "content_reader": 200,
    "superuser": 200,
}
READS_CONTENT = {"content_reader", "superuser"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_delivery_list(request, client_for, persona, receipt):
    answer = client_for(request.getfixturevalue(persona)).get(reverse("admin:notifications_delivery_changelist"))

    assert answer.status_code == STATUS[persona]
    if answer.status_code == 200:
        html = answer.content.decode()
        assert "respondent@example.org" in html
        assert receipt.about.token not in html
        assert PRIVATE_ANSWER not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_delivery_page(request, client_for, persona, receipt):
    answer = client_for(request.getfixturevalue(persona)).get(change_url(receipt))

    assert answer.status_code == STATUS[persona]
    if answer.status_code == 200:
        html = answer.content.decode()
        assert receipt.about.token not in html
        assert (PRIVATE_ANSWER in html) is (persona in READS_CONTENT)
        assert ("[private link hidden]" in html) is (persona in READS_CONTENT)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_delivery_history(request, client_for, persona, receipt):
    url = reverse("admin:notifications_delivery_history", args=[receipt.pk])
    answer = client_for(request.getfixturevalue(persona)).get(url)

    assert answer.status_code == STATUS[persona]
    if answer.status_code == 200:
        assert receipt.about.token not in answer.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_searching_the_deliveries_for_a_token_or_an_answer_finds_nothing(request, client_for, persona, receipt):
    client = client_for(request.getfixturevalue(persona))
    for text in (receipt.about.token[:12], "Royal Marsden"):
        answer = client.get(reverse("admin:notifications_delivery_changelist"), {"q": text})

        assert answer.status_code == STATUS[persona]
        if answer.status_code == 200:
            assert "respondent@example.org" not in answer.content.decode()


def test_no_staff_group_holds_the_content_permission():
    holders = Group.objects.filter(permissions__codename="view_delivery_content")

    assert not holders.exists()


def test_the_content_reader_sees_headers_without_their_tokens(client_for, content_reader, every_secret_email):
    secrets = secrets_in(every_secret_email)
    bulk = Delivery.objects.get(recipient="bulk@example.org")

    html = client_for(content_reader).get(change_url(bulk)).content.decode()

    assert "List-Unsubscribe" in html
    assert not [secret for secret in secrets if secret in html]


# --- Redaction ----------------------------------------------------------------------------------


def test_redaction_hides_token_links_and_keeps_public_ones(settings, receipt):
    private = f"{settings.SITE_URL}{receipt.about.get_absolute_url()}"
    public = f"{settings.SITE_URL}/consultations/"
    text = f"Read {public} and your receipt at {private}. Or write to mailto:u@example.org?subject=unsubscribe%20abc"

    shown = secret_links_redact(text)

    assert public in shown
    assert receipt.about.token not in shown
    assert "abc" not in shown
    assert shown.count("[private link hidden]") == 2
    assert "[private link hidden]. Or" in shown
