"""Schemathesis hooks: what no schema can say, supplied to the requests it generates as valid.

The schema states every rule it can (required fields, enums, lengths, patterns, the rules across
fields as ``anyOf``), so ``positive_data_acceptance`` holds it to them. What remains is existence,
which depends on the data, not the shape: a topic, author, speaker or webinar slug in a filter or a
subscription, a policy clause's id, the comment replied to, and a consultation response's answers,
which must answer that consultation's own questions. For a positive case only, these hooks put
real values from the live server's demo content in those places  (read from the JSON file named by
``API_FUZZ_KNOWN``, written by tests/api/test_schemathesis.py); negative cases are left as drawn,
so the server must still refuse them. Which value is taken depends on the one drawn, so hypothesis
can still shrink a failure.
"""

import json
import os
from pathlib import Path
from typing import Any

import schemathesis

KNOWN: dict[str, Any] = json.loads(Path(os.environ["API_FUZZ_KNOWN"]).read_text())

# Query filters naming an object by slug, and the list of known slugs for each.
SLUG_FILTERS = {"topic": "topics", "author": "authors", "speaker": "speakers", "webinar": "webinars"}


def pick(known: list, drawn: Any) -> Any:
    return known[len(str(drawn)) % len(known)]


def is_positive(case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


@schemathesis.hook
def map_case(context, case):
    if not is_positive(case):
        return case
    path = case.operation.path
    if case.query:
        for name, kind in SLUG_FILTERS.items():
            if name in case.query:
                case.query[name] = pick(KNOWN[kind], case.query[name])
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return case
    if path == "/api/v1/subscriptions/" and body.get("topics"):
        body["topics"] = [pick(KNOWN["topics"], slug) for slug in body["topics"]]
    elif path in ("/api/v1/comments/{id}/report/", "/api/v1/moderation/comments/{id}/decision/"):
        if body.get("clause") is not None:
            body["clause"] = pick(KNOWN["clauses"], body["clause"])
    elif path.endswith("/{slug}/comments/"):
        # A reply names an approved comment on the same page; a new thread is as valid and always exists.
        body.pop("parent", None)
    elif path == "/api/v1/responses/" and "consultation" in body:
        body["consultation"] = pick(KNOWN["open_consultations"], body["consultation"])
    elif path == "/api/v1/consultations/{slug}/responses/":
        slug = (case.path_parameters or {}).get("slug")
        if slug in KNOWN["responses"]:
            case.body = KNOWN["responses"][slug]
    return case
