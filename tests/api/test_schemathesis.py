"""Schemathesis against the live schema: every operation, generated inputs, no server error and
no response that breaks the schema.

It runs the CLI against a live server on loopback holding the demo content, signed in as a
moderator so the staff operations are exercised too. ``positive_data_acceptance`` is left out:
it expects any input the schema allows to succeed, but some rules cannot be written in a schema
(a guest needs a name, the policy box must be ticked, a topic slug must exist).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from accounts.roles import MODERATORS
from tests.factories import UserFactory

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "unsupported_method",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
    ]
)


@pytest.fixture
def generous_limits(settings):
    rates = {"anon": "100000/minute", "user": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0


# serialized_rollback puts back the groups and content types the migrations made, and leaves the
# flush after the test without recreating them, as the other serialized tests expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("generous_limits")
def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, client, tmp_path):
    call_command("load_demo_content", verbosity=0)
    moderator = UserFactory(username="fuzzing-moderator", is_staff=True, groups=[MODERATORS])
    token = Token.objects.create(user=moderator)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
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
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    tested = re.search(r"Tested: (\d+)", output)
    assert tested and int(tested.group(1)) == operations, output[-3000:]
