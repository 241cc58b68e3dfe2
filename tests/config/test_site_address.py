"""The site's own address in its pages follows where it runs: `make run PORT=8011` links to :8011.

Canonical links, Open Graph tags and robots.txt use SITE_URL; unset, SITE_URL is built from the
HOST and PORT that `make run` serves on, never from a request's Host header.
"""

import os
import subprocess

import pytest

from config.env import local_site_url
from tests.config.test_settings import ROOT, run_manage
from tests.factories import AnalysisFactory

PRINT_SITE_URL = ["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SITE_URL)"]


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8011"}, "http://127.0.0.1:8011"),
        ({"HOST": "localhost", "PORT": "8011"}, "http://localhost:8011"),
        ({"HOST": "0.0.0.0", "PORT": "8011"}, "http://127.0.0.1:8011"),  # noqa: S104 - every interface
        ({"PORT": "8011", "SITE_URL": "https://consult.example.org/"}, "https://consult.example.org"),
    ],
)
def test_it_defaults_site_url_to_the_host_and_port_served_on(env, site_url):
    result = run_manage(*PRINT_SITE_URL, **{"HOST": "", "PORT": "", "SITE_URL": "", **env})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == site_url


def test_it_brackets_an_ipv6_host():
    assert local_site_url("::1", 8011) == "http://[::1]:8011"


def test_it_refuses_a_port_that_is_not_a_number():
    result = run_manage("check", PORT="eighty")

    assert result.returncode != 0
    assert "PORT must be a whole number" in result.stderr


def test_make_run_hands_host_and_port_to_the_server_it_starts():
    # Run as from a shell: not inheriting the variables of a `make test` this test may run under.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "HOST", "PORT"}}
    dry_run = subprocess.run(
        ["make", "-n", "-o", "install", "run", "PORT=8011", "HOST=localhost"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout

    assert "HOST=localhost PORT=8011 .venv/bin/python manage.py runserver localhost:8011" in dry_run


@pytest.mark.django_db
def test_canonical_open_graph_and_robots_links_say_the_port(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8011"
    analysis = AnalysisFactory()

    page = client.get(analysis.get_absolute_url()).content.decode()
    listing = client.get("/analyses/").content.decode()
    robots = client.get("/robots.txt").content.decode()

    url = f"http://127.0.0.1:8011{analysis.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<link rel="canonical" href="http://127.0.0.1:8011/analyses/">' in listing
    assert "Sitemap: http://127.0.0.1:8011/sitemap.xml" in robots
    assert ":8000" not in page + listing + robots
