"""Attack the running site with hostile input and count what gets through.

python -m bench.hostile_inputs [pages to crawl per persona] [payloads per form]

Runs the site as in production (DEBUG off, gunicorn, behind a TLS proxy that it plays itself),
loads the demo content, then, as an anonymous visitor, a signed-in stakeholder and a superuser:
crawls the site's own links from the home page (and the admin's, for the superuser), submits every
form it finds with each hostile payload in every text field, sends the same payloads as path
segments and query values, and posts wrong-shaped JSON to every API write. Each request comes from
its own client address (X-Forwarded-For from the trusted proxy), so per-address limits do not hide
what lies behind them. Uses DATABASE_URL if set (a database of its own: it is migrated and filled),
otherwise a throw-away SQLite file; REDIS_URL if set. Prints one JSON line: requests by status
class, every 5xx, and every response that reflected a payload's markup unescaped.
"""

import itertools
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from bench.api_latency import free_port, start_gunicorn, stop
from bench.harness import emit, setup_django

ROOT = Path(__file__).resolve().parent.parent
MARK = "zq7x"  # in every payload with markup, so a reflection is found by a search
PAYLOADS = [
    f"<script>{MARK}()</script>",
    f'"><img src=x onerror={MARK}>',
    f"'><svg onload={MARK}>",
    f"javascript:{MARK}()",
    "\x00",
    "a\x00b",
    "%00",
    "../../../../etc/passwd",
    "' OR '1'='1' --",
    "1; DROP TABLE comments_comment; --",
    "{{ request.META }}{% debug %}",
    "${7*7}",
    "\u202e\u200b\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "A" * 10_000,
    '""@x',
    "a@b",
    "\r\nBcc: victim@example.org",
    "-1",
    "99999999999999999999999",
    "",
    " ",
    "[]",
    '{"a": 1}',
]
JSON_BODIES = [[1, 2], {"a": 1}, "x", None, 7, {"text": ["a"]}, {"text": {"a": 1}}, {"email": [1]}, {"key": None}]
SKIP_PATHS = ("/accounts/logout/", "/admin/logout/", "/static/", "/media/", "/account/api-token/revoke/")


