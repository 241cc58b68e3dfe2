"""Markdown for editors' text: rendered with Python-Markdown, then sanitised by nh3.

Editors are trusted more than commenters, but an account can be compromised,
so rendered HTML passes an allow-list before it reaches a page.
"""

import re
from typing import NamedTuple

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li",
    "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
QUOTE = "quote"
FIGURE = "figure"
# A paragraph holding only a marker: [[quote:N]] (a citation's position) or [[figure:slug]].
MARKER = re.compile(r"<p>\s*\[\[(quote):(\d+)\]\]\s*</p>|<p>\s*\[\[(figure):([-a-zA-Z0-9_]+)\]\]\s*</p>")


class Marker(NamedTuple):
    kind: str
    key: str


def render_markdown(text: str) -> str:
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


def split_on_markers(html: str) -> list[str | Marker]:
    """Split rendered HTML into HTML pieces and the markers between them, in order.

    Markers are matched in the sanitised HTML, so a slug is only ever the characters a slug may hold.
    """
    pieces: list[str | Marker] = []
    position = 0
    for match in MARKER.finditer(html):
        _append_html(pieces, html[position : match.start()])
        kind, key = (match[1], match[2]) if match[1] else (match[3], match[4])
        pieces.append(Marker(kind, key))
        position = match.end()
    _append_html(pieces, html[position:])
    return pieces


def _append_html(pieces: list[str | Marker], html: str) -> None:
    if html.strip():
        pieces.append(html)


def figure_slugs(html: str) -> list[str]:
    return [piece.key for piece in split_on_markers(html) if isinstance(piece, Marker) and piece.kind == FIGURE]
