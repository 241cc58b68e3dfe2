"""The comment thread beside django-comments-xtd: a page's fixed cost and the cost of each comment shown.

python -m bench.comment_page [runs] [--no-anchor]

Both sides run as production does: DEBUG off, no template instrumentation, the same tree (the
anchor's tree_shape.py: same parents, names and texts), timed the way the anchor times (warm-up, then
the median of in-process test-client requests). The anchor always uses SQLite, so the comparison lines
are printed only when ours runs on SQLite too; with DATABASE_URL set to PostgreSQL this prints the
10,000-comment page against a trivial view instead.

Ours pages its threads, so the number of comments shown is varied by the threads per page (about 10,
100, 500 and 1,000 comments from the 1,000-comment tree); the anchor shows every comment and is run at
10, 1,000 and 10,000. A least-squares line through each side's (comments shown, median ms) gives the
fixed cost (intercept) and the marginal cost per comment (slope). Ours is timed cold (every cached page
made stale before each request, so each one renders and stores the page) and warm (served from the page
cache to a reader with no cookies).

Every figure is one JSON line: {"bench", "figure", "ours", "anchor", "ratio", "target", "unit", ...}.
"""

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.harness import count_queries, emit, setup_django, throwaway_database

ANCHOR = Path(__file__).resolve().parent.parent.parent / "shared" / "anchors" / "xtd"
THREADS_PER_PAGE = (2, 20, 100, 200)  # about 10, 100, 500 and 1,000 comments shown from 1,000
WARMUP = 5


def production_environment() -> None:
    """DEBUG off before settings load, as the anchor runs; plain HTTP for the in-process client."""
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-site")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")


@contextmanager
def production_rendering() -> Iterator[None]:
    """Templates rendered without the test environment's per-template signal, static files unhashed
    (no collectstatic for a benchmark), and a trivial view beside the site's pages."""
    from django.template import Template
    from django.test.utils import _TestState, override_settings

    instrumented = Template._render
    Template._render = _TestState.saved_data.template_render
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=storages, ROOT_URLCONF="bench.comment_page"):
            yield
    finally:
        Template._render = instrumented


