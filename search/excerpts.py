"""Passages and titles with the matching words in ``<mark>``, escaped piece by piece.

Every piece of text is escaped before it is joined with the ``<mark>`` elements this module writes, so
an editor's or a speaker's text can never add markup to the results.
"""

import re
from html import escape

from django.utils.safestring import SafeString, mark_safe

# PostgreSQL's ts_headline wraps each match in these; no editor types them.
START, STOP = "\x02", "\x03"
SENTINELS = re.compile(f"{START}(.*?){STOP}", re.DOTALL)

PASSAGE_CHARS = 280
LEAD_CHARS = 100

# Markdown's punctuation, which reads as noise in a passage: quote markers, headings, emphasis, list bullets.
MARKDOWN_NOISE = [
    (re.compile(r"\[\[quote:\d+\]\]"), " "),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(?m)^\s{0,3}(#{1,6}|[-+*]|\d+\.|>)\s+"), ""),
    (re.compile(r"[*_`]{1,3}(?=\S)|(?<=\S)[*_`]{1,3}"), ""),
    (re.compile(r"\s+"), " "),
]


def plain(text: str) -> str:
    for pattern, replacement in MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    return text.strip()


def marked(pieces: list[str]) -> SafeString:
    """Alternate plain and matching pieces (as ``re.split`` with one group gives them), escaped and marked.

    Each piece is escaped as Django's ``escape`` does (``html.escape``, quotes too), called directly: a
    results page escapes a few hundred pieces, and Django's lazy-text wrapper around each call cost more
    than the escaping.
    """
    parts = [
        f"<mark>{escape(piece)}</mark>" if index % 2 else escape(piece) for index, piece in enumerate(pieces) if piece
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def from_headline(headline: str) -> SafeString:
    """A ts_headline result, its matches wrapped in the sentinels, as escaped HTML."""
    return marked(SENTINELS.split(plain(headline)))


def words_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """The whole words holding any of the terms, for marking where the database did not."""
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(\w*(?:{alternatives})\w*)", re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    return marked(pattern.split(text) if pattern else [text])


def passage(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """About PASSAGE_CHARS of the text around its first match (its opening if nothing matches), marked."""
    text = plain(text)
    found = pattern.search(text) if pattern else None
    start = 0
    if found and found.end() > PASSAGE_CHARS - LEAD_CHARS:
        start = text.rfind(" ", 0, found.start() - LEAD_CHARS) + 1
    end = start + PASSAGE_CHARS
    if end < len(text):
        end = max(text.rfind(" ", start, end), found.end() if found else 0, start + 1)
    excerpt = text[start:end]
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return marked([prefix]) + highlight(excerpt, pattern) + marked([suffix])
