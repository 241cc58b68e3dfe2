"""One person's records in every table that can hold them, beside another person's."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from rest_framework.authtoken.models import Token

from comments.models import Comment, ConfirmedAddress
from consultations.models import LateResponseLink
from moderation.models import Ban, ModerationEvent, TrustedCommenter
from notifications.models import Delivery, Subscriber, Suppression
from notifications.services import delivery_enqueue
from tests.factories import (
    AnswerFactory,
    CommentFactory,
    ConsultationFactory,
    FlagFactory,
    ResponseFactory,
    SubscriberFactory,
    TopicFactory,
    UserFactory,
)

PERSON = "person@example.org"
ALT = "alt@example.org"  # a second, verified address of the same account
UNPROVEN = "unproven@example.org"  # on the account but never verified
OTHER = "other@example.org"


@dataclass
class Records:
    user: object
    other_user: object
    guest_comment: Comment  # by PERSON as a guest, with a reply from OTHER
    reply: Comment
    own_comment: Comment  # by the account, no replies
    other_comment: Comment
    response: object
    draft: object
    other_response: object


def make_records() -> Records:
    user = UserFactory(username="person", email=PERSON, first_name="Pat", last_name="Person")
    EmailAddress.objects.create(user=user, email=PERSON, verified=True, primary=True)
    EmailAddress.objects.create(user=user, email=ALT, verified=True, primary=False)
    EmailAddress.objects.create(user=user, email=UNPROVEN, verified=False, primary=False)
    Token.objects.create(user=user)
    other_user = UserFactory(username="other", email=OTHER)
    moderator = UserFactory(username="mod", email="mod@example.org", is_staff=True)

    guest_comment = CommentFactory(author_email=PERSON, author_name="Pat", ip_hash="a" * 64, organisation="Pat Ltd")
    reply = CommentFactory(parent=guest_comment, author_email=OTHER, user=other_user, text="I disagree, Pat.")
    own_comment = CommentFactory(author_email=ALT, user=user, text=f"Write to me at {ALT}.")
    other_comment = CommentFactory(author_email=OTHER, user=other_user, text="Another view.")
    # Someone else quoting the person's address: their words stay, the address goes.
    CommentFactory(author_email=OTHER, user=other_user, text=f"Pat asked to be written to at {PERSON}.")
    ModerationEvent.objects.create(
        content_type=ContentType.objects.get_for_model(Comment),
        object_id=guest_comment.pk,
        actor=moderator,
        action="approve",
        from_status="pending",
        to_status="approved",
        note=f"Checked with {PERSON} by phone.",
    )
    FlagFactory(comment=other_comment, user=user, note=f"Reported by {PERSON}")
    Ban.objects.create(kind=Ban.Kind.EMAIL, value=PERSON, reason=f"Abuse from {PERSON}")
    Ban.objects.create(kind=Ban.Kind.ACCOUNT, user=user, reason="Abuse from the account")
    Ban.objects.create(kind=Ban.Kind.EMAIL, value=OTHER, reason="Abuse")
    ConfirmedAddress.objects.create(email=PERSON)
    ConfirmedAddress.objects.create(email=OTHER)
    TrustedCommenter.objects.create(email=ALT, note="Known expert")

    consultation = ConsultationFactory()
    response = ResponseFactory(
        consultation=consultation, email=PERSON.upper(), name="Pat Person", organisation_role="Chair"
    )
    AnswerFactory(response=response, text=f"My answer; reach me on {PERSON}.")
    draft = ResponseFactory(consultation=consultation, status="draft", email="", user=user, submitted_at=None)
    other_response = ResponseFactory(consultation=consultation, email=OTHER, name="Olly Other")
    AnswerFactory(response=other_response, text="Another answer.")
    LateResponseLink.objects.create(
        consultation=consultation, email=PERSON, reason="Asked by phone", expires_at=consultation.closes_at
    )

    topic = TopicFactory()
    SubscriberFactory(email=PERSON, topics=[topic])
    SubscriberFactory(email=OTHER)
    Suppression.objects.create(email=ALT, reason=Suppression.Reason.UNSUBSCRIBED)
    Suppression.objects.create(email=OTHER, reason=Suppression.Reason.UNSUBSCRIBED)
    context = {"summary": "All new analyses", "confirm_url": "https://example.org/c/1", "link_days": 7}
    for recipient in (PERSON, ALT, OTHER):
        delivery_enqueue(
            recipient=recipient,
            template="subscription-confirm",
            context=context,
            kind="subscription_confirmation",
            idempotency_key="confirm:1",
        )
    Delivery.objects.create(
        recipient="mod@example.org",
        kind="moderator_alert",
        idempotency_key="alert:1",
        subject=f"A comment from {PERSON} waits",
        body_text=f"From {PERSON}: please check.",
    )
    LogEntry.objects.create(
        user=moderator,
        content_type=ContentType.objects.get_for_model(Subscriber),
        object_id="1",
        object_repr=PERSON,
        action_flag=CHANGE,
        change_message="[]",
    )
    return Records(user, other_user, guest_comment, reply, own_comment, other_comment, response, draft, other_response)


def rows_mentioning(*addresses: str) -> list[tuple[str, str, int]]:
    """(model, field, pk) of every row of every model whose text or JSON columns contain an address."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        text_fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        for name in text_fields:
            match = Q()
            for address in addresses:
                match |= Q(**{f"{name}__icontains": address})
            for pk in model._base_manager.filter(match).values_list("pk", flat=True):
                found.append((model._meta.label, name, pk))
    return found
