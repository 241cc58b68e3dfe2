"""Fan-out and delivery to N confirmed subscribers beside the SMTP ceiling, on equal terms, in one run.

python -m bench.fanout [N]          (default 100,000; needs DATABASE_URL=postgres://...)
                                    BENCH_WORKER_PROCESSES=2 to run two worker processes (and so two
                                    SMTP connections at once; the anchor has one)
                                    BENCH_NEWSLETTER=0 to leave out the composed newsletter

Equal terms with the SMTP peer anchor (../shared/anchors/smtp): one sink, the anchor's own
(``bench.fanout_sink`` runs its Counter and tallies recipients too), fed by the anchor's prebuilt-bytes
sender (the ceiling, before and after ours) and by our ``celery -A config worker -c 1`` (one worker
process: one SMTP connection open at a time, as the anchor's one); our message is padded to the
anchor's size (an analysis announcement, then a composed newsletter issue with Markdown and three
blocks). Our figure is timed from the fan-out's start until the sink has every message; each run
is checked by recipient: every subscriber got exactly one message, none lost, none doubled.
Prints a JSON line per run and per anchor run, then one figure line per sender against the ceiling
(target 0.85 for the announcement, 0.8 for the newsletter).
"""

import importlib.util
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

from bench.harness import emit, figure, load_average, setup_django, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
ANCHOR_DIR = ROOT.parent / "shared" / "anchors" / "smtp"
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", "1"))
NEWSLETTER = os.environ.get("BENCH_NEWSLETTER", "1") != "0"
ANCHOR_MESSAGES = 20_000
TARGETS = {"fanout_announcement": 0.85, "fanout_newsletter": 0.8}


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
        # Once a second: reading every process in /proc costs CPU that the anchor's run does not share.
        while not self.stopped.wait(1.0):
            sizes = memory_kb_of_group(self.pgid)
            if sizes:
                self.worker_process_kb = max(self.worker_process_kb, max(rss for rss, _pss in sizes))
                self.worker_total_kb = max(self.worker_total_kb, sum(rss for rss, _pss in sizes))
                self.worker_pss_kb = max(self.worker_pss_kb, sum(pss for _rss, pss in sizes))


def sink_stats(port: int) -> dict:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        return json.loads(conn.makefile().readline())


def take_recipients(port: int) -> dict[str, int]:
    """Every recipient the sink saw since the last call, with how many messages each got."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        return json.loads(conn.makefile().readline())


def anchor_module(name: str):
    """A module of the SMTP peer anchor (its message and senders), loaded from its directory."""
    if str(ANCHOR_DIR) not in sys.path:
        sys.path.insert(0, str(ANCHOR_DIR))
    spec = importlib.util.spec_from_file_location(name, ANCHOR_DIR / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"fanout: the SMTP anchor is missing from {ANCHOR_DIR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def anchor_message_bytes() -> int:
    return len(anchor_module("send_smtplib").prebuilt_template())


def run_anchor(ports: dict, messages: int) -> dict:
    """The anchor's prebuilt-bytes sender (the ceiling), over one connection to our shared sink."""
    take_recipients(ports["recipients_port"])
    completed = subprocess.run(
        [
            sys.executable,
            str(ANCHOR_DIR / "send_smtplib.py"),
            "--port",
            str(ports["smtp_port"]),
            "--stats-port",
            str(ports["stats_port"]),
            "--messages",
            str(messages),
            "--mode",
            "prebuilt",
        ],
        cwd=ANCHOR_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    record = json.loads(completed.stdout.strip().splitlines()[-1])
    tally = take_recipients(ports["recipients_port"])
    record["doubled"] = sum(1 for got in tally.values() if got > 1)
    return {"bench": "smtp_anchor", **record, "load_average_1m": load_average()}


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
        wait_for(lambda: (work / "sink.json").exists(), 10, "the SMTP sink")
        ports = json.loads((work / "sink.json").read_text())
        with throwaway_database():
            run(count, work, redis_url, client, ports, processes)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def run(count: int, work: Path, redis_url: str, client, ports: dict, processes: list) -> None:
    from django.utils import timezone

    from notifications.models import Subscriber

    now = timezone.now()
    for start_at in range(0, count, 10_000):
        Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{n}@example.org", all_analyses=True, confirmed_at=now)
            for n in range(start_at, min(count, start_at + 10_000))
        )
    worker = start_worker(work, redis_url, ports)
    processes.append(worker)
    try:
        wait_for(_worker_ready, 60, "the worker", interval=0.2)
        measure(count, work, worker, client, ports)
    finally:
        # Before the throwaway database is dropped: the worker keeps its connections between tasks.
        stop(worker)


