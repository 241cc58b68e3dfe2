from django import template
from django.conf import settings

register = template.Library()


@register.filter
def absolute(path: str) -> str:
    """A site path as a full address, for canonical links, feeds and emails."""
    return f"{settings.SITE_URL}{path}"
