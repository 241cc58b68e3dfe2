"""Markdown for editors' text: rendered with Python-Markdown, then sanitised by nh3.

Editors are trusted more than commenters, but an account can be compromised,
so rendered HTML passes an allow-list before it reaches a page.
"""

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li",
    "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
QUOTE_MARKER = re.compile(r"<p>\s*\[\[quote:(\d+)\]\]\s*</p>")


def render_markdown(text: str) -> str:
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


def split_on_quote_markers(html: str) -> list[str | int]:
    """Split rendered HTML into HTML pieces and the numbers of cited quotes.

    A marker is a paragraph holding only ``[[quote:N]]``; N is the position of
    a citation on the analysis.
    """
    pieces: list[str | int] = []
    for index, part in enumerate(QUOTE_MARKER.split(html)):
        if index % 2:
            pieces.append(int(part))
        elif part.strip():
            pieces.append(part)
    return pieces
