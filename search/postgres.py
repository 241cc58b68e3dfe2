"""Ranking and passages by PostgreSQL's full-text search: websearch syntax, English stemming,
ts_rank over weighted vectors (title A, summary B, body C), the results whose title holds the query
first, then those whose head holds it, and ts_headline for the passage."""

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count, zip_longest
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
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
from django.db.models.lookups import Exact

from core.search import Searchable, spaced
from search.excerpts import START, STOP
from search.terms import ELSEWHERE, IN_HEAD, IN_TITLE, parse, required_phrases

CONFIG = "english"
LIVE_VECTOR = "search_live_vector"
TITLE_VECTOR = "search_title_vector"
HEAD_VECTOR = "search_head_vector"


def query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


_vectors = count()


class Words(Func):
    """The words of texts as one vector, each text's weighted by the letter at its place in ``weights``
    (none given: unweighted): ``setweight(to_tsvector('english', COALESCE(CAST(text AS TEXT), '')), 'A')
    || …``, what ``SearchVector(…, weight=…) + …`` writes, in an expression Django builds several times
    faster (a webinar's vector is in its query twice)."""

    output_field = SearchVectorField()

    def __init__(self, *expressions: Any, weights: str = "") -> None:
        super().__init__(*expressions)
        self.weights = weights
        # Kept by the copies Django makes of it, wherever in the statement they are used.
        self.written_as = next(_vectors)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra_context: Any) -> tuple[str, Any]:
        # A live vector is both matched and ranked, so it is in the statement twice; with a webinar's
        # speakers and quotes it takes Django milliseconds to write, so it is written once a statement.
        written = compiler.__dict__.setdefault("_search_words", {})
        if self.written_as not in written:
            pieces: list[str] = []
            params: list[Any] = []
            for expression, weight in zip_longest(self.get_source_expressions(), self.weights):
                sql, part_params = compiler.compile(expression)
                words = f"to_tsvector('{CONFIG}'::regconfig, COALESCE(CAST({sql} AS TEXT), ''))"
                pieces.append(f"setweight({words}, '{weight}')" if weight else words)
                params.extend(part_params)
            written[self.written_as] = ("(" + " || ".join(pieces) + ")", params)
        sql, params = written[self.written_as]
        return sql, list(params)


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


def head_words(source: Searchable) -> F | Func:
    """The words of the title, the summary and, where a rank vector keeps it, the body's opening: the
    rank vector itself, which a GIN index covers for analyses (policies' migration 0010)."""
    if source.stored_rank_vector is not None:
        return F(source.stored_rank_vector)
    if source.stored_vector is not None:
        return _words_weighted(source.stored_vector, "a,b")
    return Words("search_title", "search_summary")


def _ranked(source: Searchable, rows: "QuerySet[Any]", text: str) -> tuple["QuerySet[Any]", str]:
    """The rows with their ``rank`` and the vectors of their title and head, and the name of the vector
    to match."""
    search = query(text)
    name = source.stored_vector
    if name is None:
        name = LIVE_VECTOR
        rows = rows.alias(**{LIVE_VECTOR: weighted_vector()})
    ranked_by = source.stored_rank_vector or name
    rows = rows.alias(**{TITLE_VECTOR: title_words(source), HEAD_VECTOR: head_words(source)})
    return rows.annotate(rank=SearchRank(F(ranked_by), search)), name


def _tier(search: SearchQuery) -> Case:
    return Case(
        When(**{TITLE_VECTOR: search}, then=Value(IN_TITLE)),
        When(**{HEAD_VECTOR: search}, then=Value(IN_HEAD)),
        default=Value(ELSEWHERE),
    )


def matching(source: Searchable, rows: "QuerySet[Any]", text: str) -> "QuerySet[Any]":
    """The rows matching the query, each with its ``rank`` and ``search_tier`` (where its words are:
    ``IN_TITLE``, ``IN_HEAD`` or ``ELSEWHERE``); a stored vector is matched through its index."""
    search = query(text)
    rows, name = _ranked(source, rows, text)
    return rows.filter(**{name: search}).annotate(search_tier=_tier(search))


