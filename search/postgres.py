"""Ranking and passages by PostgreSQL's full-text search: websearch syntax, English stemming,
ts_rank over weighted vectors (title A, summary B, body C), and ts_headline for the passage."""

from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, QuerySet
from django.db.models.expressions import CombinedExpression

from core.search import Searchable, spaced
from search.excerpts import START, STOP

CONFIG = "english"
LIVE_VECTOR = "search_live_vector"


def query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def weighted_vector() -> CombinedExpression:
    return (
        SearchVector("search_title", weight="A", config=CONFIG)
        + SearchVector("search_summary", weight="B", config=CONFIG)
        + SearchVector("search_body", weight="C", config=CONFIG)
    )


def matching(source: Searchable, rows: "QuerySet[Any]", text: str) -> "QuerySet[Any]":
    """The rows matching the query, each with its ``rank``; a stored vector is matched through its index."""
    search = query(text)
    name = source.stored_vector
    if name is None:
        name = LIVE_VECTOR
        rows = rows.annotate(**{LIVE_VECTOR: weighted_vector()})
    return rows.filter(**{name: search}).annotate(rank=SearchRank(F(name), search))


def with_headlines(rows: "QuerySet[Any]", text: str) -> "QuerySet[Any]":
    search = query(text)
    return rows.annotate(
        search_title_marked=SearchHeadline(
            "search_title", search, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
        ),
        search_passage=SearchHeadline(
            spaced("search_summary", "search_body"),
            search,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=40,
            min_words=20,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    )
