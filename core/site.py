from django.conf import settings


def absolute_url(path: str) -> str:
    """A site path as a full address, for canonical links, feeds and emails."""
    return f"{settings.SITE_URL}{path}"
