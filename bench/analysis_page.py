"""The public analysis, webinar and consultation pages beside a trivial view, cold and warm.

python -m bench.analysis_page [runs] [comments]

Runs as production does (DEBUG off, no template instrumentation; see bench/comment_page.py), on the
demo content with the anchor's comment tree (default 100 comments) under the demo analysis, so the
page shows a comment section. Cold: every cached page made stale before each request (the first view
after a change); warm: served from the page cache to a reader who brings only a CSRF cookie. The
trivial view (``HttpResponse("ok")``) goes through the same middleware. Throughput relative to it is
trivial median / page median. These are in-process figures (Django's test client) to see where a
page's time goes; the target of 0.8 is the throughput bench's, the pages under gunicorn and wrk as a
reader gets them, so here they are reported, not judged.
"""

import statistics
import sys

from bench.comment_page import (
    anonymous_client,
    load_tree,
    page_figures,
    production_environment,
    production_rendering,
    timed,
    tree_shape,
)
from bench.harness import emit, setup_django, throwaway_database


def main(runs: int, comments: int) -> None:
    production_environment()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from consultations.models import Consultation
    from policies.demo import SEED_SLUG
    from policies.models import PolicyAnalysis
    from webinars.models import Webinar

    with throwaway_database(), production_rendering():
        call_command("load_demo_content", verbosity=0)
        analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
        load_tree(comments, tree_shape(), analysis=analysis)
        client = anonymous_client()
        trivial_ms = statistics.median(timed(lambda: client.get("/trivial/"), runs))
        pages = {
            "analysis": analysis.get_absolute_url(),
            "webinar": Webinar.objects.order_by("pk").first().get_absolute_url(),
            "consultation": Consultation.objects.published().order_by("pk").first().get_absolute_url(),
        }
        for name, url in pages.items():
            page = page_figures(client, url, runs)
            for state in ("cold", "warm"):
                emit(
                    {
                        "bench": "analysis_page",
                        "figure": f"{name}_page_{state}_throughput_vs_trivial",
                        "ours": round(trivial_ms / page[f"{state}_ms"], 3),
                        "anchor": None,
                        "ratio": round(trivial_ms / page[f"{state}_ms"], 3),
                        "target": "reported (judged under gunicorn and wrk: bench.throughput)",
                        "unit": "x trivial throughput",
                        "pass": None,
                        "page_ms": round(page[f"{state}_ms"], 3),
                        "trivial_ms": round(trivial_ms, 3),
                        "queries_cold": page["queries"],
                        "bytes": page["bytes"],
                        "comments_shown": page["shown"],
                        "database": connection.vendor,
                    }
                )


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:]]
    main(*(arguments + [200, 100][len(arguments) :]))
