"""Real services for the tests that need them.

On a bare laptop a test that needs PostgreSQL or Redis skips with the reason;
in CI (CI=true) it fails instead, so a missing service can never pass unnoticed.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        missing("needs PostgreSQL: set DATABASE_URL=postgres://...")


def require_redis() -> str:
    if not settings.REDIS_URL or not reachable(settings.REDIS_URL):
        missing("needs Redis: set REDIS_URL=redis://... to a running server")
    return settings.REDIS_URL


def require_chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        missing("needs Debian's chromium package for real-browser tests")
    return path
