"""Fan-out and delivery of one announcement to N confirmed subscribers, into a local SMTP sink.

python -m bench.fanout [N]          (default 100,000; needs DATABASE_URL=postgres://...)
                                    BENCH_WORKER_PROCESSES=1 to compare one worker process
                                    BENCH_NEWSLETTER=1 to send a composed newsletter issue instead
                                    (Markdown body and three content blocks, to every subscriber)

Starts its own Redis (for a clean memory figure), a counting SMTP sink and a
``celery -A config worker -c 2`` (two worker processes); creates N subscribers in
a throw-away database; then times the fan-out (rows created, then handed to the
workers in chunks) and the delivery until the sink has every message. Prints one
JSON line, then the SMTP peer anchor's lines (../shared/anchors/smtp/run) from the same run.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.harness import emit, setup_django, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = ROOT.parent / "shared" / "anchors" / "smtp" / "run"
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", "2"))
NEWSLETTER = os.environ.get("BENCH_NEWSLETTER", "") == "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise SystemExit(f"fanout: timed out after {timeout:.0f} s waiting for {what}")


def memory_kb_of_group(pgid: int) -> list[tuple[int, int]]:
    """(RSS, PSS) of every process in a process group, from /proc. PSS shares the pages that
    forked worker processes have in common between them, so PSS sums to the group's real use."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            fields = dict(line.split(":", 1) for line in (entry / "smaps_rollup").read_text().splitlines()[1:])
            sizes.append((int(fields["Rss"].split()[0]), int(fields["Pss"].split()[0])))
        except (OSError, ValueError, IndexError, KeyError):
            continue
    return sizes


class Peak(threading.Thread):
    """Samples the worker processes' resident memory until stopped."""

    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self.pgid = pgid
        self.worker_process_kb = self.worker_total_kb = self.worker_pss_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            sizes = memory_kb_of_group(self.pgid)
            if sizes:
                self.worker_process_kb = max(self.worker_process_kb, max(rss for rss, _pss in sizes))
                self.worker_total_kb = max(self.worker_total_kb, sum(rss for rss, _pss in sizes))
                self.worker_pss_kb = max(self.worker_pss_kb, sum(pss for _rss, pss in sizes))


def sink_stats(port: int) -> dict:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        return json.loads(conn.recv(4096))


