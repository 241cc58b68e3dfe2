""".ci/prepare-services prepares exactly the database and Redis database the URLs name."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import redis

from tests.services import missing, reachable

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "prepare-services"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"

# Redis databases 3 and 4 by number: under pytest-xdist these tests run on one worker, in turn.
pytestmark = pytest.mark.xdist_group("fixed-redis-databases")


@pytest.fixture
def local_services() -> None:
    if not (shutil.which("psql") and shutil.which("redis-cli")):
        missing("needs the psql and redis-cli clients")
    if not (reachable(f"{POSTGRES}/postgres") and reachable(REDIS)):
        missing("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")


def psql(sql: str, **variables: str) -> str:
    command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tA"]
    command += [f"--set={name}={value}" for name, value in variables.items()]
    return subprocess.run(command, input=sql, check=True, capture_output=True, text=True).stdout.strip()


def database_exists(name: str) -> bool:
    return psql("SELECT count(*) FROM pg_database WHERE datname = :'name'", name=name) == "1"


def prepare(database_url: str, redis_url: str) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    return subprocess.run([str(SCRIPT)], env=env, check=True, capture_output=True, text=True)


def test_it_creates_the_named_database_and_empties_only_the_named_redis_database(local_services) -> None:
    name = f"ci_check_{uuid.uuid4().hex[:8]}"
    named, neighbour = redis.Redis(db=3), redis.Redis(db=4)
    named.set("left-over", 1)
    neighbour.set("kept", 1)
    try:
        result = prepare(f"{POSTGRES}/{name}", f"{REDIS}/3")

        assert database_exists(name)
        assert named.exists("left-over") == 0
        assert neighbour.exists("kept") == 1
        assert f"database {name} " in result.stdout and "Redis database 3 " in result.stdout
    finally:
        psql('DROP DATABASE IF EXISTS :"name"', name=name)
        neighbour.delete("kept")


def test_it_leaves_an_existing_database_as_it_is(local_services) -> None:
    name = f"ci_check_{uuid.uuid4().hex[:8]}"
    psql('CREATE DATABASE :"name"', name=name)
    try:
        prepare(f"{POSTGRES}/{name}", f"{REDIS}/3")
        prepare(f"{POSTGRES}/{name}", f"{REDIS}/3")

        assert database_exists(name)
    finally:
        psql('DROP DATABASE IF EXISTS :"name"', name=name)