class WordPairs(Func):
    """The pairs of lexemes next to each other in a vector (``"earli diagnosi"``): what the pairs index
    of a stored vector covers (policies' migration 0009)."""

    function = "search_word_pairs"
    output_field = ArrayField(TextField())


class CountOf(Subquery):
    """How many rows a queryset holds, as a value of another query (computed once: it refers to no row)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def leaves_a_word_out(text: str) -> bool:
    """Whether the query may leave a word out (``-word``), which a match may hold further down."""
    return "-" in text


def best_first(
    source: Searchable,
    rows: "QuerySet[Any]",
    text: str,
    limit: int,
    *,
    phrases: list[str] | None = None,
    leaves_out: bool | None = None,
) -> "QuerySet[Any]":
    """The best ``limit`` of the ``rows`` that match, in one query that ranks only the matches it needs:
    (pk, rank, search_date, search_tier, search_total: how many match, or None). ``phrases`` and
    ``leaves_out`` are the text's own (``required_phrases``, ``leaves_a_word_out``) unless given: a
    statement written with a marker in place of the text (``search.statements``) is given them.

    The matches whose title holds the query come first, found through the title index and ranked among
    themselves; then those whose head (title, summary, the body's opening) holds it, found through the
    rank vector's index; then the rest. A tier is ranked only when those before it do not fill the
    ``LIMIT``: ``UNION ALL`` runs its parts one after the other and stops when the ``LIMIT`` is reached
    (``matching_through_indexes`` keeps out parallel workers, which could interleave them). The first
    tier with a match counts every match, without ranking them, through the GIN index (a subquery
    PostgreSQL runs once, and only for that tier); when only the rest matches, the rest counts itself.

    What the title or the head holds, the whole vector holds too, so those matches need not open the
    whole vector (about 4 kB, stored out of line) to check it, unless the query leaves a word out
    (``-word``), which may then be further down the body.
    """
    search = query(text)
    ranked, name = _ranked(source, rows, text)
    matches = ranked.filter(**{name: search})
    for phrase in required_phrases(text) if phrases is None else phrases:
        # Only the matches holding the phrase's pairs of words, found through their index, are opened.
        matches = matches.alias(search_pairs=WordPairs(F(name))).filter(
            search_pairs__contains=Func(Value(CONFIG), Value(phrase), function="search_phrase_pairs")
        )
    in_title = ranked.filter(**{TITLE_VECTOR: search})
    in_head = ranked.filter(**{HEAD_VECTOR: search}).exclude(**{TITLE_VECTOR: search})
    if leaves_a_word_out(text) if leaves_out is None else leaves_out:
        in_title, in_head = in_title.filter(**{name: search}), in_head.filter(**{name: search})
    elsewhere = matches.alias(search_in_head=Case(When(**{HEAD_VECTOR: search}, then=Value(1)), default=Value(0)))
    elsewhere = elsewhere.filter(search_in_head=0)

    ordering = (F("rank").desc(), F("search_date").desc(), F("pk").desc())
    every = CountOf(matches.order_by().values("pk"))
    no_title_matches = Exact(CountOf(in_title.order_by().values("pk")), 0)
    # The rest is ranked only when the title and head matches are fewer than ``limit``, and then they
    # are all on the page; it counts its own rows (ordered as they are, so that each rank is computed
    # once, before the count keeps the rows: counted over (), each row's rank vector would be kept).
    counted = Window(Count("pk"), order_by=ordering, frame=RowRange(start=None, end=None))
    tiers = (
        in_title.annotate(search_tier=Value(IN_TITLE), search_total=every),
        in_head.annotate(search_tier=Value(IN_HEAD), search_total=Case(When(no_title_matches, then=every))),
        elsewhere.annotate(search_tier=Value(ELSEWHERE), search_total=counted),
    )
    fields = ("pk", "rank", "search_date", "search_tier", "search_total")
    first, second, third = (tier.order_by(*ordering).values_list(*fields)[:limit] for tier in tiers)
    return first.union(second, third, all=True)[:limit]


@contextmanager
def matching_through_indexes() -> Iterator[None]:
    """Plans that match a stored vector through its GIN index, even when nearly every row matches.

    The planner prices a sequential scan's ``@@`` like any operator and picks it for a common word, but
    that opens every row's compressed vector (130 ms for 10,000 analyses, against 12 ms through the
    index, which answers without opening any). Turning sequential scans off makes the plan look costly
    enough to be compiled by the JIT, which alone takes a second, so the JIT is turned off too; and
    parallel workers, which would cost more to start than these queries take and could interleave the
    parts of ``best_first``. The settings last until the transaction ends.
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
    """The field's first OPENING_CHARS characters, without the word (or tag) cut in two at the end, as the
    rank vector's opening is cut (policies' migrations 0010 and 0011)."""
    return Func(
        F(name),
        template=(
            f"CASE WHEN length(%(expressions)s) > {OPENING_CHARS}"
            f" THEN regexp_replace(left(%(expressions)s, {OPENING_CHARS}), '(<[^>]*|\\S*)$', '')"
            " ELSE %(expressions)s END"
        ),
        output_field=TextField(),
    )


