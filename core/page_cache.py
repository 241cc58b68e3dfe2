"""Whole pages kept for readers who bring no state of their own, and thrown away when what they show changes.

A page is served from the cache (by ``CachedPageMiddleware``, early in the stack) only to a GET under
``PAGE_CACHE_PATH_PREFIXES`` with no cookie but the CSRF one, no Authorization header and only the
query parameters the page understands: such a reader is signed out, has no messages, no
held form and no waiting comments of their own, so every such reader sees the same page.

Freshness comes from tags, not from expiry. While a page renders, the code reading each part names its
tags (``page_depends_on(request, "policies", "comments:12:3")``) and the tag's current version is read
then, before the rows it guards. The stored page keeps those versions; it is served while every one of
them is still current. A change bumps its tags (``tags_bump``, or ``watch`` for every save and delete of
some models) to a new random version, at once and again after commit, so a page rendered from the rows
before the commit is never served afterwards. Versions are random rather than counted so that a version
key evicted and created again can never match an old page.

The comment form's CSRF token is never stored: the page is rendered with a placeholder in its place and
each reader's own token is written in as the page is served. While Redis cannot be reached, pages are
rendered and not cached, because a copy in one process would not hear of changes made in another.
"""

import hashlib
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.cache import patch_vary_headers

from core.cache import Unshared, shared_call

log = logging.getLogger(__name__)

# Stands where the CSRF token goes in a stored page; swapped for the reader's own token on the way out.
CSRF_PLACEHOLDER = "csrf-token-of-the-reader-goes-here"
# Every cached page depends on it: bumped when a change could not reach Redis, see tags_bump.
SITE_TAG = "site"
HEADER = "X-Page-Cache"
MAX_QUERY_VALUE = 12

_lost_bump = False


@dataclass
class Render:
    """A page being rendered for the cache: the tag versions read so far and how long it may be kept."""

    seconds: int
    versions: dict[str, str] = field(default_factory=dict)
    unshared: bool = False


@dataclass(frozen=True)
class Entry:
    versions: dict[str, str]
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    expires_at: float = 0.0  # time.time(); 0: as long as Redis keeps it


# The pages this process served lately, by key: a page is the same wherever it was rendered while its tag
# versions stay current, so a copy here needs one small read of those versions from Redis, not the page.
LOCAL_PAGES = 200
_local_pages: dict[str, Entry] = {}
_local_lock = threading.Lock()
# When (time.monotonic()) each local copy was last found current in Redis. Within
# PAGE_CACHE_RECHECK_SECONDS of that it is served without asking again: a busy process then asks a few
# times a second instead of on every view (the ask cost as much as the rest of serving the page). A change
# made in this process forgets these at once; one made in another reaches this one within that window.
_local_checked: dict[str, float] = {}


def tag_for(instance: models.Model) -> str:
    """The tag of one row: ``app_label.model:pk``."""
    return f"{instance._meta.label_lower}:{instance.pk}"


def _tag_key(tag: str) -> str:
    return f"page-tag:{tag}"


# Folders of the checkout that hold no code or templates a page is made from.
_NOT_SOURCE = {".venv", "var", "node_modules", "tests", "bench", "docs", ".git"}


@cache
def release() -> str:
    """What pages are made from, as one short name: ``PAGE_CACHE_RELEASE`` when the deployment sets it
    (a commit id), else the names, sizes and times of the code and templates this process started with.

    It is part of every page's key, so pages rendered by the release before are never served by this one.
    """
    if settings.PAGE_CACHE_RELEASE:
        return settings.PAGE_CACHE_RELEASE
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in _NOT_SOURCE and not name.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", ".html", ".txt")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _page_key(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{release()}{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"page:{digest}"


def _rendering(request: HttpRequest) -> Render | None:
    return getattr(request, "_page_cache_render", None)


# --- Reading and bumping tag versions ----------------------------------------------------------


def _versions(tags: list[str]) -> dict[str, str]:
    keys = {_tag_key(tag): tag for tag in tags}
    found = shared_call(caches[DEFAULT_CACHE_ALIAS], "get_many", list(keys))
    versions = {}
    for key, tag in keys.items():
        version = found.get(key)
        if version is None:
            fresh = secrets.token_hex(8)
            version = (
                fresh
                if shared_call(caches[DEFAULT_CACHE_ALIAS], "add", key, fresh, None)
                else shared_call(caches[DEFAULT_CACHE_ALIAS], "get", key)
            )
        versions[tag] = version
    return versions


