"""Real services for the integration tests: a Celery worker subprocess, an SMTP sink, a private Redis.

The worker runs ``celery -A config worker`` against the test database (the tests
commit their rows, ``django_db(transaction=True)``) and the test's Redis, and
sends through SMTP to an aiosmtpd sink running in this process.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.services import missing, require_postgresql, require_redis
from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def wait_for(condition: Callable[[], bool], timeout: float, message: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout:.0f} s: {message}")


@pytest.fixture
def services(db) -> str:
    require_postgresql()
    return require_redis()


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A ``celery -A config worker`` process group (with embedded beat when asked)."""

    def __init__(
        self, *, redis_url: str, smtp_port: int, log: Path, concurrency: int, beat: bool, queues: str, env: dict
    ) -> None:
        command = [str(CELERY), "-A", "config", "worker", "-l", "info", "-Q", queues]
        command += ["-c", str(concurrency), "--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            command += ["-B", "-s", str(log.with_suffix(".schedule"))]
        self.log = log
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "REDIS_URL": redis_url,
                "CELERY_BROKER_URL": redis_url,
                "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "CONN_MAX_AGE": "0",
                **env,
            },
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.ready, 60, f"worker ready (log: {log})", interval=0.2)

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"The worker exited:\n{self.log.read_text()[-3000:]}")
        return " ready." in self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole group, as when a machine dies: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def start_worker(services, smtp_sink, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start workers; each is stopped (SIGTERM, then SIGKILL) at the end of the test."""
    import redis

    started: list[Worker] = []

    def start(
        *,
        redis_url: str = services,
        concurrency: int = 2,
        beat: bool = False,
        queues: str = "transactional,bulk,celery",
        **env: str,
    ) -> Worker:
        worker = Worker(
            queues=queues,
            redis_url=redis_url,
            smtp_port=smtp_sink.port,
            log=tmp_path / f"worker-{len(started)}.log",
            concurrency=concurrency,
            beat=beat,
            env=env,
        )
        started.append(worker)
        return worker

    redis.Redis.from_url(services).flushdb()
    yield start
    for worker in started:
        worker.stop()
    redis.Redis.from_url(services).flushdb()


class PrivateRedis:
    """A redis-server of this test's own, which the test may stop and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            missing("needs redis-server on PATH for the broker outage test")
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        client = redis.Redis(port=self.port)
        wait_for(lambda: self._pings(client), 10, "private Redis up")

    @staticmethod
    def _pings(client) -> bool:
        import redis

        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()
