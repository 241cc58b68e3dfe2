"""Strict readers for settings taken from environment variables.

Each reader fails loudly, naming the variable, so that a typo in production
stops start-up instead of silently falling back to a default.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import environ
from django.core.exceptions import ImproperlyConfigured

Number = TypeVar("Number", int, float)

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
DATABASE_SCHEMES = frozenset({"sqlite", "postgres", "postgresql", "pgsql", "psql"})


def load_dotenv(path: Path) -> None:
    """Read a local .env file; variables already in the environment win."""
    if path.exists():
        environ.Env.read_env(str(path))


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str = "") -> str:
    return _raw(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false, yes/no, on/off or 1/0; got {value!r}.")


def env_int(name: str, default: int) -> int:
    return _parsed(name, default, int, "a whole number")


def env_float(name: str, default: float) -> float:
    return _parsed(name, default, float, "a number, such as 0.1")


def _parsed(name: str, default: Number, parse: Callable[[str], Number], meaning: str) -> Number:
    value = _raw(name)
    if value is None:
        return default
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {meaning}; got {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict[str, Any]:
    value = _raw(name) or default
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must look like postgres://user:password@host:5432/name "
            f"or sqlite:////absolute/path.sqlite3; got {value!r}."
        )
    try:
        # django-environ ships no type information; this is the DATABASES entry it builds.
        config: dict[str, Any] = environ.Env.db_url_config(value)
    except Exception as error:  # environ raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} could not be parsed: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database; got {value!r}.")
    return config


def env_email(name: str, default: str) -> dict[str, Any]:
    value = _raw(name) or default
    try:
        config: dict[str, Any] = environ.Env.email_url_config(value)
    except Exception as error:
        raise ImproperlyConfigured(f"{name} could not be parsed: {error}") from None
    return config


def local_site_url(host: str, port: int) -> str:
    """The address ``runserver host:port`` answers at, as a browser on this machine would write it."""
    if host in {"0.0.0.0", "::", "[::]"}:  # noqa: S104 - every interface: this machine answers too
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
