"""Rate limits counted in the shared cache, one atomic counter per client and window.

A fixed window counted by ``cache.add`` then ``cache.incr`` (Redis INCR): concurrent requests
each get their own number, so exactly ``limit`` get through however many arrive at once. DRF's
own throttles read a list of timestamps and write it back, and parallel clients slipped past
them. Each key's windows start at an offset of their own, so limits do not all reset together.
"""

import math
import time
import zlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from core.client_address import client_address


@dataclass(frozen=True)
class Hit:
    count: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


def window_hit(key: str, *, limit: int, window: int) -> Hit:
    """Count one attempt against ``key``: at most ``limit`` are allowed in each ``window`` seconds."""
    now = time.time()
    offset = zlib.crc32(key.encode()) % window
    number = math.floor((now - offset) / window)
    ends = offset + (number + 1) * window
    counter = f"rate:{key}:{number}"
    # The counter outlives its window a little, so it cannot expire between add and incr.
    timeout = math.ceil(ends - now) + 5
    cache.add(counter, 0, timeout=timeout)
    try:
        count = cache.incr(counter)
    except ValueError:  # evicted from a full cache in between: this attempt starts it again
        count = 1
        cache.set(counter, count, timeout=timeout)
    return Hit(count=count, limit=limit, retry_after=max(1, math.ceil(ends - now)))


def hourly_limit_reached(request: HttpRequest, scope: str, limit: int) -> bool:
    """Count one attempt from the request's client address; true once it passes ``limit`` within the hour.

    A coarse per-address limit for forms that send email or open records, so they
    cannot be used to mail-bomb strangers or flood the database.
    """
    return not window_hit(f"{scope}:{client_address(request)}", limit=limit, window=3600).allowed
