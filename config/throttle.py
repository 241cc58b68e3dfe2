from django.core.cache import cache
from django.http import HttpRequest


def hourly_limit_reached(request: HttpRequest, scope: str, limit: int) -> bool:
    """Count one attempt from the request's address; true once it passes ``limit`` within the hour.

    A coarse per-address limit for forms that send email or open records, so they
    cannot be used to mail-bomb strangers or flood the database.
    """
    key = f"throttle:{scope}:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the key expired between add and incr
        return False
