"""Two versions of an analysis side by side, as editors read them: each field in words, and a word diff
of what changed, escaped (a version's text is whatever an editor typed, markup included).

The versions are django-reversion's; names behind ids (author, topics, reports, webinar, quotes) are
looked up once per kind for both versions together, so a comparison costs the same queries at any size.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Version

from policies.models import Author, PolicyAnalysis, QuoteCitation, Report
from topics.models import Topic
from webinars.models import Quote, Webinar

# The fields an editor changes, in the order of the form; derived and stamp fields are left out.
COMPARED = (
    ("title", gettext_lazy("Title")),
    ("slug", gettext_lazy("Slug")),
    ("section", gettext_lazy("Section")),
    ("author_id", gettext_lazy("Author")),
    ("kind", gettext_lazy("Kind")),
    ("standfirst", gettext_lazy("Standfirst")),
    ("body", gettext_lazy("Body")),
    ("citations", gettext_lazy("Cited quotes")),
    ("featured_webinar_id", gettext_lazy("Featured webinar")),
    ("hero_image", gettext_lazy("Hero image")),
    ("hero_alt", gettext_lazy("Hero image alt text")),
    ("hero_caption", gettext_lazy("Hero caption")),
    ("topics", gettext_lazy("Topics")),
    ("reports", gettext_lazy("Reports referenced")),
    ("status", gettext_lazy("Status")),
    ("publish_at", gettext_lazy("Publish at")),
    ("comments_open", gettext_lazy("Comments open")),
    ("close_comments_after_days", gettext_lazy("Close comments after days")),
)

# Words and the spaces between them, so the diff keeps line breaks and spacing as typed.
TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldChange:
    label: str
    older: str
    newer: str
    diff: SafeString

    @property
    def changed(self) -> bool:
        return self.older != self.newer


def word_diff(older: str, newer: str) -> SafeString:
    """``older`` turned into ``newer`` word by word: removed words in ``<del>``, added ones in ``<ins>``,
    each announced to screen readers. Every piece of text is escaped."""
    before, after = TOKENS.findall(older), TOKENS.findall(newer)
    pieces = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op in {"delete", "replace"}:
            pieces.append(_marked("del", _("removed"), "".join(before[i1:i2])))
        if op in {"insert", "replace"}:
            pieces.append(_marked("ins", _("added"), "".join(after[j1:j2])))
        if op == "equal":
            pieces.append(escape("".join(before[i1:i2])))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped or format_html


def _marked(tag: str, said: str, text: str) -> SafeString:
    return format_html(
        '<{tag}><span class="visually-hidden">[{said}: </span>{text}<span class="visually-hidden">]</span></{tag}>',
        tag=tag,
        said=said,
        text=text,
    )


def compare_versions(older: Version, newer: Version) -> list[FieldChange]:
    """Every compared field of the two versions, in words, with its diff."""
    fields = [dict(older.field_dict), dict(newer.field_dict)]
    for values, version in zip(fields, (older, newer), strict=True):
        values["citations"] = _citations_of(version)
    names = _names_for(fields)
    changes = []
    for key, label in COMPARED:
        before, after = (_in_words(key, values.get(key), names) for values in fields)
        diff = word_diff(before, after) if before != after else escape(after)
        changes.append(FieldChange(str(label), before, after, diff))
    return changes


def _citations_of(version: Version) -> list[tuple[int, int]]:
    """(position, quote id) of the quotes cited in the version's revision."""
    content_type = ContentType.objects.get_for_model(QuoteCitation)
    citations = [cited.field_dict for cited in version.revision.version_set.filter(content_type=content_type)]
    return sorted((citation["position"], citation["quote_id"]) for citation in citations)


def _names_for(fields: list[dict[str, Any]]) -> dict[str, dict[int, str]]:
    def ids(key: str) -> set[int]:
        found: set[int] = set()
        for values in fields:
            value = values.get(key)
            if isinstance(value, list | tuple | set):
                found.update(int(item) for item in value)
            elif value is not None:
                found.add(int(value))
        return found

    quote_ids = {quote for values in fields for _, quote in values["citations"]}
    quotes = Quote.objects.select_related("speaker").in_bulk(quote_ids)
    return {
        "author_id": {pk: str(author) for pk, author in Author.objects.in_bulk(ids("author_id")).items()},
        "featured_webinar_id": {pk: str(w) for pk, w in Webinar.objects.in_bulk(ids("featured_webinar_id")).items()},
        "topics": {pk: str(topic) for pk, topic in Topic.objects.in_bulk(ids("topics")).items()},
        "reports": {pk: str(report) for pk, report in Report.objects.in_bulk(ids("reports")).items()},
        "citations": {pk: str(quote) for pk, quote in quotes.items()},
    }


def _in_words(key: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    gone = _("(deleted since)")
    if key in {"author_id", "featured_webinar_id"}:
        return "" if value is None else names[key].get(int(value), gone)
    if key in {"topics", "reports"}:
        return ", ".join(sorted(names[key].get(int(pk), gone) for pk in value or ()))
    if key == "citations":
        return "\n".join(f"[[quote:{position}]] {names[key].get(quote, gone)}" for position, quote in value)
    if key == "status":
        return str(dict(PolicyAnalysis.Status.choices).get(value, value))
    if key == "publish_at" and value is not None:
        return formats.date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)