class Page(HTMLParser):
    """The links and forms of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "form":
            self._form = {"action": values.get("action", ""), "method": values.get("method", "get").lower()}
            self._form["fields"] = []
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and values.get("name"):
            kind = values.get("type", "text") if tag == "input" else tag
            self._form["fields"].append((values["name"], kind, values.get("value", "")))
            self._select = values["name"] if tag == "select" else None
        elif self._form is not None and tag == "option" and self._select:
            self._form["fields"].append((self._select, "option", values.get("value", "")))
            self._select = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def form_data(fields: list[tuple[str, str, str]], payload: str) -> dict[str, str | list[str]]:
    """Every text field holds the payload; boxes are ticked, the first choice taken, hidden values kept."""
    data: dict[str, str | list[str]] = {}
    for name, kind, value in fields:
        if kind in ("hidden", "submit") or name == "csrfmiddlewaretoken":
            data.setdefault(name, value)
        elif kind in ("checkbox", "radio", "option"):
            data.setdefault(name, value or "on")
        elif kind not in ("file", "button", "image", "reset"):
            data[name] = payload
    return data


class Attacker:
    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.addresses = itertools.count(1)
        self.statuses: Counter[str] = Counter()
        self.errors: list[str] = []
        self.reflections: list[str] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response | None:
        number = next(self.addresses)
        headers = {
            # The proxy's own headers: the client's address and the scheme it spoke.
            "X-Forwarded-For": f"198.18.{number // 256 % 256}.{number % 256}",
            "X-Forwarded-Proto": "https",
            "Origin": self.base.replace("http://", "https://"),
            "Referer": self.base.replace("http://", "https://") + "/",
        }
        if self.cookies:
            # Cookies are Secure in production; the proxy would carry them over TLS.
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        headers |= kwargs.pop("headers", {})
        try:
            response = requests.request(
                method, self.base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
            )
        except requests.RequestException as error:
            self.errors.append(f"{method} {path[:120]}: {error.__class__.__name__}")
            return None
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value or ""
        self.statuses[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            self.errors.append(f"{method} {path[:120]} -> {response.status_code}")
        content_type = response.headers.get("Content-Type", "")
        if "html" in content_type and re.search(rf"<(script|img|svg)[^>]*{MARK}", response.text):
            self.reflections.append(f"{method} {path[:120]}")
        return response

    def sign_in(self, email: str, password: str) -> None:
        page = Page()
        page.feed(self.request("GET", "/accounts/login/").text)
        form = next(form for form in page.forms if form["method"] == "post")
        data = form_data(form["fields"], "") | {"login": email, "password": password}
        response = self.request("POST", "/accounts/login/", data=data)
        assert response is not None and response.status_code == 302, "could not sign in"

    def crawl(self, start: list[str], limit: int, payloads: list[str]) -> None:
        seen: set[str] = set()
        queue = list(start)
        while queue and len(seen) < limit:
            path = queue.pop(0)
            if path in seen or path.startswith(SKIP_PATHS):
                continue
            seen.add(path)
            response = self.request("GET", path)
            if response is None or "html" not in response.headers.get("Content-Type", ""):
                continue
            page = Page()
            page.feed(response.text)
            for link in page.links:
                target = urlsplit(urljoin(self.base + path, link))
                local = target.scheme in ("http", "https") and target.netloc == urlsplit(self.base).netloc
                if local and target.path not in seen:
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
            for form in page.forms:
                self.submit(path, form, payloads)

    def submit(self, path: str, form: dict, payloads: list[str]) -> None:
        action = urlsplit(urljoin(self.base + path, form["action"] or path)).path
        if action.startswith(SKIP_PATHS) or action.endswith("/delete/"):
            return
        for payload in payloads:
            data = form_data(form["fields"], payload)
            if form["method"] == "post":
                self.request("POST", action, data=data)
            else:
                self.request("GET", action, params=data)

    def probe_paths(self, templates: list[str], payloads: list[str]) -> None:
        for template, payload in itertools.product(templates, payloads):
            value = requests.utils.quote(payload[:300], safe="")
            self.request("GET", template.replace("{}", value))

    def probe_api_writes(self, paths: list[str]) -> None:
        for path, body in itertools.product(paths, JSON_BODIES):
            self.request("POST", path, data=json.dumps(body), headers={"Content-Type": "application/json"})


def prepare(env: dict[str, str]) -> dict[str, str]:
    os.environ.update(env)
    setup_django()
    from allauth.account.models import EmailAddress
    from django.core.management import call_command

    from consultations.models import Consultation
    from policies.models import PolicyAnalysis
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    people = {}
    for name, extra in (("stakeholder", {}), ("superuser", {"is_staff": True, "is_superuser": True})):
        user = UserFactory(username=f"bench-{name}-{time.time_ns()}", **extra)
        user.set_password("a long bench password 2026")
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        people[name] = user.email
    people["analysis"] = PolicyAnalysis.objects.published().first().slug
    people["consultation"] = Consultation.objects.first().slug
    return people


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    payload_count = int(sys.argv[2]) if len(sys.argv) > 2 else len(PAYLOADS)
    payloads = PAYLOADS[:payload_count]
    workdir = Path(tempfile.mkdtemp(prefix="hostile-"))
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "true",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": f"filemail://{workdir / 'mail'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "API_THROTTLE_ANON": "100000/minute",
        "API_THROTTLE_USER": "100000/minute",
        "LOG_LEVEL": "ERROR",
    }
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    people = prepare(env)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    port = free_port()
    server = start_gunicorn(os.environ | env, port)
    started = time.perf_counter()
    attacker = Attacker(f"http://127.0.0.1:{port}")
    try:
        attacker.crawl(["/"], pages, payloads)
        attacker.probe_paths(
            [
                "/responses/{}/",
                "/late-responses/{}/",
                "/notifications/confirm/{}/",
                "/notifications/preferences/{}/",
                "/notifications/unsubscribe/{}/",
                "/comments/confirm/{}/",
                "/comments/replies/stop/{}/",
                "/analyses/{}/",
                "/api/v1/analyses/{}/",
                "/api/v1/analyses/?topic={}",
                "/api/v1/comments/?page={}",
                "/api/v1/analyses/?page_size={}",
                "/analyses/?page={}",
                f"/analyses/{people['analysis']}/?comments={{}}",
            ],
            payloads,
        )
        attacker.probe_api_writes(
            [
                f"/api/v1/analyses/{people['analysis']}/comments/",
                "/api/v1/subscriptions/",
                "/api/v1/comments/1/report/",
                "/api/v1/moderation/comments/1/decision/",
            ]
        )
        attacker.sign_in(people["stakeholder"], "a long bench password 2026")
        attacker.crawl(["/", "/account/", f"/consultations/{people['consultation']}/respond/"], pages, payloads)
        attacker.cookies.clear()
        attacker.sign_in(people["superuser"], "a long bench password 2026")
        attacker.crawl(["/admin/"], pages, payloads[:6])
        attacker.probe_paths([f"{path}?status__exact={{}}" for path in admin_lists()], payloads[:8])
    finally:
        stop(server)
    emit(
        {
            "benchmark": "hostile_inputs",
            "requests": sum(attacker.statuses.values()),
            "by_status": dict(sorted(attacker.statuses.items())),
            "server_errors": attacker.errors,
            "unescaped_reflections": attacker.reflections,
            "payloads": len(payloads),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )


def admin_lists() -> list[str]:
    from django.contrib import admin
    from django.urls import reverse

    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model, model_admin in admin.site._registry.items()
        if model_admin.list_filter
    ]


if __name__ == "__main__":
    main()