def page_depends_on(request: HttpRequest, *tags: str) -> None:
    """Name what the page is about to read; call it before reading the rows the tags guard."""
    render = _rendering(request)
    if render is None or render.unshared:
        return
    wanted = [tag for tag in tags if tag not in render.versions]
    if not wanted:
        return
    try:
        render.versions.update(_versions(wanted))
    except Unshared:
        render.unshared = True


def page_expires_in(request: HttpRequest, seconds: float) -> None:
    """Keep the page no longer than this: for what changes with the clock (a consultation closing)."""
    render = _rendering(request)
    if render is not None and seconds < render.seconds:
        render.seconds = max(int(seconds), 0)


def _bump(tags: Iterable[str]) -> None:
    global _lost_bump  # one flag per process, read by the next request it serves
    _local_checked.clear()
    try:
        shared_call(
            caches[DEFAULT_CACHE_ALIAS], "set_many", {_tag_key(tag): secrets.token_hex(8) for tag in tags}, None
        )
    except Unshared:
        # Redis missed this change, and the pages it holds cannot tell: the next request this process serves
        # with Redis back bumps the tag every page carries.
        _lost_bump = True


def tags_bump(*tags: str) -> None:
    """Pages that read these tags are stale: at once, and again after commit for pages rendered in between."""
    if not settings.PAGE_CACHE_ENABLED or not tags:
        return
    _bump(tags)
    transaction.on_commit(lambda: _bump(tags))


def forget_all_pages() -> None:
    """Every cached page stale at once: after a release changes templates, or between tests."""
    _bump([SITE_TAG])


def _recover_lost_bump() -> None:
    global _lost_bump
    if _lost_bump:
        shared_call(caches[DEFAULT_CACHE_ALIAS], "set", _tag_key(SITE_TAG), secrets.token_hex(8), None)
        _lost_bump = False


def watch(*senders: type[models.Model], tags: Callable[[models.Model], Iterable[str]]) -> None:
    """Bump ``tags(instance)`` on every save and delete of these models and on their many-to-many changes."""

    def on_change(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        if kwargs.get("action", "post_").startswith("post_"):
            tags_bump(*tags(instance))

    for sender in senders:
        uid = f"page_cache:{sender._meta.label_lower}"
        post_save.connect(on_change, sender=sender, weak=False, dispatch_uid=uid)
        post_delete.connect(on_change, sender=sender, weak=False, dispatch_uid=uid)
        for m2m in sender._meta.many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(on_change, sender=through, weak=False, dispatch_uid=f"{uid}:{m2m.name}")


def watch_app(app_label: str, *, tag: str) -> None:
    """Every model of an app bumps one tag: its pages' content changes seldom, and every page reads it."""
    from django.apps import apps

    watch(*apps.get_app_config(app_label).get_models(), tags=lambda instance: (tag,))


# --- Serving ----------------------------------------------------------------------------------
#
# The middleware sits before sessions, CSRF, authentication and messages: a page served from the cache
# needs none of them and skips URL resolution too. It stores a page only when the view marked it
# (``cached_for_anonymous``), with the headers the inner middleware added, and after the response has
# shown it set no cookie but the CSRF one, so no session or message was made for this reader.

UNSTORED_HEADERS = frozenset({"content-length", "cache-control", "vary", HEADER.lower()})


def _cacheable(request: HttpRequest) -> bool:
    if not settings.PAGE_CACHE_ENABLED or request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if not request.path.startswith(settings.PAGE_CACHE_PATH_PREFIXES):
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in request.COOKIES):
        return False
    return all(
        name in settings.PAGE_CACHE_QUERY_PARAMETERS
        and len(values) == 1
        and len(values[0]) <= MAX_QUERY_VALUE
        and values[0].isdigit()
        for name, values in request.GET.lists()
    )


