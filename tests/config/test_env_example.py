""".env.example, copied to .env as its header says, starts the site with the local defaults."""

import os
import re
import subprocess
import sys

from tests.config.test_settings import INHERITED_SETTINGS, ROOT

EXAMPLE = ROOT / ".env.example"
NAMED = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
ACTIVE = re.compile(r"^[A-Z][A-Z0-9_]*=", re.MULTILINE)

# Start-up as manage.py does it, with the example read first exactly as settings read a .env file.
START_WITH_EXAMPLE = """
from pathlib import Path
from config.env import load_dotenv
load_dotenv(Path({path!r}))
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", "check"])
from django.conf import settings
print("DEBUG", settings.DEBUG, settings.SITE_URL, settings.DATABASES["default"]["ENGINE"])
"""


def start_with_example() -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS | {"HOST", "PORT", "SITE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", START_WITH_EXAMPLE.format(path=str(EXAMPLE))],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_copied_as_it_stands_it_starts_the_site_with_the_local_defaults():
    result = start_with_example()

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "DEBUG True http://127.0.0.1:8000 django.db.backends.sqlite3" in result.stdout


def test_its_header_says_copying_changes_nothing_and_every_setting_is_commented_out():
    text = EXAMPLE.read_text()

    assert "Copied to .env as it stands it changes nothing" in text.split("\n\n", 1)[0]
    assert ACTIVE.findall(text) == []


def test_it_names_host_and_port_beside_the_other_settings():
    names = set(NAMED.findall(EXAMPLE.read_text()))

    assert {"HOST", "PORT", "SITE_URL", "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names
