"""Signed links that act for an address without a log-in.

Tokens carry the address and a timestamp, signed with SECRET_KEY; each purpose
has its own salt, so a preferences link can never be replayed as a confirmation.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes

CONFIRM = "notifications.confirm"
PREFERENCES = "notifications.preferences"
UNSUBSCRIBE = "notifications.unsubscribe"


class BadToken(Exception):
    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def max_age(purpose: str) -> timedelta:
    return timedelta(days=settings.NOTIFICATIONS_LINK_DAYS[purpose])


class _Signer(signing.TimestampSigner):
    """Django's TimestampSigner, its HMAC key derived once rather than for every token: a fan-out signs
    two tokens for every message. The tokens are Django's, byte for byte, and ``signing.loads`` reads them."""

    def __init__(self, *, key: str, salt: str) -> None:
        super().__init__(key=key, salt=salt)
        hasher = getattr(hashlib, self.algorithm)
        derived = hasher(force_bytes(self.salt) + b"signer" + force_bytes(key)).digest()
        self._mac = hmac.new(derived, digestmod=hasher)

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        if key is not None and key != self.key:
            return super().signature(value, key)
        mac = self._mac.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


@lru_cache(maxsize=8)
def _signer(purpose: str, secret_key: str) -> signing.TimestampSigner:
    return _Signer(key=secret_key, salt=purpose)


def make(purpose: str, email: str) -> str:
    # The same token as signing.dumps(email, salt=purpose), without building a signer per call.
    return _signer(purpose, settings.SECRET_KEY).sign_object(email)


def read(purpose: str, token: str) -> str:
    try:
        value = signing.loads(token, salt=purpose, max_age=max_age(purpose))
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except signing.BadSignature:
        raise BadToken(expired=False) from None
    if not isinstance(value, str):
        raise BadToken(expired=False)
    return value


def signed_at(token: str) -> datetime:
    """When a token that ``read`` accepted was signed, to the second."""
    _value, timestamp, _signature = token.rsplit(":", 2)
    return datetime.fromtimestamp(signing.b62_decode(timestamp), tz=UTC)


URL_NAMES = {
    CONFIRM: "notifications:confirm",
    PREFERENCES: "notifications:preferences",
    UNSUBSCRIBE: "notifications:unsubscribe",
}


@lru_cache(maxsize=8)
def _url_pattern(purpose: str, site_url: str, urlconf: str) -> str:
    # Resolved once: a fan-out builds two links per message, and reverse() is slow next to signing.
    return site_url + reverse(URL_NAMES[purpose], kwargs={"token": "TOKEN"})


def absolute_url(purpose: str, email: str, token: str | None = None) -> str:
    pattern = _url_pattern(purpose, settings.SITE_URL, settings.ROOT_URLCONF)
    return pattern.replace("TOKEN", token or make(purpose, email), 1)


def bulk_links(email: str) -> dict[str, str]:
    """The links every bulk email carries, for its template and its headers."""
    unsubscribe = make(UNSUBSCRIBE, email)
    return {
        "unsubscribe_url": absolute_url(UNSUBSCRIBE, email, unsubscribe),
        "preferences_url": absolute_url(PREFERENCES, email),
        "unsubscribe_mailto": unsubscribe_mailto(email, unsubscribe),
    }


def unsubscribe_mailto(email: str, token: str | None = None) -> str:
    token = token or make(UNSUBSCRIBE, email)
    return f"mailto:{settings.NOTIFICATIONS_UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20{token}"


def unsubscribe_headers(links: dict[str, str]) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs once, with no page."""
    return {
        "List-Unsubscribe": f"<{links['unsubscribe_url']}>, <{links['unsubscribe_mailto']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
