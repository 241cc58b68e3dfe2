"""Requests per second of the public pages beside a trivial view, served as in production.

python -m bench.throughput [seconds]      (default 10 per URL; needs DATABASE_URL=postgres://...)

gunicorn with 4 workers (``bench.server``: DEBUG off, PostgreSQL, Redis, the bench-only URLconf),
driven by wrk with 16 connections on loopback, as an anonymous reader: a trivial
``HttpResponse("ok")`` view (the anchor: what the stack costs with no page at all), then the demo
analysis, a webinar and the open consultation. Each URL gets a warm-up, then its timed run.
Prints one JSON line per URL and a figure line per page: its rate as a fraction of the trivial
view's (target 0.8).

The URLs take turns, ROUNDS times over, and each one's figure is its median run: a machine whose other
load changes during the bench then weighs on the trivial view and on the pages alike, where one run
of each in a row let a busy minute fall on one side only.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.harness import emit, figure, load_average

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 16
THREADS = 2
TARGET = 0.8
ROUNDS = 3


def wrk(url: str, seconds: int, script: str = "bench/loadtest/report.lua", env: dict | None = None) -> dict:
    command = [
        wrk_binary(),
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script,
        url,
    ]
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing: `make bench` installs Debian's wrk (apt-get install wrk)")
    return found


def pages() -> dict[str, str]:
    from consultations.demo import OPEN_SLUG
    from policies.demo import SEED_SLUG
    from webinars.models import Webinar

    webinar = Webinar.objects.order_by("pk").values_list("slug", flat=True).first()
    return {
        "trivial": "/bench/ok/",
        "analysis": f"/analyses/{SEED_SLUG}/",
        "webinar": f"/webinars/{webinar}/",
        "consultation": f"/consultations/{OPEN_SLUG}/",
    }


def main(seconds: int) -> None:
    from bench.server import GUNICORN_WORKERS, site_server

    with site_server() as site:
        runs: dict[str, list[dict]] = {name: [] for name in pages()}
        for path in pages().values():
            wrk(site.url + path, max(2, seconds // 5))  # warm-up: connections, caches, compiled templates
        for _round in range(ROUNDS):
            for name, path in pages().items():
                runs[name].append(wrk(site.url + path, seconds))
        results = {}
        for name, path in pages().items():
            ordered = sorted(runs[name], key=lambda run: run["requests_per_s"])
            results[name] = result = ordered[len(ordered) // 2]
            emit(
                {
                    "bench": "throughput",
                    "page": name,
                    "path": path,
                    "gunicorn_workers": GUNICORN_WORKERS,
                    "connections": CONNECTIONS,
                    **result,
                    "runs_requests_per_s": [run["requests_per_s"] for run in runs[name]],
                    "load_average_1m": load_average(),
                }
            )
        trivial = results.pop("trivial")
        for name, result in results.items():
            errors = result["non_2xx_3xx"] + result["connect_errors"] + result["read_errors"] + result["timeouts"]
            emit(
                figure(
                    bench="throughput",
                    figure=f"{name} page, anonymous, gunicorn {GUNICORN_WORKERS} workers, "
                    f"wrk {CONNECTIONS} connections",
                    ours=result["requests_per_s"],
                    anchor=trivial["requests_per_s"],
                    target=TARGET,
                    unit="req/s",
                    errors=errors,
                    p99_ms=result["p99_ms"],
                    database="postgresql",
                )
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
