"""Ranking statements written once per shape of search and run with each search's own values.

Django takes about as long to write a search's ranking statements (weighted vectors, ranks, the three
tiers of ``postgres.best_first``) as PostgreSQL takes to run them: 10 ms of a 30 ms search over
10,000 analyses. A kind's statement depends on what was searched for only through its parameters,
given its shape: which filters are set, how many phrases the text requires, whether it leaves a word
out, how many rows the page needs. So each shape's statement is written once per process, with a
marker in place of each value, and each search runs it with its own values in place of the markers.

A statement is kept only when every parameter is a marker, a constant of the statement, or the clock
read while it was written (a kind that shows rows only once their time has come compares them with
``timezone.now()``): the clock is read again for each search. A statement holding any other moment,
or a value it changed (a marker inside a longer text), is written again with the search's own values
for every search, as before, and so is every statement on a database whose driver takes moments as
text (SQLite), where the clock cannot be told from a constant.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

Values = Mapping[str, str | int | date | None]

# Shapes kept per process, the least recently used dropped first: kinds × filters × phrases × pages.
KEPT = 512
_kept: "OrderedDict[Hashable, Statement | None]" = OrderedDict()
_keeping = threading.Lock()  # a threaded server's requests share the statements


@dataclass(frozen=True)
class Statement:
    sql: str
    # Each parameter: ("value", name) for a search's value, ("clock", None) for the moment it runs,
    # ("constant", value) for what the statement always holds.
    params: tuple[tuple[str, Any], ...]

    def params_for(self, values: Values) -> list[Any]:
        now = timezone.now()
        return [
            values[part] if source == "value" else now if source == "clock" else part for source, part in self.params
        ]


def forget() -> None:
    """Drop every kept statement (a benchmark's first search; tests)."""
    with _keeping:
        _kept.clear()


def rows(key: Hashable, values: Values, write: Callable[[Values], "QuerySet[Any]"]) -> list[tuple[Any, ...]]:
    """The rows of the statement ``write`` makes of ``values``, for the shape ``key`` (with which values
    are set: the statement of a search with a topic is not that of one without)."""
    # The time zone too: a date filter names the current one in the statement it writes.
    present = tuple(sorted(name for name, value in values.items() if value is not None))
    shape = (key, present, timezone.get_current_timezone_name())
    with _keeping:
        known = shape in _kept
        statement = _kept.get(shape)
        if known:
            _kept.move_to_end(shape)
    if not known and _clock_is_told_apart():
        statement = written(values, write)
        with _keeping:
            # A shape whose statement cannot be traced is remembered too, so it is not tried again.
            _kept[shape] = statement
            if len(_kept) > KEPT:
                _kept.popitem(last=False)
    params: Sequence[Any]
    if statement is None:
        sql, params = write(values).query.sql_with_params()
    else:
        sql, params = statement.sql, statement.params_for(values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _clock_is_told_apart() -> bool:
    """Whether the driver is given moments as they are (PostgreSQL), so that the clock can be told among
    a statement's parameters; where it is given them as text (SQLite), nothing is kept."""
    return isinstance(connection.ops.adapt_datetimefield_value(timezone.now()), datetime)


def written(values: Values, write: Callable[[Values], "QuerySet[Any]"]) -> Statement | None:
    """The statement ``write`` makes with markers in place of ``values``, each parameter traced back; None
    where one cannot be: a moment other than the clock, or a value the statement changed (a marker
    inside a longer text)."""
    markers = {name: _marker(number, value) for number, (name, value) in enumerate(values.items())}
    names = {marker: name for name, marker in markers.items() if marker is not None}
    before = timezone.now()
    sql, params = write(markers).query.sql_with_params()
    after = timezone.now()
    traced: list[tuple[str, Any]] = []
    for param in params:
        if isinstance(param, datetime):
            if not before <= param <= after:  # not the clock read while the statement was written
                return None
            traced.append(("clock", None))
        elif _is_marker(param):
            if param not in names:
                return None
            traced.append(("value", names[param]))
        else:
            traced.append(("constant", param))
    return Statement(sql=sql, params=tuple(traced))


def _marker(number: int, value: object) -> str | int | date | None:
    """A marker no search's value and no statement's constant can equal: a text in a private-use
    character, an id below any row's, a date in the first year of the era."""
    if value is None:
        return None
    if isinstance(value, str):
        return f"\ue000{number}\ue000"
    if isinstance(value, bool) or not isinstance(value, int | date) or isinstance(value, datetime):
        raise TypeError(f"no marker for {value!r}: a search's values are texts, ids and dates")
    if isinstance(value, int):
        return -(2**62) - number
    return date(1, 1, 1) + timedelta(days=number)


def _is_marker(param: object) -> bool:
    """Whether the parameter is, or holds, a marker."""
    if isinstance(param, str):
        return "\ue000" in param
    if isinstance(param, bool | datetime):
        return False
    if isinstance(param, int):
        return param < -(2**62)
    return isinstance(param, date) and param.year == 1