def _options(**options: Any) -> str:
    """ts_headline's options, written once: ``SearchHeadline`` has the driver quote each of them on every
    query, which takes longer than the rest of the query's SQL."""
    return ", ".join(
        f"{name}='{value}'" if isinstance(value, str) else f"{name}={value}" for name, value in options.items()
    )


TITLE_OPTIONS = _options(StartSel=START, StopSel=STOP, HighlightAll=True)
PASSAGE_OPTIONS = _options(
    StartSel=START, StopSel=STOP, MaxWords=40, MinWords=20, MaxFragments=2, FragmentDelimiter=" … "
)


class Headline(Func):
    """``ts_headline('english', text, query, options)``: the text with the query's words between START
    and STOP, whole (TITLE_OPTIONS) or as a passage (PASSAGE_OPTIONS)."""

    template = f"ts_headline('{CONFIG}'::regconfig, %(expressions)s)"
    output_field = TextField()

    def __init__(self, text: Any, search: SearchQuery, options: str) -> None:
        super().__init__(text, search, Value(options))


def with_headlines(source: Searchable, rows: "QuerySet[Any]", text: str) -> "QuerySet[Any]":
    """The rows with their title marked and a passage of their summary and body: two fragments of 20 to
    40 words about the matches.

    Finding the passage reads (parses) the whole text, which for ten analyses of 800 words takes about
    10 ms. Where the rank vector shows that the title, summary and the body's opening hold the query,
    and the summary and opening hold at least one of its words, the passage is drawn from the summary
    and the opening alone (the title shows the other words).
    """
    search = query(text)
    passage: Headline | Case = Headline(spaced("search_summary", "search_body"), search, PASSAGE_OPTIONS)
    if source.stored_rank_vector is not None:
        any_word = query(" or ".join(f'"{term}"' for term in parse(text).include))
        rows = rows.alias(**{OPENING_VECTOR: _words_weighted(source.stored_rank_vector, "b,c")})
        passage = Case(
            When(
                Q(**{source.stored_rank_vector: search}) & Q(**{OPENING_VECTOR: any_word}),
                then=Headline(spaced("search_summary", _opening("search_body")), search, PASSAGE_OPTIONS),
            ),
            default=passage,
        )
    return rows.annotate(
        search_title_marked=Headline(F("search_title"), search, TITLE_OPTIONS),
        search_passage=passage,
    )
