"""Every benchmark with its anchor, in one run: ``make bench`` (or ``python -m bench``).

Runs each benchmark in its own process, one after another (they share two cores, so never at once),
echoes its JSON lines, keeps them all in var/bench/<date>.jsonl, then prints the table of figures:
ours beside the anchor measured in the same run, the ratio, the target and the load average. The
table, with the machine and the date, replaces the one in docs/performance.md.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/consult_bench; each
benchmark makes and drops its own test_ database beside it), MODERATION_BENCH_DATABASE_URL (the
million-comment table, kept between runs; default consult_moderation), FANOUT_SUBSCRIBERS (100000),
BENCH_ONLY=name,name to run some of them.
"""

import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import figures_table, machine, write_docs

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/consult_bench")
# As in production: DEBUG off, so no per-query bookkeeping; the test client asks over HTTPS.
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "testserver,localhost"}
BENCHES: list[tuple[str, list[str], dict[str, str], int]] = [
    # name, arguments, environment, time limit in seconds (generous: an idle machine needs a third)
    ("comment_post", ["50"], PRODUCTION, 600),
    ("analysis_page", ["100"], {}, 300),
    # On SQLite beside the anchor, which runs on SQLite (same engine); on PostgreSQL for the large page.
    ("comment_page", ["20"], {"DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'bench-comment-page.sqlite3'}"}, 900),
    ("comment_page", ["20", "--no-anchor"], {}, 900),
    ("moderation_queues", ["1000000", "5"], {}, 1800),
    ("fanout", [os.environ.get("FANOUT_SUBSCRIBERS", "100000")], {}, 1500),
    ("search", ["15"], {}, 900),
    ("throughput", ["10"], {}, 400),
    ("loadtest", ["60"], {}, 400),
]


def run(name: str, arguments: list[str], env: dict[str, str], limit: int, log) -> list[dict]:
    print(f"\n== bench.{name} {' '.join(arguments)} (load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
    started = time.monotonic()
    records = []
    process = subprocess.Popen(
        [sys.executable, "-m", f"bench.{name}", *arguments],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": DATABASE_URL, **env},
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    # A benchmark that hangs without a word is stopped too: the watchdog does not wait for a line.
    watchdog = threading.Timer(limit, os.killpg, (process.pid, signal.SIGTERM))
    watchdog.start()
    try:
        for line in process.stdout:
            if line.startswith("{"):
                records.append(json.loads(line))
                log.write(line)
                print(line, end="", flush=True)
        process.wait()
    finally:
        watchdog.cancel()
    if time.monotonic() - started >= limit:
        records.append({"bench": name, "error": f"stopped after {limit} s"})
    elif process.returncode:
        records.append({"bench": name, "error": f"exited with {process.returncode}; see its output above"})
    if records and "error" in records[-1]:
        log.write(json.dumps(records[-1]) + "\n")
        print(json.dumps(records[-1]), flush=True)
    return records


def main() -> None:
    only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
    started = datetime.now(UTC)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{started:%Y%m%dT%H%M%SZ}.jsonl"
    about = machine(DATABASE_URL)
    records: list[dict] = []
    with path.open("w") as log:
        log.write(json.dumps({"bench": "machine", **about}) + "\n")
        for name, arguments, env, limit in BENCHES:
            if not only or name in only:
                records += run(name, arguments, env, limit, log)
    about["load_average_end"] = [round(value, 2) for value in os.getloadavg()]
    about["minutes"] = round((datetime.now(UTC) - started).total_seconds() / 60, 1)
    table = figures_table(records)
    print("\n" + table)
    print(f"\nEvery line: {path.relative_to(ROOT)}; Python {platform.python_version()}")
    if not only:
        write_docs(ROOT / "docs" / "performance.md", about, table)
        print("docs/performance.md: its table is now this run's.")


if __name__ == "__main__":
    main()