def trivial(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def __getattr__(name: str):
    # The URLconf of the benchmark, built on first use so that importing this file needs no settings.
    if name == "urlpatterns":
        from django.urls import include, path

        return [path("trivial/", trivial), path("", include("config.urls"))]
    raise AttributeError(name)


def timed(
    call: Callable[[], object],
    count: int,
    before: Callable[[], object] = lambda: None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[float]:
    """As the anchor times: warm-up requests, then one sample per request; ``before`` runs untimed.

    ``time.process_time`` as the clock counts this process's processor time only: on two cores shared
    with other work, wall time also counts the waits for a core.
    """
    for _ in range(WARMUP):
        before()
        call()
    samples = []
    for _ in range(count):
        before()
        started = clock()
        call()
        samples.append((clock() - started) * 1000)
    return samples


def fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares (slope, intercept) of milliseconds against comments shown."""
    slope, intercept = statistics.linear_regression([x for x, _ in points], [y for _, y in points])
    return slope, intercept


RATIO_TARGET = 1 / 3  # ours at most a third of the anchor's time per comment shown


def figure(name: str, ours: float, anchor: float | None, target: str, unit: str, **extra) -> None:
    """Here ratio is ours / anchor's time: lower is better."""
    ratio = round(ours / anchor, 3) if anchor else None
    passed = ratio <= RATIO_TARGET if ratio is not None and target.startswith("ratio <=") else None
    emit({"bench": "comment_page", "figure": name, "ours": round(ours, 4), "anchor": anchor and round(anchor, 4),
          "ratio": ratio, "target": target, "unit": unit, "pass": passed, **extra})  # fmt: skip


def tree_shape():
    spec = importlib.util.spec_from_file_location("tree_shape", ANCHOR / "tree_shape.py")
    if spec is None or spec.loader is None:
        sys.exit(f"The anchor's tree_shape.py is missing from {ANCHOR}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_tree(n: int, shape, analysis=None):
    """The anchor's tree as approved comments under an analysis (a fresh one unless given), in bulk, thread
    counts included."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from comments.counts import thread_counts_backfill
    from comments.models import PATH_DIGITS, PATH_SEPARATOR, Comment
    from comments.rendering import comment_html
    from moderation.models import PolicyVersion
    from policies.models import Author, PolicyAnalysis

    parents = shape.build_shape(n)
    version = PolicyVersion.objects.current()
    with transaction.atomic():
        analysis = analysis or PolicyAnalysis.objects.create(
            title=shape.ARTICLE_TITLE,
            slug=f"bench-{n}",
            standfirst="A benchmark.",
            body=shape.ARTICLE_BODY,
            author=Author.objects.first(),
            status=PolicyAnalysis.Status.PUBLISHED,
            publish_at=shape.BASE_DATE,
        )
        content_type = ContentType.objects.get_for_model(PolicyAnalysis)
        rows = []
        for i in range(n):
            name, email = shape.author(i)
            rows.append(
                Comment(
                    content_type=content_type,
                    object_id=analysis.pk,
                    author_name=name,
                    author_email=email,
                    text=shape.comment_text(i),
                    text_html=comment_html(shape.comment_text(i)),
                    status=Comment.Status.APPROVED,
                    policy_version=version,
                    created_at=shape.BASE_DATE + shape.dt.timedelta(minutes=i + 1),
                )
            )
        Comment.objects.bulk_create(rows, batch_size=500)
        for comment, parent in zip(rows, parents, strict=True):
            above = rows[parent] if parent is not None else None
            comment.parent_id = above.pk if above else None
            comment.root_id = above.root_id if above else comment.pk
            comment.depth = above.depth + 1 if above else 0
            own = str(comment.pk).zfill(PATH_DIGITS)
            comment.path = f"{above.path}{PATH_SEPARATOR}{own}" if above else own
        Comment.objects.bulk_update(rows, ["parent", "root", "depth", "path"], batch_size=500)
        thread_counts_backfill(Comment.objects.filter(object_id=analysis.pk, content_type=content_type, depth=0))
    return analysis


def page_figures(client, url: str, runs: int) -> dict:
    """Cold and warm medians of one page, its queries (cold), bytes and comments shown."""
    from core.page_cache import HEADER, forget_all_pages

    forget_all_pages()
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response[HEADER] == "miss", response.get(HEADER)
    assert client.get(url)[HEADER] == "hit"
    cold = timed(lambda: client.get(url), runs, before=forget_all_pages)
    warm = timed(lambda: client.get(url), runs)
    cold_cpu = timed(lambda: client.get(url), runs, before=forget_all_pages, clock=time.process_time)
    warm_cpu = timed(lambda: client.get(url), runs, clock=time.process_time)
    return {
        "cold_ms": statistics.median(cold),
        "warm_ms": statistics.median(warm),
        "cold_cpu_ms": statistics.median(cold_cpu),
        "warm_cpu_ms": statistics.median(warm_cpu),
        "queries": len(queries),
        "bytes": len(response.content),
        "shown": response.content.decode().count('<article id="comment-'),
    }


def anonymous_client():
    from django.test import Client

    client = Client()
    client.get("/trivial/")
    return client


def ours(runs: int) -> dict:
    """Our lines; returns what the anchor's lines are compared with."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    shape = tree_shape()
    results: dict = {"database": connection.vendor}
    with throwaway_database(), production_rendering():
        call_command("load_demo_content", verbosity=0)
        client = anonymous_client()
        results["trivial_ms"] = statistics.median(timed(lambda: client.get("/trivial/"), runs))
        analysis = load_tree(1_000, shape)
        points = []
        for threads in THREADS_PER_PAGE:
            with override_settings(COMMENTS_THREADS_PER_PAGE=threads, COMMENTS_PER_PAGE=10_000):
                page = page_figures(client, analysis.get_absolute_url(), runs)
            emit({"bench": "comment_page", "side": "ours", "database": connection.vendor, "comments": 1_000,
                  "threads_per_page": threads, **page})  # fmt: skip
            points.append(page)
        for state in ("cold", "warm", "cold_cpu", "warm_cpu"):
            results[state] = fit([(p["shown"], p[f"{state}_ms"]) for p in points])
        big = load_tree(10_000, shape)
        results["page_10000"] = page_figures(client, big.get_absolute_url(), max(10, runs // 3))
    return results


def anchor() -> dict | None:
    """The anchor's own lines (stderr: its progress), fitted the same way."""
    # The anchor is its own Django project: it must not inherit this one's settings module.
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    completed = subprocess.run(
        [str(ANCHOR / "run"), "1000"], capture_output=True, text=True, check=False, cwd=ANCHOR, env=env
    )
    if completed.returncode != 0:
        emit({"bench": "comment_page", "side": "xtd", "error": completed.stderr.strip()[-2000:]})
        return None
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    pages = [line for line in lines if "comments" in line]
    for line in lines:
        emit({"bench": "comment_page", "side": "xtd", **line})
    slope, intercept = fit([(line["comments"], line["median_ms"]) for line in pages])
    return {"slope": slope, "intercept": intercept, "trivial_ms": lines[0]["median_ms"]}


def report(figures: dict, xtd: dict | None) -> None:
    cold_slope, cold_intercept = figures["cold"]
    warm_slope, warm_intercept = figures["warm"]
    on_sqlite = figures["database"] == "sqlite"
    compared = xtd if xtd and on_sqlite else None
    database = figures["database"]
    figure("ms_per_comment_cold", cold_slope, compared and compared["slope"], "ratio <= 0.333", "ms", database=database)
    figure("ms_per_comment_warm", warm_slope, compared and compared["slope"], "ratio <= 0.333", "ms", database=database)
    figure("fixed_ms_cold", cold_intercept, compared and compared["intercept"], "reported", "ms", database=database)
    figure("fixed_ms_warm", warm_intercept, compared and compared["intercept"], "reported", "ms", database=database)
    # Processor time has no counterpart from the anchor, which reports wall time only.
    for state in ("cold_cpu", "warm_cpu"):
        slope, intercept = figures[state]
        figure(f"ms_per_comment_{state}", slope, None, "reported", "ms", database=database)
        figure(f"fixed_ms_{state}", intercept, None, "reported", "ms", database=database)
    page = figures["page_10000"]
    limit = 3 * figures["trivial_ms"] + 50
    for state in ("cold", "warm"):
        emit({"bench": "comment_page", "figure": f"page_10000_comments_{state}", "ours": round(page[f"{state}_ms"], 2),
              "anchor": None, "ratio": round(page[f"{state}_ms"] / limit, 3),
              "target": f"ours <= 3 x trivial ({figures['trivial_ms']:.3f} ms) + 50 ms = {limit:.1f} ms",
              "unit": "ms", "pass": page[f"{state}_ms"] <= limit, "database": database,
              "queries": page["queries"], "shown": page["shown"]})  # fmt: skip
    emit({"bench": "comment_page", "figure": "page_10000_comments_queries", "ours": page["queries"], "anchor": None,
          "ratio": None, "target": "ours <= 10", "unit": "queries", "pass": page["queries"] <= 10,
          "database": database})  # fmt: skip


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    production_environment()
    setup_django()
    figures = ours(int(arguments[0]) if arguments else 15)
    report(figures, None if "--no-anchor" in sys.argv else anchor())
