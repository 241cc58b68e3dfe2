"""Settings for serving the site to the load benchmarks on loopback: the production settings
(DEBUG off, from the environment) with the bench-only URLconf, and cookies that plain HTTP may carry.

Never used by the site itself: only ``bench.server`` points gunicorn at it.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Loopback has no TLS in front of it; production marks these cookies secure.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
