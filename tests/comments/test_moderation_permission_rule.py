"""One permission rule for moderation: active, staff, and the model permission, in the admin, the staff
pages and the API alike. A user left in Moderators after losing staff status reads and decides nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.roles import EDITORS, MODERATORS
from comments.admin.queues import QueueAdmin
from comments.models import Comment, PendingComment
from comments.permissions import CanModerate, CanSeeComments, can_moderate, can_see_comments
from policies.models import PolicyAnalysis
from tests.factories import AnalysisFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


PEOPLE = {
    "moderator_without_staff": {"is_staff": False, "groups": [MODERATORS]},
    "inactive_moderator": {"is_staff": True, "is_active": False, "groups": [MODERATORS]},
    "staff_without_permission": {"is_staff": True, "groups": [EDITORS]},
    "moderator": {"is_staff": True, "groups": [MODERATORS]},
    "superuser": {"is_staff": True, "is_superuser": True},
}
ALLOWED = {"moderator", "superuser"}


def person(name: str):
    return UserFactory(username=name, **PEOPLE[name])


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize("name", PEOPLE)
def test_it_gives_the_same_answer_in_the_admin_the_api_and_the_rule(name):
    user = person(name)
    request = RequestFactory().get("/")
    request.user = user
    queue_admin = QueueAdmin(PendingComment, None)

    allowed = name in ALLOWED
    assert can_moderate(user) is allowed
    assert can_see_comments(user) is allowed
    assert CanModerate().has_permission(request, None) is allowed
    assert CanSeeComments().has_permission(request, None) is allowed
    assert queue_admin.has_change_permission(request) is allowed
    assert queue_admin.has_view_permission(request) is allowed


def test_it_refuses_anonymous_visitors():
    assert not can_moderate(AnonymousUser())
    assert not can_see_comments(AnonymousUser())


@pytest.mark.parametrize("name", PEOPLE)
@pytest.mark.parametrize("path", ["/api/v1/moderation/queues/", "/api/v1/moderation/queues/pending/"])
def test_only_active_staff_moderators_read_the_queues_through_the_api(name, path):
    CommentFactory(status=Status.PENDING, author_email="author@example.org")

    response = token_client(person(name)).get(path)

    if name in ALLOWED:
        assert response.status_code == 200
    else:
        # An inactive user's token is refused outright (401); the others are signed in and refused (403).
        assert response.status_code in (401, 403)
        assert b"author@example.org" not in response.content


@pytest.mark.parametrize("name", PEOPLE)
def test_only_active_staff_moderators_decide_through_the_api(name):
    comment = CommentFactory(status=Status.PENDING)

    response = token_client(person(name)).post(
        f"/api/v1/moderation/comments/{comment.pk}/decision/",
        {"action": "approve", "seen_status": "pending"},
        format="json",
    )

    comment.refresh_from_db()
    if name in ALLOWED:
        assert response.status_code == 200
        assert comment.status == Status.APPROVED
    else:
        assert response.status_code in (401, 403)
        assert comment.status == Status.PENDING


def test_a_moderator_without_staff_status_signed_in_by_session_reads_nothing(client):
    """The attack as reported: still in Moderators, staff status removed, signed in on the site."""
    comment = CommentFactory(status=Status.PENDING, author_email="author@example.org")
    client.force_login(person("moderator_without_staff"))

    queue = client.get("/api/v1/moderation/queues/pending/")
    decision = client.post(
        f"/api/v1/moderation/comments/{comment.pk}/decision/",
        {"action": "approve", "seen_status": "pending"},
        content_type="application/json",
    )

    assert queue.status_code == 403
    assert b"author@example.org" not in queue.content
    assert decision.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


STAFF_PAGES = [
    "/admin/comments/pendingcomment/{pk}/change/",
    "/admin/comments/comment/{pk}/change/",
    "/admin/moderation/moderationevent/export.csv",
    "/admin/comments/comment/figures/",
]


@pytest.mark.parametrize("name", PEOPLE)
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_only_active_staff_moderators_open_the_staff_pages(client, name, path, policy_version):
    comment = CommentFactory(status=Status.PENDING, author_email="author@example.org")
    client.force_login(person(name))

    response = client.get(path.format(pk=comment.pk))

    if name in ALLOWED:
        assert response.status_code == 200
    elif name == "staff_without_permission":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("name", PEOPLE)
def test_only_active_staff_moderators_decide_on_the_staff_page(client, name, policy_version):
    comment = CommentFactory(status=Status.PENDING)
    client.force_login(person(name))

    client.post(
        f"/admin/comments/pendingcomment/{comment.pk}/change/",
        {"op": "decide", "action": "approve", "seen_status": "pending"},
    )

    comment.refresh_from_db()
    assert (comment.status == Status.APPROVED) is (name in ALLOWED)


@pytest.mark.parametrize(("groups", "is_staff", "status"), [([EDITORS], False, 404), ([EDITORS], True, 200)])
def test_drafts_in_the_api_need_staff_status_as_well_as_the_permission(groups, is_staff, status):
    draft = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)
    user = UserFactory(is_staff=is_staff, groups=groups)

    response = token_client(user).get(f"/api/v1/analyses/{draft.slug}/")

    assert response.status_code == status
