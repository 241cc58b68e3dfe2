"""Comment threads, submitting and replying, reports, and the comment policy, through the API."""

import json

import pytest
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from comments.forms import seconds_since
from comments.models import Comment, Flag
from moderation.models import Ban
from notifications.models import Delivery
from tests.api.conftest import PERSONAS
from tests.comments.conftest import issued
from tests.factories import AnalysisFactory, CommentFactory, PolicyVersionFactory, WebinarFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def policy_version(db):
    return PolicyVersionFactory()


@pytest.fixture
def analysis(policy_version):
    return AnalysisFactory()


@pytest.fixture
def url(analysis):
    return f"/api/v1/analyses/{analysis.slug}/comments/"


@pytest.fixture
def no_rate_limit(settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0


def guest_comment(**changes) -> dict:
    body = {
        "name": "Ada Guest",
        "email": "ada@example.org",
        "text": "Research clusters need long-term funding.",
        "accept_policy": True,
        "issued": issued(),
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


# --- Reading threads -----------------------------------------------------------------------------


def test_threads_hold_published_comments_with_their_replies_in_order(api, analysis, url):
    first = CommentFactory(target=analysis, text="First <b>bold</b>")
    reply = CommentFactory(parent=first)
    second = CommentFactory(target=analysis)
    CommentFactory(target=analysis, status=Status.PENDING)
    CommentFactory(target=analysis, status=Status.SPAM)

    response = api.get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["pages"] == 1
    assert body["comment_count"] == 3
    assert body["accepts_comments"] is True
    assert [thread["id"] for thread in body["results"]] == [first.pk, second.pk]
    thread = body["results"][0]
    assert "First &lt;b&gt;bold&lt;/b&gt;" in thread["text_html"]
    assert "<b>" not in thread["text_html"]
    # The raw text is given as typed, for clients that escape and render it themselves.
    assert thread["text"] == "First <b>bold</b>"
    assert thread["state"] == "published"
    assert [(item["id"], item["parent"], item["depth"]) for item in thread["replies"]] == [(reply.pk, first.pk, 1)]


def test_threads_are_paginated_by_top_level_thread(api, analysis, url, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = [CommentFactory(target=analysis) for _ in range(3)]
    for root in roots:
        CommentFactory.create_batch(2, parent=root)

    first = api.get(url).json()
    last = api.get(url, {"page": 2}).json()

    assert [thread["id"] for thread in first["results"]] == [roots[0].pk, roots[1].pk]
    assert all(len(thread["replies"]) == 2 for thread in first["results"])
    assert first["next"] == f"http://testserver{url}?page=2"
    assert [thread["id"] for thread in last["results"]] == [roots[2].pk]
    assert last["previous"] == f"http://testserver{url}?page=1"
    assert api.get(url, {"page": 3}).status_code == 404
    assert api.get(url, {"page": "last"}).status_code == 400


def test_a_removed_comment_with_published_replies_leaves_an_empty_placeholder(api, analysis, url):
    removed = CommentFactory(target=analysis, status=Status.REMOVED, text="Something rude")
    CommentFactory(parent=removed)

    thread = api.get(url).json()["results"][0]

    assert thread["state"] == "removed"
    assert thread["author_name"] == thread["text_html"] == thread["text"] == ""
    assert len(thread["replies"]) == 1


def test_signed_in_readers_also_see_their_own_waiting_comment(api_as, analysis, url, stakeholder):
    own = CommentFactory(target=analysis, status=Status.PENDING, user=stakeholder)
    CommentFactory(target=analysis, status=Status.PENDING)

    mine = api_as("stakeholder").get(url).json()["results"]
    public = api_as("anonymous").get(url).json()["results"]

    assert [(thread["id"], thread["state"]) for thread in mine] == [(own.pk, "pending")]
    assert public == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_comments_on_a_draft_exist_for_editors_only(api_as, persona, policy_version):
    draft = AnalysisFactory(status="draft")

    response = api_as(persona).get(f"/api/v1/analyses/{draft.slug}/comments/")

    assert response.status_code == (200 if persona == "editor" else 404)


def test_webinars_have_threads_too(api, policy_version):
    webinar = WebinarFactory()
    comment = CommentFactory(target=webinar)

    body = api.get(f"/api/v1/webinars/{webinar.slug}/comments/").json()

    assert [thread["id"] for thread in body["results"]] == [comment.pk]


def test_a_page_of_threads_takes_the_same_queries_however_many_comments(
    api, analysis, url, django_assert_max_num_queries
):
    def fill(threads: int) -> None:
        for _ in range(threads):
            root = CommentFactory(target=analysis)
            CommentFactory.create_batch(4, parent=root)

    fill(2)
    with django_assert_max_num_queries(3) as few:
        api.get(url)
    fill(40)
    # the analysis, the totals, one page of whole threads
    with django_assert_max_num_queries(3) as many:
        response = api.get(url)

    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(response.json()["results"]) == 20


# --- Submitting ---------------------------------------------------------------------------------------


def test_a_guest_comment_awaits_email_confirmation(api, analysis, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, guest_comment(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "awaiting_confirmation"
    assert "emailed you a link" in body["message"]
    comment = Comment.objects.get()
    assert comment.status == Status.UNCONFIRMED
    assert comment.target == analysis
    assert comment.ip_hash
    assert response.headers["Location"] == f"/api/v1/comments/{comment.pk}/"
    assert Delivery.objects.filter(recipient="ada@example.org").exists()
    assert "ada@example.org" not in response.content.decode()


def test_a_signed_in_commenter_lands_in_the_moderation_queue(api_as, analysis, url, stakeholder):
    verified(stakeholder)

    response = api_as("stakeholder").post(url, guest_comment(name=None, email=None), format="json")

    assert response.status_code == 201
    assert response.json()["state"] == "pending"
    comment = Comment.objects.get()
    assert (comment.status, comment.user, comment.author_email) == (Status.PENDING, stakeholder, stakeholder.email)
    assert "new_commenter" in comment.reasons


def test_a_trusted_commenter_is_published_at_once(api_as, analysis, url, stakeholder, settings):
    settings.COMMENTS_APPROVED_TO_TRUST = 0
    settings.COMMENTS_MODERATION = "publish"
    verified(stakeholder)

    response = api_as("stakeholder").post(url, guest_comment(), format="json")

    assert response.json()["state"] == "published"
    assert response.json()["comment"]["state"] == "published"


@pytest.mark.usefixtures("no_rate_limit")
def test_a_reply_joins_its_parents_thread(api_as, analysis, url, stakeholder):
    verified(stakeholder)
    parent = CommentFactory(target=analysis)

    response = api_as("stakeholder").post(url, guest_comment(parent=parent.pk), format="json")

    assert response.status_code == 201
    reply = Comment.objects.get(pk=response.json()["comment"]["id"])
    assert (reply.parent, reply.root_id, reply.depth) == (parent, parent.pk, 1)


def test_a_reply_to_a_comment_that_is_not_published_is_refused(api, analysis, url):
    hidden = CommentFactory(target=analysis, status=Status.PENDING)

    response = api.post(url, guest_comment(parent=hidden.pk), format="json")

    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_spam_is_not_revealed_to_its_sender(api, analysis, url):
    response = api.post(url, guest_comment(issued=issued(seconds_ago=0)), format="json")

    assert response.status_code == 201
    assert response.json()["state"] == "pending"
    assert Comment.objects.get().status == Status.SPAM


def test_a_banned_address_is_told_its_comment_was_not_published_and_where_to_ask_for_a_review(api, analysis, url):
    Ban.objects.create(kind=Ban.Kind.EMAIL, value="ada@example.org", reason="Abuse")

    response = api.post(url, guest_comment(), format="json")

    body = response.json()
    assert body["state"] == "not_published"
    assert "not published" in body["message"] and "awaiting moderation" not in body["message"]
    comment = Comment.objects.get()
    assert comment.status == Status.REJECTED
    assert body["review_url"].startswith("http://testserver/comments/not-published/")


def test_a_published_comment_has_no_review_link(api, analysis, url):
    assert api.post(url, guest_comment(), format="json").json()["review_url"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accept_policy": False}, "accept_policy"),
        ({"accept_policy": None}, "accept_policy"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 6000}, "text"),
        ({"text": ["a", "list"]}, "text"),
        ({"text": "null\x00byte"}, "text"),
        ({"email": "not-an-address"}, "email"),
        ({"name": None}, "name"),
        ({"issued": None}, "issued"),
        ({"parent": "first"}, "parent"),
        ({"notify_replies": "maybe"}, "notify_replies"),
        ({"on_behalf": True}, "organisation"),
        ({"shoe_size": 9}, "shoe_size"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(api, url, changes, field):
    response = api.post(url, guest_comment(**changes), format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert field in body["errors"], body
    assert all(isinstance(message, str) for messages in body["errors"].values() for message in messages)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("payload", "content_type", "status", "code"),
    [
        ('{"text": "unfinished', "application/json", 400, "parse_error"),
        ("[1, 2, 3]", "application/json", 400, "invalid"),
        ('"just a string"', "application/json", 400, "invalid"),
        ("text=hello", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("\xff\xfe", "application/json", 400, "parse_error"),
        ("[" * 30_000 + "]" * 30_000, "application/json", 400, "parse_error"),
    ],
)
def test_unreadable_bodies_are_refused_in_the_error_shape(api, url, payload, content_type, status, code):
    response = api.generic("POST", url, payload.encode("latin-1"), content_type=content_type)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Comment.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(api, url):
    body = json.dumps(guest_comment(text="x" * 70_000))

    response = api.generic("POST", url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "too_large"


def test_a_closed_discussion_refuses_with_the_reason(api, policy_version):
    closed = AnalysisFactory(comments_open=False)

    response = api.post(f"/api/v1/analyses/{closed.slug}/comments/", guest_comment(), format="json")

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["detail"], body["errors"]) == ("conflict", "Comments are closed on this page.", {})
    assert not Comment.objects.exists()


def test_the_sites_rate_limit_holds(api, url, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 60
    assert api.post(url, guest_comment(), format="json").status_code == 201

    response = api.post(url, guest_comment(text="Another thought."), format="json")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    body = response.json()
    assert (body["code"], body["errors"]) == ("throttled", {})
    assert body["detail"] == "You commented a moment ago. Please wait 60 seconds between comments."
    assert Comment.objects.count() == 1


def test_a_session_user_must_send_the_csrf_token(url, stakeholder):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(stakeholder)

    response = client.post(url, guest_comment(), format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- Single comments and reports ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_comment_is_readable_by_all_and_a_waiting_one_by_its_author(api_as, persona, request):
    published = CommentFactory()
    user = request.getfixturevalue(persona) if persona != "anonymous" else None
    waiting = CommentFactory(status=Status.PENDING, user=user)

    client = api_as(persona)

    assert client.get(f"/api/v1/comments/{published.pk}/").json()["state"] == "published"
    assert client.get(f"/api/v1/comments/{waiting.pk}/").status_code == (200 if user else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_reporting_needs_an_account(api_as, persona):
    comment = CommentFactory()
    clause = comment.policy_version.clauses.first()

    response = api_as(persona).post(f"/api/v1/comments/{comment.pk}/report/", {"clause": clause.pk}, format="json")

    assert response.status_code == (401 if persona == "anonymous" else 201)
    assert Flag.objects.count() == (0 if persona == "anonymous" else 1)


def test_a_report_names_a_clause_of_the_policy_and_is_made_once(api_as, stakeholder):
    comment = CommentFactory()
    clause = comment.policy_version.clauses.last()
    client = api_as("stakeholder")
    url = f"/api/v1/comments/{comment.pk}/report/"

    missing = client.post(url, {"note": "Rude"}, format="json")
    unknown = client.post(url, {"clause": 999999}, format="json")
    made = client.post(url, {"clause": clause.pk, "note": "Rude"}, format="json")
    again = client.post(url, {"clause": clause.pk}, format="json")

    assert (missing.status_code, list(missing.json()["errors"])) == (400, ["clause"])
    assert (unknown.status_code, list(unknown.json()["errors"])) == (400, ["clause"])
    assert made.status_code == 201
    assert Flag.objects.get().clause == clause
    assert again.status_code == 409
    assert again.json() == {
        "detail": "You have already reported this comment. Thank you.",
        "code": "conflict",
        "errors": {},
    }
    assert Flag.objects.count() == 1


def test_only_published_comments_can_be_reported(api_as):
    pending = CommentFactory(status=Status.PENDING)

    response = api_as("stakeholder").post(f"/api/v1/comments/{pending.pk}/report/", {"clause": 1}, format="json")

    assert response.status_code == 404


# --- The policy -------------------------------------------------------------------------------------------


def test_the_policy_gives_its_clauses_and_an_issued_token_never_cached(api, policy_version):
    response = api.get("/api/v1/comment-policy/")

    body = response.json()
    assert body["version"] == policy_version.number
    assert [clause["number"] for clause in body["clauses"]] == [1, 2, 3]
    assert seconds_since(body["issued"]) < 5
    assert body["max_length"] == 5000
    assert "ETag" not in response.headers


def test_without_a_policy_comments_are_not_open(api):
    assert api.get("/api/v1/comment-policy/").status_code == 404


def test_the_schema_documents_the_raw_text_and_the_refusals(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    comment = schema["components"]["schemas"]["Comment"]
    assert "text" in comment["required"] and "not escaped" in comment["properties"]["text"]["description"]
    create = schema["paths"]["/api/v1/analyses/{slug}/comments/"]["post"]["responses"]
    report = schema["paths"]["/api/v1/comments/{id}/report/"]["post"]["responses"]
    decide = schema["paths"]["/api/v1/moderation/comments/{id}/decision/"]["post"]["responses"]
    for responses in (create, report, decide):
        assert responses["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in create["429"]["headers"]
    assert "closed" in create["409"]["description"]