def _storable(request: HttpRequest, response: HttpResponse, render: Render) -> bool:
    return (
        not render.unshared
        and render.seconds > 0
        and response.status_code == 200
        and not response.streaming
        and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
        and "private" not in response.get("Cache-Control", "")
    )


def _for_reader(request: HttpRequest, response: HttpResponse, outcome: str) -> HttpResponse:
    """The reader's own CSRF token in place of the placeholder, and headers that keep it theirs."""
    content = response.content
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in content:
        response.content = content.replace(placeholder, get_token(request).encode())
    patch_vary_headers(response, ["Cookie"])
    # The page holds this reader's token, and changes whenever a comment is approved: the browser asks again.
    response["Cache-Control"] = "private, no-cache"
    response["Content-Length"] = str(len(response.content))
    response[HEADER] = outcome
    return response


def _cached(key: str) -> Entry | None:
    store = caches[DEFAULT_CACHE_ALIAS]
    kept = _local_pages.get(key)
    if kept is not None and kept.expires_at > time.time():
        if time.monotonic() - _local_checked.get(key, -math.inf) < settings.PAGE_CACHE_RECHECK_SECONDS:
            return kept
        if _current(store, kept):
            _local_checked[key] = time.monotonic()
            return kept
    entry: Entry | None = shared_call(store, "get", key)
    if entry is None or not _current(store, entry):
        return None
    with _local_lock:
        if len(_local_pages) >= LOCAL_PAGES:
            oldest = next(iter(_local_pages))
            _local_pages.pop(oldest)
            _local_checked.pop(oldest, None)
        _local_pages[key] = entry
        _local_checked[key] = time.monotonic()
    return entry


def _current(store: Any, entry: Entry) -> bool:
    """Whether every tag the page was rendered under still has the version it had then."""
    keys = {_tag_key(tag): version for tag, version in entry.versions.items()}
    current = shared_call(store, "get_many", list(keys))
    return all(current.get(key) == version for key, version in keys.items())


def _store(key: str, response: HttpResponse, render: Render) -> bool:
    headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
    entry = Entry(
        versions=render.versions,
        status=response.status_code,
        headers=headers,
        content=response.content,
        expires_at=time.time() + render.seconds,
    )
    try:
        shared_call(caches[DEFAULT_CACHE_ALIAS], "set", key, entry, render.seconds)
    except Unshared:
        return False
    return True


class CachedPageMiddleware:
    """Serves stored pages to readers with no state of their own; stores the pages views mark."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Sets the reader's CSRF cookie on a page served from here, as it would on a rendered one.
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable(request):
            return self.get_response(request)
        key = _page_key(request)
        try:
            _recover_lost_bump()
            entry = _cached(key)
        except Unshared:
            return self.get_response(request)
        if entry is not None:
            return self._serve(request, entry)
        request._page_cache_key = key  # type: ignore[attr-defined]
        response = self.get_response(request)
        render = _rendering(request)
        if render is None:
            return response
        stored = _storable(request, response, render) and _store(key, response, render)
        return _for_reader(request, response, "miss" if stored else "uncached")

    def _serve(self, request: HttpRequest, entry: Entry) -> HttpResponse:
        self.csrf.process_request(request)
        response = HttpResponse(entry.content, status=entry.status, headers=dict(entry.headers))
        response = _for_reader(request, response, "hit")
        self.csrf.process_response(request, response)  # sets the cookie on this response when it is new
        return response


def cached_for_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's page as one CachedPageMiddleware may store (see the module's notes)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "_page_cache_key", None) is None:
            return view(request, *args, **kwargs)
        request._page_cache_render = Render(seconds=settings.PAGE_CACHE_SECONDS)  # type: ignore[attr-defined]
        page_depends_on(request, SITE_TAG)
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            # The error page rendered next is not for the cache, and gets a real token.
            del request._page_cache_render  # type: ignore[attr-defined]
            raise
        if CSRF_PLACEHOLDER.encode() in response.content:
            get_token(request)  # so the CSRF middleware sets this reader's cookie on the way out
        return response

    return wrapper


def csrf_placeholder(request: HttpRequest) -> dict[str, str]:
    """Context processor: a page rendered for the cache carries the placeholder, not this reader's token."""
    return {"csrf_token": CSRF_PLACEHOLDER} if _rendering(request) is not None else {}
