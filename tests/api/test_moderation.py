"""Staff moderation through the API: queues and decisions, with the permission matrix."""

import pytest

from comments.decisions import comment_claim
from comments.models import Comment
from moderation.models import ModerationEvent
from notifications.models import Delivery
from tests.api.conftest import PERSONAS
from tests.factories import CommentFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status
SEES_QUEUES = {"anonymous": 401, "stakeholder": 403, "editor": 403, "moderator": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_moderators_list_the_queues(api_as, persona):
    CommentFactory(status=Status.PENDING)

    response = api_as(persona).get("/api/v1/moderation/queues/")

    assert response.status_code == SEES_QUEUES[persona]
    if response.status_code == 200:
        counts = {queue["key"]: queue["count"] for queue in response.json()}
        assert counts["pending"] == 1
        assert response.json()[0]["url"] == "http://testserver/api/v1/moderation/queues/pending/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_moderators_read_a_queue(api_as, persona):
    response = api_as(persona).get("/api/v1/moderation/queues/pending/")

    assert response.status_code == SEES_QUEUES[persona]


def test_a_queue_shows_staff_what_the_admin_shows_them(api_as):
    first = CommentFactory(status=Status.PENDING, reasons=["new_commenter"], author_email="ada@example.org")
    second = CommentFactory(status=Status.PENDING)
    CommentFactory(status=Status.APPROVED)

    body = api_as("moderator").get("/api/v1/moderation/queues/pending/").json()

    assert [item["id"] for item in body["results"]] == [first.pk, second.pk]
    item = body["results"][0]
    assert item["author_email"] == "ada@example.org"
    assert item["reasons"] == ["The author has too few approved comments"]
    assert item["target"]["kind"] == "policyanalysis"
    assert "ip_hash" not in item


def test_the_reported_queue_lists_open_reports(api_as):
    flag = FlagFactory(note="Personal attack")

    body = api_as("moderator").get("/api/v1/moderation/queues/reported/").json()

    assert [item["id"] for item in body["results"]] == [flag.comment_id]
    assert body["results"][0]["open_reports"][0]["note"] == "Personal attack"


def test_a_queue_page_takes_a_constant_number_of_queries(api_as, django_assert_max_num_queries):
    client = api_as("moderator")
    for _ in range(3):
        FlagFactory(comment=CommentFactory(status=Status.PENDING, parent=CommentFactory()))
    client.get("/api/v1/moderation/queues/pending/")
    for _ in range(20):
        FlagFactory(comment=CommentFactory(status=Status.PENDING, parent=CommentFactory()))

    # token and user, permissions, count, page, flags with clauses, targets
    with django_assert_max_num_queries(9):
        response = client.get("/api/v1/moderation/queues/pending/", {"page_size": 50})

    assert len(response.json()["results"]) == 23


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_moderators_decide(api_as, persona):
    comment = CommentFactory(status=Status.PENDING)

    response = api_as(persona).post(
        f"/api/v1/moderation/comments/{comment.pk}/decision/",
        {"action": "approve", "seen_status": "pending"},
        format="json",
    )

    assert response.status_code == {"moderator": 200}.get(persona, SEES_QUEUES[persona])
    comment.refresh_from_db()
    assert comment.status == (Status.APPROVED if persona == "moderator" else Status.PENDING)


def test_approving_records_who_and_tells_the_commenter(api_as, moderator, django_capture_on_commit_callbacks):
    comment = CommentFactory(status=Status.PENDING, author_email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as("moderator").post(
            f"/api/v1/moderation/comments/{comment.pk}/decision/",
            {"action": "approve", "seen_status": "pending"},
            format="json",
        )

    assert response.json()["status"] == "approved"
    event = ModerationEvent.objects.filter(object_id=comment.pk, action="approve").get()
    assert event.actor == moderator
    assert Delivery.objects.filter(recipient="ada@example.org").exists()


def test_a_rejection_needs_a_clause_of_the_comments_policy(api_as):
    comment = CommentFactory(status=Status.PENDING)
    url = f"/api/v1/moderation/comments/{comment.pk}/decision/"
    client = api_as("moderator")

    without = client.post(url, {"action": "reject", "seen_status": "pending"}, format="json")
    clause = comment.policy_version.clauses.first()
    made = client.post(url, {"action": "reject", "seen_status": "pending", "clause": clause.pk}, format="json")

    assert without.status_code == 400
    assert "clause" in without.json()["errors"]
    assert made.status_code == 200
    assert ModerationEvent.objects.get(object_id=comment.pk, action="reject").clause == clause


def test_a_decision_on_a_stale_view_says_who_decided_first(api_as):
    comment = CommentFactory(status=Status.APPROVED)

    response = api_as("moderator").post(
        f"/api/v1/moderation/comments/{comment.pk}/decision/",
        {"action": "spam", "seen_status": "pending"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["detail"].startswith("This comment is now")
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED


def test_a_comment_another_moderator_claimed_is_refused(api_as):
    comment = CommentFactory(status=Status.PENDING)
    comment_claim(comment=comment, moderator=UserFactory(is_staff=True, groups=["Moderators"]))

    response = api_as("moderator").post(
        f"/api/v1/moderation/comments/{comment.pk}/decision/",
        {"action": "approve", "seen_status": "pending"},
        format="json",
    )

    assert response.status_code == 409
    assert "handling this comment" in response.json()["detail"]
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


@pytest.mark.parametrize(
    "body",
    [
        {"action": "delete-forever", "seen_status": "pending"},
        {"action": "approve"},
        {"action": "approve", "seen_status": "pending", "clause": "first"},
        {"action": "approve", "seen_status": "pending", "extra": True},
    ],
)
def test_bad_decisions_are_400s(api_as, body):
    comment = CommentFactory(status=Status.PENDING)

    response = api_as("moderator").post(f"/api/v1/moderation/comments/{comment.pk}/decision/", body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]


def test_deciding_on_a_missing_comment_is_404(api_as):
    response = api_as("moderator").post(
        "/api/v1/moderation/comments/999999/decision/", {"action": "approve", "seen_status": "pending"}, format="json"
    )

    assert response.status_code == 404