def measure(count: int, work: Path, worker: subprocess.Popen, client, ports: dict) -> None:
    target_bytes = anchor_message_bytes()
    anchor_messages = min(count, ANCHOR_MESSAGES)

    ceilings = [run_anchor(ports, anchor_messages)]
    emit(ceilings[0])
    senders = [("fanout_announcement", _announce)]
    if NEWSLETTER:
        senders.append(("fanout_newsletter", _newsletter_send))
    results = []
    for name, send in senders:
        take_recipients(ports["recipients_port"])
        result = deliver(name, send, count, target_bytes, worker, client, ports)
        emit(result)
        results.append(result)
    ceilings.append(run_anchor(ports, anchor_messages))
    emit(ceilings[1])

    # The better of the two ceiling runs around ours: the comparison never flatters us.
    ceiling = max(run["msgs_per_s"] for run in ceilings)
    for result in results:
        emit(
            figure(
                bench=result["bench"],
                figure=f"{result['subscribers']:,} subscribers, {result['bytes_per_msg']:,} B each, "
                f"{WORKER_PROCESSES} worker process(es) vs the anchor's prebuilt bytes over one connection",
                ours=result["msgs_per_s"],
                anchor=ceiling,
                target=TARGETS[result["bench"]],
                unit="msg/s",
                lost=result["lost"],
                doubled=result["doubled"],
                ours_bytes_per_msg=result["bytes_per_msg"],
                anchor_bytes_per_msg=ceilings[0]["bytes_per_msg"],
                database="postgresql",
            )
        )
    for result in results:
        assert result["lost"] == 0 and result["doubled"] == 0, f"{result['bench']}: lost or doubled messages"


