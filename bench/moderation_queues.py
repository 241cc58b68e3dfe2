"""Server time and SQL queries of each moderation queue page, and of its search box, over a large
comment table, on PostgreSQL.

python -m bench.moderation_queues [comments] [runs]

Fills MODERATION_BENCH_DATABASE_URL's database (default: the local consult_moderation; never
DATABASE_URL's, since filling empties the comment tables) with the given number of comments by
COPY, once; a second run with the same size reuses them. Prints one JSON line
per page: median and p95 server time through Django's test client, and the queries it ran; each
queue is searched for five words (one in every comment, one in a few, a name, a whole address, one in
none), and a figure line per queue gives its slowest search against the budget (< 300 ms, <= 15 queries).
"""

import os
import random
import sys
import time
from datetime import timedelta

from bench.harness import count_queries, emit, figure, setup_django, summary, time_calls

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/consult_moderation"
ANALYSES = 50
AUTHORS = 100_000
REPORTED = 2_000
# Status shares of a mature site: most comments published, a working queue of pending ones.
STATUSES = [("approved", 0.85), ("pending", 0.05), ("rejected", 0.04), ("spam", 0.04), ("removed", 0.02)]
REASONS = [[], [], ["new_commenter"], ["too_many_links"], ["suspect_term:cure", "new_commenter"]]


