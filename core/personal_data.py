"""Helpers every app's personal-data exporter and eraser shares."""

import hashlib
import hmac
import re
from collections.abc import Collection

from django.conf import settings
from django.db import models
from django.db.models import Q

# What an erased address becomes inside text written by someone else (a moderator's note, an email body).
ADDRESS_REMOVED = "[address removed]"


def normalise_email(address: str) -> str:
    """One spelling per address, so idempotency and suppression compare like with like."""
    return address.strip().lower()


def address_hash(address: str) -> str:
    """A keyed hash of the normalised address: it still recognises the address after the address is erased.

    Keyed (HMAC-SHA-256 with PERSONAL_DATA_HASH_KEY), so a leaked table cannot be reversed by
    hashing a list of known addresses; changing the key makes every stored hash stop matching.
    """
    key = settings.PERSONAL_DATA_HASH_KEY.encode()
    return hmac.new(key, normalise_email(address).encode(), hashlib.sha256).hexdigest()


def address_pattern(emails: Collection[str]) -> re.Pattern[str] | None:
    if not emails:
        return None
    return re.compile("|".join(re.escape(email) for email in sorted(emails, key=len, reverse=True)), re.IGNORECASE)


def mentioning(field: str, emails: Collection[str]) -> Q:
    """Rows whose ``field`` contains any of the addresses, in any case."""
    match = Q(pk__in=[])
    for email in emails:
        match |= Q(**{f"{field}__icontains": email})
    return match


def redact_mentions(
    queryset: models.QuerySet[models.Model], *, fields: Collection[str], emails: Collection[str]
) -> int:
    """Replace the addresses inside these text fields with ADDRESS_REMOVED; returns the rows changed.

    For text other people wrote about the person, which is kept with the address taken out.
    """
    pattern = address_pattern(emails)
    if pattern is None:
        return 0
    match = Q(pk__in=[])
    for field in fields:
        match |= mentioning(field, emails)
    limits: dict[str, int | None] = {}
    for field in fields:
        column = queryset.model._meta.get_field(field)
        assert isinstance(column, models.Field)  # the fields named hold text, not relations
        limits[field] = column.max_length
    changed = 0
    for row in queryset.filter(match).only("pk", *fields).iterator(chunk_size=500):
        values = {field: pattern.sub(ADDRESS_REMOVED, getattr(row, field) or "")[: limits[field]] for field in fields}
        changed += type(row)._base_manager.filter(pk=row.pk).update(**values)
    return changed
