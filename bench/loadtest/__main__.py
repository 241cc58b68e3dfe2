"""A load test of a realistic mix against the site served as in production, bounded in time.

python -m bench.loadtest [seconds]      (default 60; needs DATABASE_URL=postgres://...)

gunicorn with 4 workers, PostgreSQL, Redis and a real Celery worker sending to a local sink
(``bench.server``); wrk with 16 connections on loopback runs ``bench/loadtest/mix.lua``: 90% reads
(the analysis, webinar and consultation pages, the analyses list, the API), 9% comment posts
through the API, 1% subscriptions, each from its own client address. Prints one JSON line:
requests per second, p50/p95/p99 latency, the requests of each kind that succeeded and every
error, then checks the database holds every comment and subscriber the answers said were made.
"""

import json
import sys
import time
import urllib.request

from bench.harness import emit, figure, load_average
from bench.throughput import CONNECTIONS, THREADS


def read_paths() -> list[str]:
    from consultations.demo import OPEN_SLUG
    from policies.demo import SEED_SLUG
    from webinars.models import Webinar

    webinar = Webinar.objects.order_by("pk").values_list("slug", flat=True).first()
    return [
        f"/analyses/{SEED_SLUG}/",
        f"/analyses/{SEED_SLUG}/",
        f"/webinars/{webinar}/",
        f"/consultations/{OPEN_SLUG}/",
        "/analyses/",
        "/api/v1/analyses/",
        f"/api/v1/analyses/{SEED_SLUG}/",
        f"/api/v1/analyses/{SEED_SLUG}/comments/",
    ]


def main(seconds: int) -> None:
    from bench.server import GUNICORN_WORKERS, site_server

    with site_server() as site:
        from django.conf import settings

        from comments.models import Comment
        from notifications.models import Subscriber
        from policies.demo import SEED_SLUG

        with urllib.request.urlopen(f"{site.url}/api/v1/comment-policy/") as response:  # noqa: S310 (http://127.0.0.1)
            issued = json.load(response)["issued"]
        time.sleep(settings.COMMENTS_MIN_SECONDS_TO_WRITE + 1)  # as a reader takes time to write
        env = {
            "BENCH_READ_PATHS": " ".join(read_paths()),
            "BENCH_COMMENTS_PATH": f"/api/v1/analyses/{SEED_SLUG}/comments/",
            "BENCH_ISSUED": issued,
        }
        # The warm-up: each gunicorn worker's first pages.
        wrk_mix(site.url, max(3, seconds // 10), {**env, "BENCH_RUN": "0"})
        comments_before, subscribers_before = Comment.objects.count(), Subscriber.objects.count()
        completed = wrk_mix(site.url, seconds, {**env, "BENCH_RUN": "1"})
        made = {
            "comments_in_database": Comment.objects.count() - comments_before,
            "subscribers_in_database": Subscriber.objects.count() - subscribers_before,
        }
        errors = sum(completed[key] for key in ("non_2xx_3xx", "connect_errors", "read_errors", "timeouts"))
        record = {
            "bench": "loadtest",
            "mix": "90% reads, 9% comment posts, 1% subscriptions",
            "gunicorn_workers": GUNICORN_WORKERS,
            "wrk_threads": THREADS,
            "connections": CONNECTIONS,
            **completed,
            # wrk's own count of answers that are not 2xx/3xx, and the mix's (which also refuses a 3xx).
            "errors": max(errors, completed["failed"]),
            **made,
            "load_average_1m": load_average(),
        }
        emit(record)
        emit(
            figure(
                bench="loadtest",
                figure=f"mixed load, {seconds} s, gunicorn {GUNICORN_WORKERS} workers and a Celery worker, "
                f"wrk {CONNECTIONS} connections",
                ours=completed["requests_per_s"],
                anchor=None,
                target="0 errors",
                unit="req/s",
                # The database may hold a few more: requests still being answered when wrk stopped counting.
                passed=record["errors"] == 0
                and made["comments_in_database"] >= completed["comment_posts"]
                and made["subscribers_in_database"] >= completed["subscriptions"],
                p50_ms=completed["p50_ms"],
                p95_ms=completed["p95_ms"],
                p99_ms=completed["p99_ms"],
                errors=record["errors"],
                database="postgresql",
            )
        )


def wrk_mix(url: str, seconds: int, env: dict[str, str]) -> dict:
    """wrk prints the mix's line, then the summary's; both are returned as one record."""
    import os
    import subprocess

    from bench.throughput import ROOT, wrk_binary

    command = [wrk_binary(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    completed = subprocess.run(
        [*command, "-s", "bench/loadtest/mix.lua", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return {key: value for line in lines for key, value in line.items()}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
