"""Settings are read from the environment and fail loudly, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#Rk2!pQz9vLw4@Tn8sYb1&Hc6uJe3^Mf5*Gd0(Ai-Zo_Ks+Xr=Vq~Pl%Ny$Wh",
    "ALLOWED_HOSTS": "consult.example.org",
    "SITE_URL": "https://consult.example.org",
    "DATABASE_URL": "sqlite:////tmp/consult-check.sqlite3",
}
# Variables the test run itself may carry; each check starts without them.
INHERITED_SETTINGS = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_it_passes_the_deploy_checklist_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("DATABASE_URL", "not a url"), ("DATABASE_URL", "mysqlx://nowhere"), ("CONN_MAX_AGE", "a")],
)
def test_it_refuses_a_bad_value_naming_the_variable(variable, value):
    result = run_manage("check", **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_it_requires_a_secret_key_when_debug_is_off():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_runs_locally_with_no_variables_at_all():
    result = run_manage("check")
    assert result.returncode == 0, result.stderr
