"""Site search: every public analysis, webinar, consultation and consultation outcome, in one list by
relevance, in a fixed number of queries.

For each kind (or the one asked for): one query ranks the matches and counts them, returning the best
``page × per_page``: those whose title holds the query first, then those whose head (title, summary
and, for analyses, the body's opening) holds it, then the rest, each by rank, then date (for analyses,
the many, only the matches the page needs are ranked: ``postgres.best_first``). The lists are merged
in the same order, and the page's rows are read, with their passages and topics,
by two queries per kind present on the page. So a page costs at most three queries per kind whatever
the number of matches. On PostgreSQL each kind's ranking statement is written once per shape of search
and kept (``search.statements``).
"""

from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, QuerySet, Window
from django.utils.safestring import SafeString

from consultations.search import CONSULTATIONS, OUTCOMES
from core.search import Searchable
from policies.search import ANALYSES
from search import excerpts, fallback, postgres, statements
from search.terms import parse, required_phrases
from topics.models import Topic
from webinars.search import WEBINARS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SOURCES: tuple[Searchable, ...] = (ANALYSES, WEBINARS, CONSULTATIONS, OUTCOMES)
KINDS = {source.kind: source for source in SOURCES}

# Deeper pages cost each kind's ranking query more rows; nobody reads past this.
MAX_PAGE = 50


@dataclass(frozen=True)
class Criteria:
    text: str
    kind: str = ""
    topic: Topic | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Result:
    kind: str
    label: "StrOrPromise"
    title: SafeString
    title_text: str
    url: str
    date: datetime
    passage: SafeString
    topics: list[Topic]
    rank: float = 0.0


@dataclass(frozen=True)
class Ranked:
    tier: int
    rank: float
    when: datetime
    order: int
    pk: int


class PageOutOfRange(Exception):
    def __init__(self, last: int) -> None:
        super().__init__(last)
        self.last = last


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def is_searchable(text: str) -> bool:
    """Whether the text holds a word to look for (PostgreSQL would also drop what the fallback drops)."""
    return bool(parse(text))


def _filtered(source: Searchable, criteria: Criteria) -> "QuerySet[Any]":
    rows = source.queryset()
    if criteria.topic is not None:
        rows = rows.filter(topics=criteria.topic)
    if criteria.date_from is not None:
        rows = rows.filter(search_date__date__gte=criteria.date_from)
    if criteria.date_to is not None:
        rows = rows.filter(search_date__date__lte=criteria.date_to)
    return rows


def _matching(source: Searchable, criteria: Criteria) -> "QuerySet[Any]":
    rows = _filtered(source, criteria)
    if on_postgresql():
        return postgres.matching(source, rows, criteria.text)
    return fallback.matching(rows, parse(criteria.text))


def _best(source: Searchable, order: int, criteria: Criteria, limit: int) -> tuple[list[Ranked], int]:
    """The kind's best ``limit`` matches and how many there are in all, in one query.

    Matches whose title holds the query come first, then those whose head holds it, then the rest, each
    by rank, then date.
    """
    if on_postgresql():
        found = _best_on_postgresql(source, criteria, limit)
    else:
        found = list(_best_statement(source, criteria, limit))
    # The rows' (pk, rank, search_date, search_tier, search_total); the rows that count hold the total.
    total = next((row[4] for row in found if row[4] is not None), 0)
    ranked = [Ranked(tier=tier, rank=rank, when=when, order=order, pk=pk) for pk, rank, when, tier, _ in found]
    return ranked, total


def _best_statement(
    source: Searchable,
    criteria: Criteria,
    limit: int,
    phrases: list[str] | None = None,
    leaves_out: bool | None = None,
) -> "QuerySet[Any]":
    """The statement of the kind's best ``limit`` matches: (pk, rank, search_date, search_tier,
    search_total: how many match, or None in rows that do not count them)."""
    rows = _filtered(source, criteria)
    if on_postgresql() and source.stored_vector is not None:
        return postgres.best_first(source, rows, criteria.text, limit, phrases=phrases, leaves_out=leaves_out)
    best: QuerySet[Any] = (
        _matching(source, criteria)
        .annotate(search_total=Window(Count("pk")))
        .order_by("-search_tier", "-rank", "-search_date", "-pk")
        .values_list("pk", "rank", "search_date", "search_tier", "search_total")[:limit]
    )
    return best


