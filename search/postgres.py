"""Ranking and passages by PostgreSQL's full-text search: websearch syntax, English stemming,
ts_rank over weighted vectors (title A, summary B, body C), the results whose title holds the query
first, and ts_headline for the passage."""

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import zip_longest
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.lookups import GreaterThanOrEqual

from core.search import Searchable, spaced
from search.excerpts import START, STOP
from search.terms import parse, required_phrases

CONFIG = "english"
LIVE_VECTOR = "search_live_vector"
TITLE_VECTOR = "search_title_vector"


def query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


class Words(Func):
    """The words of texts as one vector, each text's weighted by the letter at its place in ``weights``
    (none given: unweighted): ``setweight(to_tsvector('english', COALESCE(CAST(text AS TEXT), '')), 'A')
    || …``, what ``SearchVector(…, weight=…) + …`` writes, in an expression Django builds several times
    faster (a webinar's vector is in its query twice)."""

    output_field = SearchVectorField()

    def __init__(self, *expressions: Any, weights: str = "") -> None:
        super().__init__(*expressions)
        self.weights = weights

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra_context: Any) -> tuple[str, Any]:
        pieces: list[str] = []
        params: list[Any] = []
        for expression, weight in zip_longest(self.get_source_expressions(), self.weights):
            sql, part_params = compiler.compile(expression)
            words = f"to_tsvector('{CONFIG}'::regconfig, COALESCE(CAST({sql} AS TEXT), ''))"
            pieces.append(f"setweight({words}, '{weight}')" if weight else words)
            params.extend(part_params)
        return "(" + " || ".join(pieces) + ")", params


def weighted_vector() -> Words:
    return Words("search_title", "search_summary", "search_body", weights="ABC")


def _words_weighted(name: str, weights: str) -> Func:
    """The stored vector's words of these weights (``ts_filter``), e.g. ``"a"``: the title's."""
    return Func(F(name), template=f"ts_filter(%(expressions)s, '{{{weights}}}')", output_field=SearchVectorField())


def title_words(source: Searchable) -> Func:
    """The words of the title alone, as a vector.

    A stored vector's weight-A part: the expression a GIN index covers for analyses (policies' migration
    0008), so it is written the same way. A small table's is built from the title.
    """
    stored = source.stored_rank_vector or source.stored_vector
    if stored is None:
        return Words("search_title")
    return _words_weighted(stored, "a")


def _ranked(source: Searchable, rows: "QuerySet[Any]", text: str) -> tuple["QuerySet[Any]", str]:
    """The rows with their ``rank`` and ``search_in_title`` (1 when the title holds the query, else 0),
    and the name of the vector to match."""
    search = query(text)
    name = source.stored_vector
    if name is None:
        name = LIVE_VECTOR
        rows = rows.alias(**{LIVE_VECTOR: weighted_vector()})
    ranked_by = source.stored_rank_vector or name
    rows = rows.alias(**{TITLE_VECTOR: title_words(source)}).annotate(rank=SearchRank(F(ranked_by), search))
    return rows, name


def _in_title(search: SearchQuery) -> Case:
    return Case(When(**{TITLE_VECTOR: search}, then=Value(1)), default=Value(0))


def matching(source: Searchable, rows: "QuerySet[Any]", text: str) -> "QuerySet[Any]":
    """The rows matching the query, each with its ``rank`` and ``search_in_title`` (1 when the title
    holds the query, else 0); a stored vector is matched through its index."""
    search = query(text)
    rows, name = _ranked(source, rows, text)
    return rows.filter(**{name: search}).annotate(search_in_title=_in_title(search))


class WordPairs(Func):
    """The pairs of lexemes next to each other in a vector (``"earli diagnosi"``): what the pairs index
    of a stored vector covers (policies' migration 0009)."""

    function = "search_word_pairs"
    output_field = ArrayField(TextField())


