"""Comment text as HTML: escaped, paragraphs and line breaks kept, web addresses made links.

Rendered once when a comment is saved, because linking is the dearest part of
showing a comment and a page may show hundreds.
"""

from django.utils.html import linebreaks, urlize

URL_DISPLAY_LIMIT = 60
# urlize escapes the text before it adds links, so this attribute can only be one it wrote.
NOFOLLOW = ' rel="nofollow"'
LINK_REL = ' rel="nofollow ugc noopener"'


def comment_html(text: str) -> str:
    linked = urlize(text, trim_url_limit=URL_DISPLAY_LIMIT, nofollow=True, autoescape=True)
    return str(linebreaks(linked.replace(NOFOLLOW, LINK_REL)))