def start_worker(work: Path, redis_url: str, ports: dict) -> subprocess.Popen:
    from django.db import connection

    db = connection.settings_dict
    return start(
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


def deliver(name: str, send, count: int, target_bytes: int, worker, client, ports: dict) -> dict:
    from notifications.models import Delivery

    before = sink_stats(ports["stats_port"])
    peak = Peak(worker.pid)
    peak.start()
    started, rows_created_s, fan_out_s, created, broadcast_id = send(target_bytes)
    started_at = time.time() - (time.perf_counter() - started)  # the same moment on the wall clock
    # Timed to the last message's arrival as the sink saw it; polled seldom, as the anchor's run is not.
    wait_for(
        lambda: sink_stats(ports["stats_port"])["messages"] - before["messages"] >= count,
        1800,
        "every message at the sink",
        0.5,
    )
    delivered_s = sink_stats(ports["stats_port"])["last_message_at"] - started_at
    rows = Delivery.objects.filter(broadcast_id=broadcast_id)
    wait_for(lambda: not rows.exclude(status=Delivery.Status.SENT).exists(), 60, "every row marked sent", 0.5)
    peak.stopped.set()
    peak.join()
    time.sleep(0.5)  # a message doubled by a retry would arrive after the last first copy
    after = sink_stats(ports["stats_port"])
    tally = take_recipients(ports["recipients_port"])
    expected = {f"reader{n}@example.org" for n in range(count)}
    memory = client.info("memory")
    return {
        "bench": name,
        "database": "postgresql",
        "subscribers": count,
        "rows_created": created,
        "rows_created_s": round(rows_created_s, 2),
        "fan_out_with_dispatch_s": round(fan_out_s, 2),
        "delivered_s": round(delivered_s, 2),
        "msgs_per_s": round(count / delivered_s, 1),
        "sink_messages": after["messages"] - before["messages"],
        "bytes_per_msg": round((after["bytes"] - before["bytes"]) / max(1, after["messages"] - before["messages"])),
        "anchor_bytes_per_msg": target_bytes,
        "lost": len(expected - tally.keys()),
        "doubled": sum(1 for got in tally.values() if got > 1),
        "unexpected_recipients": len(tally.keys() - expected),
        "smtp_sessions": after["sessions_opened"] - before["sessions_opened"],
        "most_smtp_connections_at_once": after["most_open"],
        "worker_processes": WORKER_PROCESSES,
        "peak_worker_process_rss_mb": round(peak.worker_process_kb / 1024, 1),
        "peak_worker_group_pss_mb": round(peak.worker_pss_kb / 1024, 1),
        "peak_redis_used_memory_mb": round(memory["used_memory_peak"] / 1_048_576, 2),
        "load_average_1m": load_average(),
    }


def message_bytes(subject: str, text: str, html: str) -> int:
    """The size of one reader's message as the sender's fast path builds it."""
    from notifications import sending, tokens
    from notifications.models import Broadcast

    template = sending.BroadcastTemplate(Broadcast(subject=subject, body_text=text, body_html=html))
    recipient = "reader0@example.org"
    return len(
        template.personalise(
            recipient=recipient, message_id="<bench.0@example.org>", links=tokens.bulk_links(recipient)
        )
    )


def padding(paragraphs: int) -> str:
    """The anchor's own paragraphs, one per line: the same words, and no line long enough to
    make the message quoted-printable."""
    texts = anchor_module("newsletter")._PARAGRAPHS
    return "\n\n".join(texts[i % len(texts)] for i in range(paragraphs))


def sized(render, target_bytes: int) -> int:
    """The fewest paragraphs of padding that bring the message to the anchor's size."""
    for paragraphs in range(0, 200):
        if render(paragraphs) >= target_bytes:
            return paragraphs
    raise SystemExit("fanout: could not pad the message to the anchor's size")


def _announce(target_bytes: int) -> tuple[float, float, float, int, int]:
    from notifications.models import Broadcast
    from notifications.services import broadcasts
    from tests.factories import AnalysisFactory

    analysis = AnalysisFactory(title="One announcement to many")
    broadcast = Broadcast.objects.create(
        key="bench",
        kind="analysis_published",
        audience=Broadcast.Audience.ANALYSES,
        template="analysis-published",
        content_type_id=_content_type(analysis),
        object_id=analysis.pk,
    )

    def render(paragraphs: int) -> int:
        analysis.standfirst = padding(paragraphs).replace("\n\n", "\n")
        analysis.save()
        broadcast.about, broadcast.subject = analysis, ""
        broadcasts.broadcast_render(broadcast=broadcast)
        return message_bytes(broadcast.subject, broadcast.body_text, broadcast.body_html)

    render(sized(render, target_bytes))
    started = time.perf_counter()
    created = broadcasts.broadcast_create_deliveries(broadcast=broadcast)
    rows_created_s = time.perf_counter() - started
    broadcasts.broadcast_dispatch_deliveries(broadcast=broadcast)
    return started, rows_created_s, time.perf_counter() - started, created, broadcast.pk


def _newsletter_send(target_bytes: int) -> tuple[float, float, float, int, int]:
    """As a sender's "Send now": the issue rendered into its broadcast, whose fan-out a worker runs."""
    from notifications.models import Broadcast, NewsletterBlock, NewsletterIssue
    from notifications.services.newsletters import newsletter_render, newsletter_send
    from tests.factories import AnalysisFactory, ConsultationFactory, WebinarFactory

    paragraph = "A paragraph of the editor's news, with a [link](https://example.org/more) and **some** emphasis. "
    issue = NewsletterIssue.objects.create(subject="The spring newsletter", preheader="Three things to read this month")
    for position, (source, obj) in enumerate(
        [
            ("policies.policyanalysis", AnalysisFactory(title="Research clusters")),
            ("webinars.webinar", WebinarFactory()),
            ("consultations.consultation", ConsultationFactory()),
        ]
    ):
        NewsletterBlock.objects.create(issue=issue, position=position, source=source, object_id=obj.pk)

    def render(paragraphs: int) -> int:
        issue.body = "\n\n".join(["## This month", paragraph * 3, "- one\n- two\n- three", padding(paragraphs)])
        rendered = newsletter_render(issue)
        return message_bytes(rendered.subject, rendered.text, rendered.html)

    render(sized(render, target_bytes))
    issue.save()
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
    return started, rows_created_s, fan_out_s, broadcast.recipients, broadcast.pk


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
