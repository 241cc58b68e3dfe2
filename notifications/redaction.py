"""Secret links taken out of an email's text before any member of staff reads it.

A secret link is one of the site's own URLs whose route takes a ``token`` (a response's private
link, a late-response invitation, a comment confirmation, stop-replies, subscription links), or
the unsubscribe mailto whose subject carries a token. Holding one is acting as its recipient, so
no admin page shows one, whatever the reader's role.
"""

import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

LINK = re.compile(r"""(?:https?://|mailto:)[^\s<>"'`]+""", re.IGNORECASE)
# Punctuation that ends a sentence rather than a link ("… follow https://x/responses/abc/.").
TRAILING = ".,;:!?)]}"


def is_secret_link(url: str) -> bool:
    if url.lower().startswith("mailto:"):
        return "unsubscribe" in url.lower()
    try:
        match = resolve(urlsplit(url).path or "/")
    except (Resolver404, ValueError):
        return False
    return "token" in match.kwargs


def secret_links_redact(text: str) -> str:
    """The text with each secret link replaced by a note saying one was there."""

    def replace(found: re.Match) -> str:
        link = found.group(0)
        trimmed = link.rstrip(TRAILING)
        if not is_secret_link(trimmed):
            return link
        return _("[private link hidden]") + link[len(trimmed) :]

    return LINK.sub(replace, text)
