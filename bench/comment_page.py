"""The analysis page with 10, 1,000 and 10,000 comments, beside the django-comments-xtd anchor.

python -m bench.comment_page [runs] [--no-anchor]

Loads the anchor's tree (/work/shared/anchors/xtd/tree_shape.py: same parents, names
and texts) into our models, times the first page of threads and the last one through
Django's test client, and prints server time, queries, bytes and cost per comment shown;
then runs the anchor in the same run and prints its figures the same way.
"""

import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.harness import count_queries, emit, setup_django, summary, throwaway_database, time_calls

ANCHOR = Path(__file__).resolve().parent.parent.parent / "shared" / "anchors" / "xtd"
SIZES = (10, 1_000, 10_000)


def tree_shape():
    spec = importlib.util.spec_from_file_location("tree_shape", ANCHOR / "tree_shape.py")
    if spec is None or spec.loader is None:
        sys.exit(f"The anchor's tree_shape.py is missing from {ANCHOR}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def production_template_rendering():
    """Render as production does: the test environment sends a signal (and copies the context)
    for every template rendered, a cost neither production nor the anchor pays."""
    from django.template import Template
    from django.test.utils import _TestState

    instrumented = Template._render
    Template._render = _TestState.saved_data.template_render
    try:
        yield
    finally:
        Template._render = instrumented


def load_tree(n: int, shape):
    """The anchor's tree as approved comments under a fresh analysis, in bulk."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from comments.models import PATH_DIGITS, PATH_SEPARATOR, Comment
    from comments.rendering import comment_html
    from moderation.models import PolicyVersion
    from policies.models import Author, PolicyAnalysis

    parents = shape.build_shape(n)
    version = PolicyVersion.objects.current()
    with transaction.atomic():
        analysis = PolicyAnalysis.objects.create(
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
    return analysis


def measure(client, url: str, runs: int) -> dict:
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    shown = response.content.decode().count('<article id="comment-')
    with production_template_rendering():
        timings = time_calls(lambda: client.get(url), repeat=runs)
        cpu = cpu_times(lambda: client.get(url), repeat=runs)
    figures = summary(timings)
    return {
        "queries": len(queries),
        "bytes": len(response.content),
        "comments_shown": shown,
        **figures,
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "ms_per_comment_shown": round(figures["median_ms"] / shown, 4) if shown else None,
    }


def cpu_times(call, repeat: int) -> list[float]:
    """Processor time per request: steadier than wall time when other work shares the two cores."""
    timings = []
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        call()
        timings.append((time.process_time() - started) * 1000)
    return timings


def ours(runs: int) -> None:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    shape = tree_shape()
    with throwaway_database():
        call_command("load_demo_content", verbosity=0)
        client = Client()
        for n in SIZES:
            analysis = load_tree(n, shape)
            threads = shape.thread_count(n)
            last_page = -(-threads // settings.COMMENTS_THREADS_PER_PAGE)
            for page in sorted({1, last_page}):
                url = f"{analysis.get_absolute_url()}?comments_page={page}"
                emit(
                    {
                        "bench": "comment_page",
                        "side": "ours",
                        "database": connection.vendor,
                        "comments": n,
                        "threads": threads,
                        "threads_per_page": settings.COMMENTS_THREADS_PER_PAGE,
                        "page": page,
                        **measure(client, url, runs if n < 10_000 else max(10, runs // 3)),
                    }
                )


def anchor() -> None:
    """The anchor prints its own JSON lines; ours adds cost per comment shown (it shows them all)."""
    # The anchor is its own Django project: it must not inherit this one's settings module.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    completed = subprocess.run(
        [str(ANCHOR / "run"), "1000"], capture_output=True, text=True, check=False, cwd=ANCHOR, env=env
    )
    if completed.returncode != 0:
        emit({"bench": "comment_page", "side": "xtd", "error": completed.stderr.strip()[-2000:]})
        return
    for line in completed.stdout.splitlines():
        record = json.loads(line)
        if "comments" in record:
            record["ms_per_comment_shown"] = round(record["median_ms"] / record["comments"], 4)
            record["comments_shown"] = record["comments"]
        emit({"bench": "comment_page", "side": "xtd", **record})


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    ours(int(arguments[0]) if arguments else 30)
    if "--no-anchor" not in sys.argv:
        anchor()
