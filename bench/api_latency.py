"""API latency under load: gunicorn with 2 workers on loopback, a threaded HTTP load generator.

python -m bench.api_latency [requests per scenario] [concurrency]

Scenarios: the analysis list, an analysis's detail, a page of a 1,000-comment discussion
(the page the API serves: whole threads up to the site's page size) and comment submission
through the whole pipeline. Uses DATABASE_URL if set (point it at a database of its own: the
benchmark migrates it and adds rows), otherwise a throw-away SQLite file. Prints one JSON line
per scenario with median and p95 latency in milliseconds and requests per second.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.harness import emit, setup_django, summary

ROOT = Path(__file__).resolve().parent.parent
THREAD_SLUG = "bench-discussion"
COMMENTS = 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database() -> dict[str, str]:
    """Migrate, load the demo content, add a 1,000-comment discussion and a commenter's token."""
    setup_django()
    from allauth.account.models import EmailAddress
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from comments.models import Comment
    from comments.services import comment_insert
    from moderation.models import PolicyVersion
    from policies.models import Author, PolicyAnalysis
    from tests.factories import PolicyVersionFactory, UserFactory

    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    version = PolicyVersion.objects.current() or PolicyVersionFactory()
    analysis, created = PolicyAnalysis.objects.get_or_create(
        slug=THREAD_SLUG,
        defaults={
            "title": "A long discussion",
            "standfirst": "For the benchmark.",
            "body": "Text.",
            "author": Author.objects.first(),
            "status": PolicyAnalysis.Status.PUBLISHED,
            "publish_at": timezone.now(),
        },
    )
    if created:
        # 200 threads of five: a root and four replies, two levels deep.
        for number in range(COMMENTS // 5):
            root = comment_insert(comment=bench_comment(analysis, version, number, 0), parent=None)
            reply = comment_insert(comment=bench_comment(analysis, version, number, 1), parent=root)
            for extra in range(2, 5):
                comment_insert(comment=bench_comment(analysis, version, number, extra), parent=reply)
    assert Comment.objects.for_target(analysis).public().count() == COMMENTS
    user = UserFactory(username="bench-commenter")
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    token, _ = Token.objects.get_or_create(user=user)
    return {"token": token.key, "seed": PolicyAnalysis.objects.published().first().slug}


def bench_comment(analysis, version, thread: int, position: int):
    from comments.models import Comment

    return Comment(
        target=analysis,
        author_name=f"Reader {thread}-{position}",
        author_email=f"reader{thread}-{position}@example.org",
        text=f"Comment {position} in thread {thread}: evidence, with a link https://example.org/{thread}.",
        status=Comment.Status.APPROVED,
        policy_version=version,
        confirmed_at=analysis.publish_at,
    )


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


Request = Callable[[int], tuple[str, str, bytes | None, dict[str, str]]]


def load(port: int, make_request: Request, total: int, concurrency: int) -> dict:
    """Send ``total`` requests from ``concurrency`` threads, each on its own connection."""
    timings: list[float] = []
    failures: list[int] = []
    counter = iter(range(total))
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            method, path, body, headers = make_request(number)
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if response.status >= 400:
                    failures.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {**summary(timings), "rps": round(len(timings) / seconds, 1), "errors": len(failures)}


def scenarios(prepared: dict[str, str], issued: str) -> dict[str, Request]:
    json_headers = {"Accept": "application/json"}
    author = {**json_headers, "Authorization": f"Token {prepared['token']}", "Content-Type": "application/json"}

    def get(path: str) -> Request:
        return lambda number: ("GET", path, None, json_headers)

    run = int(time.time())

    def submit(number: int):
        # Distinct texts, so the duplicate check lets each one through on every run.
        body = {"text": f"Submission {run}-{number}: clusters need long-term funding.", "accept_policy": True}
        body["issued"] = issued
        return "POST", f"/api/v1/analyses/{THREAD_SLUG}/comments/", json.dumps(body).encode(), author

    return {
        "analysis_list": get("/api/v1/analyses/"),
        "analysis_detail": get(f"/api/v1/analyses/{prepared['seed']}/"),
        "comment_thread_1000": get(f"/api/v1/analyses/{THREAD_SLUG}/comments/"),
        "comment_submit": submit,
    }


def main(total: int, concurrency: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": "dummymail://",
        # Kept between runs: a database used again still names the demo images it was given.
        "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
        # Load, not abuse: the limits would otherwise answer most of these requests with 429.
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        "COMMENTS_RATE_LIMIT_SECONDS": "0",
    }
    os.environ.update(env)
    prepared = prepare_database()
    from django.core import signing
    from django.db import connection

    from comments.forms import TIMING_SALT

    # As if the commenter began writing a minute ago, so the too-fast check passes as for a person.
    issued = signing.Signer(salt=TIMING_SALT).sign(f"{time.time() - 60:.3f}")
    port = free_port()
    server = start_gunicorn(env, port)
    try:
        for name, make_request in scenarios(prepared, issued).items():
            load(port, make_request, total=min(total, 20), concurrency=concurrency)
            result = load(port, make_request, total=total, concurrency=concurrency)
            emit({"bench": f"api_{name}", "database": connection.vendor, "concurrency": concurrency, **result})
    finally:
        stop(server)


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 400,
        int(sys.argv[2]) if len(sys.argv) > 2 else 4,
    )
