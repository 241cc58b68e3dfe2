"""What a content app hands to site search: the rows the public may find and their weighted text.

Each content app owns a ``search.py`` that builds one ``Searchable`` per kind of result; the ``search``
app, above every content app, puts them together. The queryset is annotated with the same five names
for every kind, so one ranking serves them all:

- ``search_title`` (weight A), ``search_summary`` (B), ``search_body`` (C): text;
- ``search_date``: the moment the date filter and the tie-break read.

A kind whose table is large keeps its weighted vector in a column (``stored_vector``) that the database
fills and a GIN index covers, and may rank by a smaller one (``stored_rank_vector``); a small table's
vector is built at query time from the same three texts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Aggregate, Expression, Func, Model, QuerySet, Subquery, TextField, Value

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Searchable:
    kind: str
    label: "StrOrPromise"
    queryset: Callable[[], "QuerySet[Any]"]
    stored_vector: str | None = None
    # A smaller stored vector to rank the matches by, where reading the whole one for each would be slow.
    stored_rank_vector: str | None = None
    # Where on the object's page the matching text is, for a result that is a part of a page.
    fragment: str = ""

    def url(self, obj: Model) -> str:
        return f"{obj.get_absolute_url()}{self.fragment}"  # type: ignore[attr-defined]


class JoinedText(Aggregate):
    """The texts of a group joined by spaces: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, Value(" "), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


class Spaced(Func):
    """Texts joined by spaces, a missing one counting as empty: ``COALESCE(CAST(a AS TEXT), '') || ' ' ||
    …``, written directly rather than as nested ``Concat`` and ``Coalesce``, which take Django far
    longer to build (milliseconds per query for a webinar's text)."""

    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra_context: Any) -> tuple[str, Any]:
        pieces: list[str] = []
        params: list[Any] = []
        for expression in self.get_source_expressions():
            sql, part_params = compiler.compile(expression)
            pieces.append(f"COALESCE(CAST({sql} AS TEXT), '')")
            params.extend(part_params)
        return "(" + " || ' ' || ".join(pieces) + ")", params


def spaced(*parts: str | Expression | Subquery) -> Spaced:
    """Fields (by name) or expressions as one text, separated by spaces; a missing part counts as empty."""
    return Spaced(*parts)
