"""A person's data across the platform, exported or erased on request (UK GDPR articles 15, 17 and 20).

Each app answers for its own tables through ``<app>/personal_data.py`` (export, counts,
erase), which it registers from its ``AppConfig.ready()``; this module finds the person,
gathers the parts, runs every erasure in one transaction and logs each request by a keyed
hash of the address. It imports none of the apps it gathers from.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from accounts.models import PersonalDataRequest
from core.personal_data import address_hash, normalise_email, redact_mentions

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RECORD_LABELS = {
    "account": _("Account"),
    "comments": _("Comments"),
    "reports_made": _("Reports made on comments"),
    "bans": _("Bans"),
    "confirmed_addresses": _("Confirmed commenting addresses"),
    "consultation_responses": _("Consultation responses (anonymised, answers kept)"),
    "consultation_drafts": _("Consultation drafts"),
    "consultation_attachments": _("Files attached to consultation responses (deleted)"),
    "late_response_links": _("Late-response links"),
    "subscriptions": _("Email subscriptions"),
    "emails_sent": _("Emails sent"),
}


class PersonalDataPart(Protocol):
    """An app's ``personal_data`` module: its tables' share of an export, of the counts and of an erasure."""

    def personal_data_export(self, *, emails: Collection[str], user: Any = None) -> dict: ...

    def personal_data_counts(self, *, emails: Collection[str], user: Any = None) -> dict[str, int]: ...

    def personal_data_erase(self, *, emails: Collection[str], user: Any = None) -> dict[str, int]: ...


# Modules, not their functions: each function is looked up when called, so replacing one takes effect.
_parts: dict[str, PersonalDataPart] = {}


def personal_data_part_register(name: str, part: PersonalDataPart) -> None:
    """Called from an app's ``AppConfig.ready()``; ``name`` is the part's key in the export."""
    _parts[name] = part


def personal_data_parts() -> dict[str, PersonalDataPart]:
    """Every app's part, by name in alphabetical order: the export's keys keep one order whatever order
    the apps load in."""
    return dict(sorted(_parts.items()))


@dataclass(frozen=True)
class DataSubject:
    """The person a request is about: the address asked for, every address they proved, their account."""

    address: str
    emails: frozenset[str]
    user: "User | None"


def data_subject_find(*, email: str) -> DataSubject:
    """The person behind an address; an account counts only by its main address or a verified one."""
    address = normalise_email(email)
    User = get_user_model()
    user = (
        User.objects.filter(
            Q(email__iexact=address) | Q(emailaddress__email__iexact=address, emailaddress__verified=True)
        )
        .distinct()
        .first()
    )
    return (
        data_subject_for_user(user=user, address=address) if user else DataSubject(address, frozenset({address}), None)
    )


def data_subject_for_user(*, user: "User", address: str = "") -> DataSubject:
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    emails = {normalise_email(email) for email in [user.email, *verified, address] if email}
    return DataSubject(address or normalise_email(user.email), frozenset(emails), user)


def _account_export(subject: DataSubject) -> dict | None:
    user = subject.user
    if user is None:
        return None
    token = Token.objects.filter(user=user).first()
    return {
        "username": user.get_username(),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": row.email, "verified": row.verified, "primary": row.primary}
            for row in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Whether a token exists and since when; the key itself is a credential and never leaves.
        "api_token": {"created_at": token.created.isoformat()} if token else None,
        "staff_roles": list(user.groups.values_list("name", flat=True)),
    }


def personal_data_export(*, subject: DataSubject) -> dict:
    """Everything held about the person, as plain JSON-ready data."""
    data = {
        "address": subject.address,
        "addresses": sorted(subject.emails),
        "generated_at": timezone.now().isoformat(),
        "account": _account_export(subject),
    }
    for name, part in personal_data_parts().items():
        data[name] = part.personal_data_export(emails=subject.emails, user=subject.user)
    return data


def personal_data_counts(*, subject: DataSubject) -> list[tuple[str, int]]:
    """(label, number) for each kind of record an erasure would touch, for the confirmation pages."""
    counts = {"account": int(subject.user is not None)}
    for part in personal_data_parts().values():
        counts |= part.personal_data_counts(emails=subject.emails, user=subject.user)
    return [(str(RECORD_LABELS.get(kind, kind)), count) for kind, count in counts.items()]


@transaction.atomic
def personal_data_erase(*, subject: DataSubject, actor=None, by_subject: bool = False) -> PersonalDataRequest:
    """Erase the person everywhere, all or nothing, and log the request.

    Comments and responses that others' words or the analysis depend on are kept,
    anonymised; the address stays only as keyed hashes (suppression, bans, this log).
    """
    counts = {"account_deleted": int(subject.user is not None)}
    for part in personal_data_parts().values():
        counts |= part.personal_data_erase(emails=subject.emails, user=subject.user)
    redact_mentions(LogEntry.objects.all(), fields=["object_repr", "change_message"], emails=subject.emails)
    if subject.user is not None:
        subject.user.delete()
    return _log(PersonalDataRequest.Kind.ERASURE, subject, None if by_subject else actor, by_subject, counts)


def personal_data_export_logged(*, subject: DataSubject, actor, by_subject: bool = False) -> dict:
    data = personal_data_export(subject=subject)
    _log(PersonalDataRequest.Kind.EXPORT, subject, actor, by_subject, _export_counts(data))
    return data


def _export_counts(data: dict) -> dict[str, int]:
    counts = {"account": int(data["account"] is not None)}
    for name in personal_data_parts():
        counts |= {kind: len(rows) for kind, rows in data[name].items()}
    return counts


def _log(kind: str, subject: DataSubject, actor, by_subject: bool, counts: dict) -> PersonalDataRequest:
    return PersonalDataRequest.objects.create(
        kind=kind,
        address_hash=address_hash(subject.address),
        by_subject=by_subject,
        requested_by=actor if actor is not None and actor.is_authenticated else None,
        counts=counts,
    )