def start(command: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main(count: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    # The benchmark process publishes to its own Redis; set before Django reads the settings.
    os.environ["REDIS_URL"] = redis_url
    setup_django()
    import redis
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("fanout: set DATABASE_URL=postgres://... (the figures are for PostgreSQL)")
    processes = []
    try:
        server = shutil.which("redis-server") or "redis-server"
        processes.append(
            start([server, "--port", str(redis_port), "--save", "", "--appendonly", "no"], work / "redis.log")
        )
        client = redis.Redis(port=redis_port)
        wait_for(lambda: _pings(client), 10, "Redis")
        processes.append(start([sys.executable, "-m", "bench.fanout_sink", str(work / "sink.json")], work / "sink.log"))
        wait_for(lambda: (work / "sink.json").exists() and (work / "sink.json").stat().st_size, 10, "the SMTP sink")
        ports = json.loads((work / "sink.json").read_text())
        with throwaway_database():
            run(count, work, redis_url, client, ports, processes)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(work, ignore_errors=True)
    if ANCHOR.exists():
        anchor = subprocess.run([str(ANCHOR), "20000"], cwd=ROOT, capture_output=True, text=True, check=False)
        for line in anchor.stdout.splitlines():
            emit({"bench": "smtp_anchor", **json.loads(line)})


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def run(count: int, work: Path, redis_url: str, client, ports: dict, processes: list) -> None:
    from django.db import connection
    from django.utils import timezone

    from notifications.models import Delivery, Subscriber
    from tests.factories import AnalysisFactory

    now = timezone.now()
    for start_at in range(0, count, 10_000):
        Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{n}@example.org", all_analyses=True, confirmed_at=now)
            for n in range(start_at, min(count, start_at + 10_000))
        )
    analysis = AnalysisFactory(title="One announcement to many")
    db = connection.settings_dict
    worker = start(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "-Q",
            "transactional,bulk,celery",
            "-c",
            str(WORKER_PROCESSES),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        work / "worker.log",
        {
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{ports['smtp_port']}",
            # As in production: DEBUG off, so no per-query bookkeeping.
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 50,
        },
    )
    processes.append(worker)
    wait_for(_worker_ready, 60, "the worker", interval=0.2)
    peak = Peak(worker.pid)
    peak.start()

    if NEWSLETTER:
        started, rows_created_s, fan_out_s, created = _newsletter_send(analysis)
    else:
        started, rows_created_s, fan_out_s, created = _announce(analysis)
    wait_for(lambda: sink_stats(ports["stats_port"])["messages"] >= count, 1800, "every message at the sink", 0.2)
    delivered_s = time.perf_counter() - started
    wait_for(
        lambda: not Delivery.objects.exclude(status=Delivery.Status.SENT).exists(), 60, "every row marked sent", 0.5
    )
    peak.stopped.set()
    peak.join()
    stats = sink_stats(ports["stats_port"])
    memory = client.info("memory")
    emit(
        {
            "bench": "fanout_newsletter" if NEWSLETTER else "fanout",
            "database": connection.vendor,
            "subscribers": count,
            "rows_created": created,
            "rows_created_s": round(rows_created_s, 2),
            "fan_out_with_dispatch_s": round(fan_out_s, 2),
            "delivered_s": round(delivered_s, 2),
            "msgs_per_s": round(count / delivered_s),
            "sink_messages": stats["messages"],
            "sink_distinct_recipients": stats["recipients"],
            "worker_processes": WORKER_PROCESSES,
            "peak_worker_process_rss_mb": round(peak.worker_process_kb / 1024, 1),
            "peak_worker_group_rss_mb": round(peak.worker_total_kb / 1024, 1),
            "peak_worker_group_pss_mb": round(peak.worker_pss_kb / 1024, 1),
            "peak_redis_used_memory_mb": round(memory["used_memory_peak"] / 1_048_576, 2),
            "redis_used_memory_at_start_mb": round(memory["used_memory_startup"] / 1_048_576, 2),
            "load_average_1m": os.getloadavg()[0],
        }
    )


def _announce(analysis) -> tuple[float, float, float, int]:
    from notifications.models import Broadcast
    from notifications.services import broadcasts

    broadcast = Broadcast.objects.create(
        key="bench",
        kind="analysis_published",
        audience=Broadcast.Audience.ANALYSES,
        template="analysis-published",
        content_type_id=_content_type(analysis),
        object_id=analysis.pk,
    )
    started = time.perf_counter()
    broadcasts.broadcast_render(broadcast=broadcast)
    created = broadcasts.broadcast_create_deliveries(broadcast=broadcast)
    rows_created_s = time.perf_counter() - started
    broadcasts.broadcast_dispatch_deliveries(broadcast=broadcast)
    return started, rows_created_s, time.perf_counter() - started, created


def _newsletter_send(analysis) -> tuple[float, float, float, int]:
    """As a sender's "Send now": the issue rendered into its broadcast, whose fan-out a worker runs."""
    from notifications.models import Broadcast, NewsletterBlock, NewsletterIssue
    from notifications.services.newsletters import newsletter_send
    from tests.factories import ConsultationFactory, WebinarFactory

    paragraph = "A paragraph of the editor's news, with a [link](https://example.org/more) and **some** emphasis. "
    issue = NewsletterIssue.objects.create(
        subject="The spring newsletter",
        preheader="Three things to read this month",
        body="\n\n".join(["## This month", paragraph * 6, "- one\n- two\n- three", paragraph * 4]),
    )
    for position, (source, obj) in enumerate(
        [
            ("policies.policyanalysis", analysis),
            ("webinars.webinar", WebinarFactory()),
            ("consultations.consultation", ConsultationFactory()),
        ]
    ):
        NewsletterBlock.objects.create(issue=issue, position=position, source=source, object_id=obj.pk)
    started = time.perf_counter()
    newsletter_send(issue_id=issue.pk)
    fan_out_s = time.perf_counter() - started
    wait_for(
        lambda: Broadcast.objects.filter(pk=issue_pk_broadcast(issue.pk), fanned_out_at__isnull=False).exists(),
        600,
        "the worker's fan-out",
        0.1,
    )
    rows_created_s = time.perf_counter() - started
    broadcast = Broadcast.objects.get(pk=issue_pk_broadcast(issue.pk))
    return started, rows_created_s, fan_out_s, broadcast.recipients


def issue_pk_broadcast(issue_pk: int) -> int | None:
    from notifications.models import NewsletterIssue

    return NewsletterIssue.objects.values_list("broadcast_id", flat=True).get(pk=issue_pk)


def _worker_ready() -> bool:
    from config.celery import app

    try:
        return bool(app.control.ping(timeout=0.5))
    except Exception:
        return False


def _content_type(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
