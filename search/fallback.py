"""Search without PostgreSQL (the SQLite default): every word must appear in the title, summary or body
(``icontains``), and the rank counts where each appears with PostgreSQL's default weights: 1.0 in the
title, 0.4 in the summary, 0.2 in the body, as a share of the most a row could score (so between 0 and
1, as PostgreSQL's ``ts_rank`` is). As on PostgreSQL, the rows whose title holds every word come first,
then those whose title and summary hold them together, then the rest."""

from functools import reduce
from operator import add
from typing import Any

from django.db.models import Case, FloatField, IntegerField, Q, QuerySet, Value, When

from search.terms import ELSEWHERE, IN_HEAD, IN_TITLE, Terms

WEIGHTS = {"search_title": 1.0, "search_summary": 0.4, "search_body": 0.2}


def _anywhere(term: str) -> Q:
    return reduce(lambda found, name: found | Q(**{f"{name}__icontains": term}), WEIGHTS, Q())


def _score(term: str) -> Case:
    return reduce(
        add,
        [
            Case(When(Q(**{f"{name}__icontains": term}), then=Value(weight)), default=Value(0.0))
            for name, weight in WEIGHTS.items()
        ],
    )


def matching(rows: "QuerySet[Any]", terms: Terms) -> "QuerySet[Any]":
    for term in terms.include:
        rows = rows.filter(_anywhere(term))
    for term in terms.exclude:
        rows = rows.exclude(_anywhere(term))
    rank = reduce(add, [_score(term) for term in terms.include])
    most = sum(WEIGHTS.values()) * len(terms.include)
    in_title = reduce(lambda found, term: found & Q(search_title__icontains=term), terms.include, Q())
    in_head = reduce(
        lambda found, term: found & (Q(search_title__icontains=term) | Q(search_summary__icontains=term)),
        terms.include,
        Q(),
    )
    return rows.annotate(
        rank=rank / Value(most, output_field=FloatField()),
        search_tier=Case(
            When(in_title, then=Value(IN_TITLE)),
            When(in_head, then=Value(IN_HEAD)),
            default=Value(ELSEWHERE),
            output_field=IntegerField(),
        ),
    )