class CountOf(Subquery):
    """How many rows a queryset holds, as a value of another query (computed once: it refers to no row)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def title_matches_first(source: Searchable, rows: "QuerySet[Any]", text: str, limit: int) -> "QuerySet[Any]":
    """The best ``limit`` of the ``rows`` that match, in one query that ranks only the matches it needs:
    (pk, rank, search_date, search_in_title, how many in its half, how many in all or None); ``best``
    reads it.

    The matches whose title holds the query come first, found through the title index and ranked among
    themselves; only when they are fewer than ``limit`` are the others ranked too: the second half of
    ``UNION ALL`` runs only if the first did not fill the ``LIMIT``, as PostgreSQL reads one half after
    the other (``matching_through_indexes`` keeps out parallel workers, which could interleave them).
    Each half counts its rows as it ranks them; when the title matches fill the page, the others are
    counted, not ranked, through the GIN index (a subquery PostgreSQL runs only then).

    A title that holds the query is in the whole vector too, so the title matches need not open the
    whole vector (about 4 kB, stored out of line) to check it, unless the query leaves a word out
    (``-word``), which may then be in the body.
    """
    search = query(text)
    ranked, name = _ranked(source, rows, text)
    matches = ranked.filter(**{name: search})
    for phrase in required_phrases(text):
        # Only the matches holding the phrase's pairs of words, found through their index, are opened.
        matches = matches.alias(search_pairs=WordPairs(F(name))).filter(
            search_pairs__contains=Func(Value(CONFIG), Value(phrase), function="search_phrase_pairs")
        )
    in_title = ranked.filter(**{TITLE_VECTOR: search}).annotate(search_in_title=Value(1))
    if "-" in text:
        in_title = in_title.filter(**{name: search})
    ordering = (F("rank").desc(), F("search_date").desc(), F("pk").desc())
    # Ordered as the rows are, so the rank is computed once, before the count keeps the rows (a count
    # over () would keep each row's rank vector, to rank it afterwards).
    counted = Window(Count("pk"), order_by=ordering, frame=RowRange(start=None, end=None))
    every = CountOf(matches.order_by().values("pk"))
    in_title = in_title.annotate(search_total=Case(When(GreaterThanOrEqual(counted, limit), then=every), default=None))
    rest = (
        matches.alias(search_title_holds=_in_title(search))
        .filter(search_title_holds=0)
        .annotate(search_in_title=Value(0), search_total=Value(None, output_field=IntegerField()))
    )
    fields = ("pk", "rank", "search_date", "search_in_title", "search_counted", "search_total")
    best, others = (
        half.annotate(search_counted=counted).order_by(*ordering).values_list(*fields)[:limit]
        for half in (in_title, rest)
    )
    return best.union(others, all=True)[:limit]


def best(source: Searchable, rows: "QuerySet[Any]", text: str, limit: int) -> tuple[list[tuple[Any, ...]], int]:
    """``title_matches_first``'s rows as (pk, rank, search_date, search_in_title), and how many match."""
    with matching_through_indexes():
        found = list(title_matches_first(source, rows, text, limit))
    counted = {in_title: count for _pk, _rank, _when, in_title, count, _total in found}
    total = next((total for *_, total in found if total is not None), sum(counted.values()))
    return [row[:4] for row in found], total


@contextmanager
def matching_through_indexes() -> Iterator[None]:
    """Plans that match a stored vector through its GIN index, even when nearly every row matches.

    The planner prices a sequential scan's ``@@`` like any operator and picks it for a common word, but
    that opens every row's compressed vector (130 ms for 10,000 analyses, against 12 ms through the
    index, which answers without opening any). Turning sequential scans off makes the plan look costly
    enough to be compiled by the JIT, which alone takes a second, so the JIT is turned off too; and
    parallel workers, which would cost more to start than these queries take and could interleave the
    halves of ``title_matches_first``. The settings last until the transaction ends.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )
        yield


# A passage drawn from the opening reads this much of the body; the opening the rank vector holds (the
# first 400 characters, policies' migration 0007) is within it.
OPENING_CHARS = 1000
OPENING_VECTOR = "search_opening_vector"


def _opening(name: str) -> Func:
    """The field's first OPENING_CHARS characters, without the word cut in two at the end."""
    return Func(
        F(name),
        template=(
            f"CASE WHEN length(%(expressions)s) > {OPENING_CHARS}"
            f" THEN regexp_replace(left(%(expressions)s, {OPENING_CHARS}), '\\S*$', '')"
            " ELSE %(expressions)s END"
        ),
        output_field=TextField(),
    )


def _passage(text: Any, search: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        text,
        search,
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=40,
        min_words=20,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def with_headlines(source: Searchable, rows: "QuerySet[Any]", text: str) -> "QuerySet[Any]":
    """The rows with their title marked and a passage of their summary and body: two fragments of 20 to
    40 words about the matches.

    Finding the passage reads (parses) the whole text, which for ten analyses of 800 words takes about
    10 ms. Where the rank vector shows that the title, summary and the body's opening hold the query,
    and the summary and opening hold at least one of its words, the passage is drawn from the summary
    and the opening alone (the title shows the other words).
    """
    search = query(text)
    passage: SearchHeadline | Case = _passage(spaced("search_summary", "search_body"), search)
    if source.stored_rank_vector is not None:
        any_word = query(" or ".join(f'"{term}"' for term in parse(text).include))
        rows = rows.alias(**{OPENING_VECTOR: _words_weighted(source.stored_rank_vector, "b,c")})
        passage = Case(
            When(
                Q(**{source.stored_rank_vector: search}) & Q(**{OPENING_VECTOR: any_word}),
                then=_passage(spaced("search_summary", _opening("search_body")), search),
            ),
            default=passage,
        )
    return rows.annotate(
        search_title_marked=SearchHeadline(
            "search_title", search, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
        ),
        search_passage=passage,
    )
