from django import template
from django.utils.safestring import SafeString, mark_safe

from comments import rendering

register = template.Library()


@register.filter
def comment_html(text: str) -> SafeString:
    """For text not yet saved; a saved comment carries the same HTML in ``text_html``."""
    return mark_safe(rendering.comment_html(text))  # noqa: S308
