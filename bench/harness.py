"""Shared set-up for benchmarks: a throw-away test database, timing helpers and the figure lines.

Run a benchmark as ``python -m bench.<name>``; each prints JSON lines. ``make bench`` runs them all
with their anchors and prints the table of figures (``python -m bench.report``).
"""

import gc
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import django


def setup_django() -> None:
    # Stopped by make bench's time limit: leave through the finally blocks that stop the servers
    # a benchmark started and drop its test database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A fresh test database (SQLite in memory or a PostgreSQL test_ database), dropped afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SQL statement run inside the block (unaffected by Django's per-request query-log reset)."""
    from django.db import connection

    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def time_calls(call: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "runs": len(ordered),
    }


def emit(record: dict) -> None:
    print(json.dumps(record), file=sys.stdout, flush=True)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def figure(
    *,
    bench: str,
    figure: str,
    ours: float,
    anchor: float | None,
    target: float | str,
    unit: str,
    passed: bool | None = None,
    **details: object,
) -> dict:
    """One figure line, in the shape every benchmark prints.

    ``ratio`` is our speed as a fraction of the anchor's, measured in the same run: ours / anchor for a
    rate (a unit ending in "/s"), anchor / ours for a time. A numeric ``target`` is the least ratio to
    reach; a text target is an absolute budget, and the caller says whether it ``passed``.
    """
    ratio = None
    if anchor:
        ratio = round(ours / anchor if unit.endswith("/s") else anchor / ours, 3)
    if passed is None and isinstance(target, int | float) and ratio is not None:
        passed = ratio >= target
    return {
        "bench": bench,
        "figure": figure,
        "ours": ours,
        "anchor": anchor,
        "ratio": ratio,
        "target": target,
        "unit": unit,
        "pass": passed,
        "load_average_1m": load_average(),
        **details,
    }