def pick_status(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUSES:
        total += share
        if roll < total:
            return status
    return "approved"


def comment_rows(size: int, *, content_type_id: int, analysis_ids: list[int], version_id: int):
    """Rows for COPY, in id order; about one in thirty is a reply to an earlier top-level comment."""
    from django.utils import timezone

    from comments.models import PATH_DIGITS

    rng = random.Random(20261126)
    start = timezone.now() - timedelta(days=730)
    step = timedelta(days=730) / size
    tops: list[tuple[int, int, str]] = []
    for pk in range(1, size + 1):
        created = start + step * pk
        analysis = analysis_ids[pk % len(analysis_ids)]
        parent = rng.choice(tops[-500:]) if tops and rng.random() < 0.033 else None
        own = str(pk).zfill(PATH_DIGITS)
        if parent:
            parent_id, _analysis, parent_path = parent
            analysis = _analysis
            path, depth, root_id = f"{parent_path}/{own}", 1, parent_id
        else:
            path, depth, root_id, parent_id = own, 0, pk, None
            tops.append((pk, analysis, own))
        status = pick_status(rng)
        author = rng.randrange(AUTHORS)
        text = f"Comment {pk}: research clusters need long-term funding and a stable pipeline of people."
        yield {
            "id": pk,
            "content_type_id": content_type_id,
            "object_id": analysis,
            "parent_id": parent_id,
            "root_id": root_id,
            "depth": depth,
            "path": path,
            "author_name": f"Commenter {author}",
            "author_email": f"commenter{author}@example.org",
            "text": text,
            "text_html": f"<p>{text}</p>",
            "status": status,
            "reasons": REASONS[pk % len(REASONS)] if status == "pending" else [],
            "policy_version_id": version_id,
            "ip_hash": f"{author:064x}",
            "created_at": created,
            "confirmed_at": created,
            "status_changed_at": created,
        }


def fill(size: int) -> None:
    import json

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from comments.models import Comment, Flag
    from moderation.models import PolicyVersion
    from policies.models import PolicyAnalysis
    from tests.factories import AnalysisFactory, PolicyVersionFactory, UserFactory

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE comments_comment, comments_flag, comments_moderationevent RESTART IDENTITY CASCADE")
    version = PolicyVersion.objects.filter(clauses__isnull=False).first() or PolicyVersionFactory()
    analyses = list(PolicyAnalysis.objects.values_list("pk", flat=True)[:ANALYSES])
    analyses += [AnalysisFactory().pk for _ in range(ANALYSES - len(analyses))]
    content_type = ContentType.objects.get_for_model(PolicyAnalysis)
    fields = [f for f in Comment._meta.concrete_fields]
    columns = [f.column for f in fields]

    def value(field, row):
        if field.attname in row:
            found = row[field.attname]
        elif field.name in row:
            found = row[field.name]
        else:
            found = field.get_default()
        return json.dumps(found) if field.get_internal_type() == "JSONField" else found

    started = time.perf_counter()
    rows = comment_rows(size, content_type_id=content_type.pk, analysis_ids=analyses, version_id=version.pk)
    with connection.cursor() as cursor:
        sql = f"COPY comments_comment ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([value(field, row) for field in fields])
        cursor.execute("SELECT setval(pg_get_serial_sequence('comments_comment', 'id'), %s)", [size])
        # The (code, comment) rows services.reason_rows_write keeps beside each comment's reasons.
        cursor.execute(
            "INSERT INTO comments_commentreason (comment_id, code) "
            "SELECT DISTINCT c.id, split_part(r.reason, ':', 1) "
            "FROM comments_comment c, jsonb_array_elements_text(c.reasons) AS r(reason)"
        )
    reporters = [UserFactory(username=f"bench-reporter{n}") for n in range(5)]
    approved = Comment.objects.filter(status="approved").order_by("-pk").values_list("pk", flat=True)[:REPORTED]
    clause = version.clauses.first()
    Flag.objects.bulk_create(
        [Flag(comment_id=pk, clause=clause, user=reporters[n % 5], note="Rude") for n, pk in enumerate(approved)],
        batch_size=1000,
    )
    # As autovacuum would on a live site: statistics, and the visibility map index-only scans rely on.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) comments_comment")
        cursor.execute("VACUUM (ANALYZE) comments_flag")
        cursor.execute("VACUUM (ANALYZE) comments_commentreason")
    emit(
        {
            "bench": "moderation_queues",
            "step": "fill",
            "comments": size,
            "seconds": round(time.perf_counter() - started, 1),
        }
    )


PAGES = {
    "index": "/admin/",
    "pending": "/admin/comments/pendingcomment/",
    "pending_page_3": "/admin/comments/pendingcomment/?p=3",
    "pending_by_reason": "/admin/comments/pendingcomment/?reason=suspect_term",
    "reported": "/admin/comments/reportedcomment/",
    "spam": "/admin/comments/spamcomment/",
    "approved": "/admin/comments/approvedcomment/",
    "rejected": "/admin/comments/rejectedcomment/",
    "all": "/admin/comments/comment/",
}


# What a moderator types in the search box, from a word in every comment to one in none.
SEARCHES = {
    "word_in_every_comment": "pipeline",
    "number_in_few": "4242",
    "author_name": "Commenter 4242",
    "whole_address": "commenter4242@example.org",
    "no_match": "zebra",
}
SEARCHED_QUEUES = ("pending", "reported", "spam", "approved", "rejected", "all")
SEARCH_BUDGET_MS = 300
SEARCH_QUERY_BUDGET = 15


def search_pages() -> dict[str, str]:
    from django.utils.http import urlencode

    return {
        f"search_{queue}_{name}": f"{PAGES[queue]}?{urlencode({'q': term})}"
        for queue in SEARCHED_QUEUES
        for name, term in SEARCHES.items()
    }


def measure(size: int, runs: int) -> list[dict]:
    """Time each queue page and a comment's page as a moderator sees them."""
    from django.test import Client

    from accounts.roles import MODERATORS
    from comments.models import Comment
    from tests.factories import UserFactory

    moderator = UserFactory(username="bench-moderator", is_staff=True, groups=[MODERATORS])
    client = Client()
    client.force_login(moderator)
    pending_id = Comment.objects.filter(status="pending").order_by("created_at").values_list("pk", flat=True).first()
    pages = {**PAGES, "comment_page": f"/admin/comments/pendingcomment/{pending_id}/change/", **search_pages()}
    records = []
    for name, url in pages.items():
        client.get(url)
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        # A count with no LIMIT inside would be a full COUNT(*) of the queue.
        full_counts = [q for q in queries if "COUNT(*)" in q.upper() and "LIMIT" not in q.upper()]
        timings = time_calls(lambda url=url: client.get(url), repeat=runs, warmup=1)
        records.append(
            {
                "bench": "moderation_queues",
                "page": name,
                "url": url,
                "comments": size,
                "queries": len(queries),
                "unbounded_counts": len(full_counts),
                **summary(timings),
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )
    return records


def search_figures(records: list[dict]) -> list[dict]:
    """The slowest search on each queue against the budget: < 300 ms and at most 15 queries."""
    figures = []
    for queue in SEARCHED_QUEUES:
        searches = [r for r in records if r["page"].startswith(f"search_{queue}_")]
        slowest = max(searches, key=lambda r: r["median_ms"])
        figures.append(
            figure(
                bench="moderation_search",
                figure=f"{queue} queue, slowest of {len(searches)} searches ({slowest['page']})",
                ours=slowest["median_ms"],
                anchor=None,
                target=f"< {SEARCH_BUDGET_MS} ms, <= {SEARCH_QUERY_BUDGET} queries",
                unit="ms",
                passed=slowest["median_ms"] < SEARCH_BUDGET_MS
                and max(r["queries"] for r in searches) <= SEARCH_QUERY_BUDGET,
                comments=slowest["comments"],
                queries=max(r["queries"] for r in searches),
                database="postgresql",
            )
        )
    return figures


def database_create_if_missing(url: str) -> None:
    """The first run on a machine makes the database (kept afterwards, with its million comments)."""
    import psycopg
    from psycopg import sql

    server, _, name = url.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main(size: int, runs: int) -> None:
    # Its own database, never DATABASE_URL's: filling starts by emptying the comment tables.
    os.environ["DATABASE_URL"] = os.environ.get("MODERATION_BENCH_DATABASE_URL", DEFAULT_DATABASE)
    database_create_if_missing(os.environ["DATABASE_URL"])
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from comments.models import Comment

    if connection.vendor != "postgresql":
        raise SystemExit("This benchmark needs PostgreSQL: set MODERATION_BENCH_DATABASE_URL.")
    setup_test_environment()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM comments_comment")
        existing = cursor.fetchone()[0] or 0
    if existing != size or not Comment.objects.filter(pk=size).exists():
        fill(size)
    records = measure(size, runs)
    for record in records:
        emit(record)
    for record in search_figures(records):
        emit(record)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
