"""What the content apps tell the outbox about themselves, registered from their ``AppConfig.ready()``.

The outbox imports no content app: the beat job that announces new content and the weekly
digest ask the sources and parts registered here instead. A content app builds its own
announcements (template, context, audience) and calls ``announcement_fan_out``; here it
says how to find what became public unannounced, and what it offers a week's digest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models

from notifications.models import Subscriber

Item = TypeVar("Item")


@dataclass(frozen=True)
class AnnouncementSource:
    """Content that announces itself to subscribers when it becomes public."""

    model: type[models.Model]
    # Announce what became public since the given moment and is not announced yet; returns how many.
    announce_due: Callable[[datetime], int]
    # The name the announcement's template knows the object by; the model's own name when empty.
    context_name: str = ""


@dataclass(frozen=True)
class DigestWeek:
    """The week a digest covers: what happened from ``start`` to ``end``, and what comes until ``ahead``."""

    start: datetime
    end: datetime
    ahead: datetime


@dataclass(frozen=True)
class DigestPart(Generic[Item]):
    """One app's section of the weekly digest, under ``name`` in the digest's template."""

    name: str
    # Everything the section can offer for the week, read once for all subscribers of a batch.
    week: Callable[[DigestWeek], list[Item]]
    # The subscriber's share of it (an empty list when they did not ask for this section).
    share: Callable[[Subscriber, list[Item]], list[Item]]
    # Whether the section is news: a digest whose news sections are all empty is not sent.
    news: bool = True


@dataclass(frozen=True)
class NewsletterItem:
    """What a newsletter block shows of one object: its title, standfirst and address (absolute)."""

    title: str
    standfirst: str
    url: str
    label: str = ""


@dataclass(frozen=True)
class NewsletterBlockSource:
    """Content an editor can pull into a newsletter issue (analyses, webinars, open consultations)."""

    # The model's label ("policies.policyanalysis"), stored on each block.
    key: str
    # What the editor's picker and the email call this kind of content ("Analysis").
    label: str
    # What the editor may choose from, as (id, text) pairs, newest first.
    choices: Callable[[], list[tuple[int, str]]]
    # The chosen objects still public, by id, read in one query.
    items: Callable[[list[int]], dict[int, NewsletterItem]]


# Keyed, so registering again (a second ready()) replaces instead of adding a duplicate.
_announcement_sources: dict[str, AnnouncementSource] = {}
_digest_parts: dict[str, DigestPart[Any]] = {}
_newsletter_block_sources: dict[str, NewsletterBlockSource] = {}


def announcement_source_register(source: AnnouncementSource) -> None:
    _announcement_sources[source.model._meta.label_lower] = source


def announcement_sources() -> list[AnnouncementSource]:
    return list(_announcement_sources.values())


def announcement_context_name(content_type: ContentType) -> str:
    """What a broadcast's template calls the object it announces (its model's name unless its source says)."""
    source = _announcement_sources.get(f"{content_type.app_label}.{content_type.model}")
    return source.context_name if source is not None and source.context_name else content_type.model


def digest_part_register(part: DigestPart[Any]) -> None:
    _digest_parts[part.name] = part


def digest_parts() -> list[DigestPart[Any]]:
    return list(_digest_parts.values())


def newsletter_block_source_register(source: NewsletterBlockSource) -> None:
    _newsletter_block_sources[source.key] = source


def newsletter_block_sources() -> list[NewsletterBlockSource]:
    return list(_newsletter_block_sources.values())


def newsletter_block_source(key: str) -> NewsletterBlockSource | None:
    return _newsletter_block_sources.get(key)
