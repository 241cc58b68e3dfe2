"""Unsubscribing by email: the mailto: half of every bulk message's List-Unsubscribe header.

A mail client that cannot POST (RFC 8058) sends a message to the unsubscribe
address with the subject "unsubscribe <token>" (RFC 2369). The signed token,
not the sender, says whose subscription ends: people write from an alias or a
forwarding address, and a From header is trivial to forge.
"""

import enum
import logging
import re

from notifications import tokens
from notifications.services.subscribers import subscriber_unsubscribe

log = logging.getLogger(__name__)

# "unsubscribe <token>", after any "Re:"/"Fwd:" a client adds; some clients leave the
# mailto's %20 undecoded. Tokens are base64url plus ":" separators, so \S+ holds one.
SUBJECT = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv|tr)\s*:\s*)*unsubscribe(?:\s+|%20)(?P<token>\S+)\s*$", re.IGNORECASE)


class Outcome(enum.StrEnum):
    UNSUBSCRIBED = "unsubscribed"
    NOT_A_REQUEST = "not_a_request"
    FORGED = "forged"
    EXPIRED = "expired"


def unsubscribe_token_from_subject(subject: str) -> str | None:
    match = SUBJECT.match(" ".join((subject or "").split()))
    return match["token"] if match else None


def unsubscribe_by_email_message(*, subject: str, sender: str = "") -> Outcome:
    """Unsubscribe the address the subject's token was made for, as the one-click POST does.

    Mail without a token, or with a forged or expired one, changes nothing; the
    caller still accepts the message, so the sender gets no bounce to learn from.
    """
    token = unsubscribe_token_from_subject(subject)
    if token is None:
        log.info("Mail to the unsubscribe address without an unsubscribe token, from %s; ignored.", sender)
        return Outcome.NOT_A_REQUEST
    try:
        email = tokens.read(tokens.UNSUBSCRIBE, token)
    except tokens.BadToken as error:
        log.warning("Mail to the unsubscribe address with an %s token, from %s; ignored.", error, sender)
        return Outcome.EXPIRED if error.expired else Outcome.FORGED
    subscriber_unsubscribe(email=email)
    return Outcome.UNSUBSCRIBED
