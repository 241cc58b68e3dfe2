from django import template
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from comments.pipeline import reason_label

register = template.Library()

URL_DISPLAY_LIMIT = 60
# urlize escapes the text before it adds links, so this attribute can only be one it wrote.
NOFOLLOW = ' rel="nofollow"'
LINK_REL = ' rel="nofollow ugc noopener"'


@register.filter
def comment_html(text: str) -> SafeString:
    """Comment text as typed, escaped, with paragraphs and line breaks kept and web addresses made links."""
    linked = urlize(text, trim_url_limit=URL_DISPLAY_LIMIT, nofollow=True, autoescape=True)
    return mark_safe(linebreaks(linked.replace(NOFOLLOW, LINK_REL)))  # noqa: S308


@register.filter
def reasons_text(reasons: list[str]) -> str:
    return escape("; ".join(reason_label(reason) for reason in reasons))
