"""Checks on input that every app shares.

An email address is checked once, here, by every form and API that takes one: one that mail
servers refuse (a quoted or empty local part, a domain without a dot, a special-use domain such
as .local or .test, a local part over 64 or an address over 254 characters) is refused where it
is typed, instead of being accepted, bounced by the provider and then suppressed.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email as validate_email_format
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

EMAIL_MAX_LENGTH = 254

# The addresses validate_deliverable_email takes, as the API schema states them: ASCII only (the
# check refuses SMTPUTF8), a local part of at most 64 characters, a dotted domain that is not a
# special-use one, no label with two dashes after its first two characters (reserved for Punycode, which
# needs a valid A-label). Stricter than the check on international domain names, which it still accepts.
SPECIAL_USE_DOMAINS = "|".join(
    "".join(f"[{letter.upper()}{letter}]" for letter in name)
    for name in ("arpa", "invalid", "local", "localhost", "onion", "test")
)
DELIVERABLE_EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,32}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,2}"
    rf"@(?!(.*\.)?({SPECIAL_USE_DOMAINS})$)((?![A-Za-z0-9]{{2}}--)[A-Za-z0-9]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)


def validate_deliverable_email(value: str) -> None:
    """Refuse an address that mail servers would refuse; DNS is not asked, so a form answers at once.

    Django's format check comes first, so a plainly malformed address keeps each form's own
    "invalid" message; this check then refuses what that one lets through.
    """
    validate_email_format(value)
    try:
        # SMTPUTF8 is refused too: many receiving servers do not offer it, and Django's own check refuses it.
        validate_email(value, check_deliverability=False, allow_smtputf8=False, strict=True)
    except EmailNotValidError as error:
        raise ValidationError(
            _("Enter an email address that can receive mail, like name@example.org. %(reason)s"),
            code="undeliverable",
            params={"reason": str(error)},
        ) from None


class DeliverableEmailField(forms.EmailField):
    """A form's email field with the shared check in place of Django's looser one (one message, not two)."""

    default_validators = [validate_deliverable_email]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)
