"""The site served as in production, on loopback, for the load benchmarks.

``site_server()`` makes a throw-away PostgreSQL database with the demo content, collects the static
files, and starts Redis, a counting SMTP sink, gunicorn (``bench.settings``: DEBUG off, the bench-only
URLconf) and a Celery worker that sends to the sink; it yields the site's address and stops each
process it started, by its id, on the way out.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.fanout import _pings, free_port, start, stop, wait_for
from bench.harness import setup_django, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))


@dataclass(frozen=True)
class Site:
    url: str
    sink_stats_port: int
    work: Path


def production_env(database_url: str, redis_url: str, smtp_port: int) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        # The load generator stands in for the TLS proxy: each simulated reader has its own address.
        "TRUSTED_PROXIES": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
    }


def responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http://127.0.0.1)
            return response.status == 200
    except OSError:
        return False


@contextmanager
def site_server() -> Iterator[Site]:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL=postgres://... (the load figures are for PostgreSQL)")
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))
    processes: list[subprocess.Popen] = []
    try:
        with throwaway_database():
            call_command("load_demo_content", verbosity=0)
            db = connection.settings_dict
            database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            redis_port, port = free_port(), free_port()
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            server = shutil.which("redis-server") or "redis-server"
            processes.append(
                start([server, "--port", str(redis_port), "--save", "", "--appendonly", "no"], work / "redis.log")
            )
            import redis

            wait_for(lambda: _pings(redis.Redis(port=redis_port)), 10, "Redis")
            processes.append(
                start([sys.executable, "-m", "bench.fanout_sink", str(work / "sink.json")], work / "sink.log")
            )
            wait_for(lambda: (work / "sink.json").exists(), 10, "the SMTP sink")
            ports = json.loads((work / "sink.json").read_text())
            env = production_env(database_url, redis_url, ports["smtp_port"])
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                cwd=ROOT,
                env={**os.environ, **env},
                check=True,
            )
            bin_dir = Path(sys.executable).parent
            processes.append(
                start(
                    [
                        str(bin_dir / "gunicorn"),
                        "config.wsgi",
                        "--workers",
                        str(GUNICORN_WORKERS),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                    ],
                    work / "gunicorn.log",
                    env,
                )
            )
            processes.append(
                start(
                    [
                        *(str(bin_dir / "celery"), "-A", "config", "worker", "-l", "warning", "-c", "1"),
                        *("-Q", "transactional,bulk,celery", "--without-gossip", "--without-mingle"),
                    ],
                    work / "worker.log",
                    env,
                )
            )
            url = f"http://127.0.0.1:{port}"
            wait_for(lambda: responds(f"{url}/bench/ok/"), 60, "gunicorn", interval=0.2)
            yield Site(url=url, sink_stats_port=ports["stats_port"], work=work)
            for process in reversed(processes):
                stop(process)
            processes.clear()
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(work, ignore_errors=True)