def _best_on_postgresql(source: Searchable, criteria: Criteria, limit: int) -> list[tuple[Any, ...]]:
    """``_best_statement``'s rows, from the statement written once for searches of this shape."""
    phrases = required_phrases(criteria.text)
    leaves_out = postgres.leaves_a_word_out(criteria.text)
    values = {
        "text": criteria.text,
        "topic": criteria.topic.pk if criteria.topic is not None else None,
        "date_from": criteria.date_from,
        "date_to": criteria.date_to,
        **{f"phrase {number}": phrase for number, phrase in enumerate(phrases)},
    }

    def write(marked: statements.Values) -> "QuerySet[Any]":
        topic = Topic(pk=cast(int, marked["topic"])) if marked["topic"] is not None else None
        marked_criteria = Criteria(
            text=cast(str, marked["text"]),
            topic=topic,
            date_from=cast("date | None", marked["date_from"]),
            date_to=cast("date | None", marked["date_to"]),
        )
        marked_phrases = [cast(str, marked[f"phrase {number}"]) for number in range(len(phrases))]
        return _best_statement(source, marked_criteria, limit, phrases=marked_phrases, leaves_out=leaves_out)

    # A word left out (``-word``) changes the statement, not only its values (``postgres.best_first``).
    shape = (source.kind, limit, leaves_out)
    stored = source.stored_vector is not None
    with postgres.matching_through_indexes() if stored else nullcontext():
        return statements.rows(shape, values, write)


def _read(source: Searchable, criteria: Criteria, ids: list[int]) -> dict[int, Result]:
    """The page's rows of one kind with their marked titles and passages, and their topics: two queries."""
    # The stored vectors are the largest columns and the page has no use for them.
    vectors = [name for name in (source.stored_vector, source.stored_rank_vector) if name]
    rows = source.queryset().filter(pk__in=ids).defer(*vectors).prefetch_related("topics")
    pattern = None
    if on_postgresql():
        rows = postgres.with_headlines(source, rows, criteria.text)
    else:
        pattern = excerpts.words_pattern(parse(criteria.text).include)
    results = {}
    for obj in rows:
        if pattern is None:
            title = excerpts.from_headline(obj.search_title_marked)
            passage = excerpts.from_headline(obj.search_passage)
        else:
            title = excerpts.highlight(obj.search_title, pattern)
            passage = excerpts.passage(f"{obj.search_summary}\n\n{obj.search_body}", pattern)
        results[obj.pk] = Result(
            kind=source.kind,
            label=source.label,
            title=title,
            title_text=obj.search_title,
            url=source.url(obj),
            date=obj.search_date,
            passage=passage,
            topics=list(obj.topics.all()),
        )
    return results


def site_search(criteria: Criteria, *, page_number: int = 1, per_page: int = 10) -> "Page[Result]":
    """One page of results (a Django ``Page`` of ``Result``); ``PageOutOfRange`` past the last page."""
    if not is_searchable(criteria.text):
        return Page([], 1, cast("Paginator[Result]", Paginator([], per_page)))
    sources = [KINDS[criteria.kind]] if criteria.kind else list(SOURCES)
    limit = min(page_number, MAX_PAGE) * per_page
    ranked: list[Ranked] = []
    total = 0
    for order, source in enumerate(sources):
        found, count = _best(source, order, criteria, limit)
        ranked.extend(found)
        total += count
    # The paginator only counts (a range has the length of all matches); the page holds this page's results.
    paginator = cast("Paginator[Result]", Paginator(range(total), per_page))
    last = min(paginator.num_pages, MAX_PAGE)
    if page_number > last:
        raise PageOutOfRange(last)
    ranked.sort(key=lambda row: (-row.tier, -row.rank, -row.when.timestamp(), row.order, -row.pk))
    window = ranked[(page_number - 1) * per_page : page_number * per_page]
    read = {
        order: _read(sources[order], criteria, [row.pk for row in window if row.order == order])
        for order in sorted({row.order for row in window})
    }
    # A row unpublished between the two queries is left out rather than shown.
    results = [
        # A rank is at most 1, so the tier and the rank together fall down the page as the order does.
        replace(read[row.order][row.pk], rank=round(row.tier + row.rank, 4))
        for row in window
        if row.pk in read[row.order]
    ]
    return Page(results, page_number, paginator)
