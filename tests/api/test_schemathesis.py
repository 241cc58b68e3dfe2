"""Schemathesis against the live schema, with every check: no server error, every response as
documented, every request the schema calls invalid refused and every one it calls valid accepted.

It runs the CLI against a live server on loopback holding the demo content, signed in as a
moderator so the staff operations are exercised too. What a schema cannot say (that a slug, a
clause or a question exists) is supplied to the valid requests by tests/api/schemathesis_hooks.py.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from accounts.roles import MODERATORS
from consultations.api.consultations import ResponseThrottle
from consultations.models import Consultation, Question, Response
from moderation.models import PolicyClause
from policies.models import Author
from tests.factories import UserFactory
from topics.models import Topic
from webinars.models import Speaker, Webinar

CHECKS = "all"


@pytest.fixture
def generous_limits(settings):
    rates = {"anon": "100000/minute", "user": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0


@pytest.fixture
def generous_response_limit(monkeypatch):
    monkeypatch.setattr(ResponseThrottle, "rate", "100000/hour")


def valid_response(detail: dict) -> dict:
    """A response answering every question a consultation asks of an individual, built from its detail as a
    client would: a section or question whose ``asked_when`` does not hold is not asked, so not answered."""
    given: dict = {"respondent_type": ["individual"]}

    def asked(condition: dict | None) -> bool:
        if condition is None:
            return True
        key = "respondent_type" if condition["depends_on"] == "respondent_type" else condition["question"]
        return bool(set(given.get(key, [])) & set(condition["values"]))

    answers = []
    for section in detail["sections"]:
        if not asked(section["asked_when"]):
            continue
        for question in section["questions"]:
            if not asked(question["asked_when"]):
                continue
            if question["kind"] == "text":
                answers.append({"question": question["id"], "text": "Fund the clinics."})
            else:
                choice = next(option["value"] for option in question["options"] if option["value"] != "other")
                answers.append({"question": question["id"], "selected": [choice]})
                given[question["id"]] = [choice]
    return {
        "email": "fuzzing-respondent@example.org",
        "name": "Fuzzing Respondent",
        "respondent_type": "individual",
        "tobacco_links": "no",
        "consent": "private",
        "answers": answers,
    }


def fuzzing_draft(user) -> dict:
    """A draft of the client's own, on an open consultation's question that takes files, with room for
    every file the fuzzer sends: uploads need an existing draft, which no schema can name."""
    question = Question.objects.filter(
        accepts_files=True, section__consultation__in=Consultation.objects.open()
    ).first()
    assert question is not None
    Consultation.objects.filter(pk=question.section.consultation_id).update(attachment_max_files=1000)
    draft = Response.objects.create(consultation_id=question.section.consultation_id, user=user)
    return {"id": draft.pk, "question": question.pk}


def known_values(client, user) -> dict:
    open_slugs = [consultation.slug for consultation in Consultation.objects.open()]
    return {
        "draft": fuzzing_draft(user),
        "open_consultations": open_slugs,
        "topics": sorted(Topic.objects.values_list("slug", flat=True)),
        "authors": sorted(Author.objects.values_list("slug", flat=True)),
        "speakers": sorted(Speaker.objects.values_list("slug", flat=True)),
        "webinars": sorted(Webinar.objects.values_list("slug", flat=True)),
        "clauses": sorted(PolicyClause.objects.values_list("pk", flat=True)),
        "responses": {slug: valid_response(client.get(f"/api/v1/consultations/{slug}/").json()) for slug in open_slugs},
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("generous_limits", "generous_response_limit")
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, client, tmp_path):
    call_command("load_demo_content", verbosity=0)
    moderator = UserFactory(username="fuzzing-moderator", is_staff=True, groups=[MODERATORS])
    token = Token.objects.create(user=moderator)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    known = tmp_path / "known.json"
    known.write_text(json.dumps(known_values(client, moderator)))
    environment = {
        **os.environ,
        "PYTHONPATH": str(settings.BASE_DIR),
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "API_FUZZ_KNOWN": str(known),
    }
    operations = sum(len(methods) for methods in schema["paths"].values())

    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        CHECKS,
        "--max-examples",
        "10",
        "--workers",
        "1",
        "--seed",
        "20261127",
        "--request-timeout",
        "20",
        "--header",
        f"Authorization: Token {token.key}",
    ]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False, env=environment
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    tested = re.search(r"Tested: (\d+)", output)
    assert tested and int(tested.group(1)) == operations, output[-3000:]
