"""Posting a comment through the form and the whole pipeline, as a browser would.

python -m bench.comment_post [runs]

One test client posts every comment (a new client per post would time Django loading its
middleware, and WhiteNoise rescanning every static file, for each post). Each run posts a fresh
comment (a new address and IP, so the rate limit and duplicate checks run and pass) to the demo
analysis: CSRF, form validation, every check, the save, the audit row, the outbox row and the
redirect. Two cases: a guest whose address needs confirming (one email), and a confirmed guest
whose comment enters the queue (one alert per moderator). Tasks are queued on an in-memory broker,
as a web process hands them to Redis, rather than sent in the request. Beside each, the same client
posts to a trivial view (bench.urls): the framework's own floor.
"""

import statistics
import sys
import time
from itertools import count

from bench.comment_page import timed
from bench.harness import (
    count_queries,
    emit,
    figure,
    load_average,
    setup_django,
    summary,
    throwaway_database,
    time_calls,
)


def main(runs: int) -> None:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.roles import MODERATORS
    from comments.forms import timing_token
    from comments.models import Comment, ConfirmedAddress
    from config.celery import app
    from policies.demo import SEED_SLUG
    from policies.models import PolicyAnalysis
    from tests.factories import UserFactory

    # The trivial view lives in the bench-only URLconf; the site's own URLs are all there too.
    settings.ROOT_URLCONF = "bench.urls"
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    # The form's timing check compares with a token issued when the form was shown.
    settings.COMMENTS_MIN_SECONDS_TO_WRITE = 0

    with throwaway_database():
        call_command("load_demo_content", verbosity=0)
        for index in range(3):
            UserFactory(username=f"moderator{index}", is_staff=True, groups=[MODERATORS])
        analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
        url = f"/comments/analysis/{analysis.pk}/post/"
        numbers = count()

        # One client for every post, as one server process serves many: a new client would load the
        # middleware again for each post, and with DEBUG off WhiteNoise rescans every static file then.
        client = Client()

        def post(confirmed: bool) -> None:
            n = next(numbers)
            email = f"bench{n}@example.org"
            if confirmed:
                ConfirmedAddress.objects.create(email=email)
            client.cookies.clear()  # each post is a new reader: no session or cookie carried over
            data = {
                "name": f"Reader {n}",
                "email": email,
                "text": f"Comment {n}: research clusters need long-term, place-based funding and housing.",
                "accept_policy": "on",
                "issued": timing_token(),
            }
            response = client.post(
                url, data, secure=True, REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            )
            assert response.status_code == 302, response.content[:500]

        def trivial() -> None:
            client.cookies.clear()
            assert client.post("/bench/ok/", {"text": "ok"}, secure=True).status_code == 200

        floor = summary(time_calls(trivial, repeat=runs))
        for case, confirmed, status in (
            ("guest_needs_confirmation", False, Comment.Status.UNCONFIRMED),
            ("confirmed_guest_enters_queue", True, Comment.Status.PENDING),
        ):
            with count_queries() as queries:
                post(confirmed)
            assert Comment.objects.latest("pk").status == status
            timings = time_calls(lambda confirmed=confirmed: post(confirmed), repeat=runs)
            cpu = timed(lambda confirmed=confirmed: post(confirmed), runs, clock=time.process_time)
            emit(
                {
                    "bench": "comment_post",
                    "case": case,
                    "database": connection.vendor,
                    "queries": len(queries),
                    **summary(timings),
                    "cpu_median_ms": round(statistics.median(cpu), 2),
                    "trivial_view_median_ms": floor["median_ms"],
                    "load_average_1m": load_average(),
                }
            )
            emit(
                figure(
                    bench="comment_post",
                    figure=f"{case.replace('_', ' ')}: the whole pipeline, beside a trivial view, same client",
                    ours=summary(timings)["median_ms"],
                    anchor=floor["median_ms"],
                    target="no target: the trivial view is the framework's floor",
                    unit="ms",
                    queries=len(queries),
                    database=connection.vendor,
                )
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
