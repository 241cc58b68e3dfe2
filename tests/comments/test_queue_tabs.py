"""Each queue's tab shows how many comments wait in it and, for Pending and Reported, how long the
oldest has waited; the admin index lists each queue once. All of it costs one query."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import queues
from comments.models import Comment, Flag
from tests.factories import CommentFactory, FlagFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status
QUEUE_URLS = ["pendingcomment", "reportedcomment", "spamcomment", "approvedcomment", "rejectedcomment", "comment"]


def tab(html: str, key: str) -> str:
    match = re.search(rf'<li class="queue-{key}">(.*?)</li>', html, re.S)
    assert match, f"no tab for {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.fixture
def waiting(policy_version):
    """Three pending comments, the oldest two days old; two reported, the oldest report five hours old."""
    now = timezone.now()
    for hours in (48, 3, 1):
        comment = CommentFactory(status=Status.PENDING)
        Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(hours=hours))
    for hours in (5, 2):
        flag = FlagFactory(comment=CommentFactory(status=Status.APPROVED))
        Flag.objects.filter(pk=flag.pk).update(created_at=now - timedelta(hours=hours))
    CommentFactory(status=Status.SPAM)
    CommentFactory(status=Status.REJECTED)
    # A resolved report leaves no comment in the Reported queue.
    FlagFactory(comment=CommentFactory(status=Status.APPROVED), resolved_at=now)


@pytest.mark.parametrize("url", QUEUE_URLS)
def test_it_shows_every_queue_count_and_the_oldest_waiting_on_each_tab(url, waiting, client_for, moderator):
    html = client_for(moderator).get(f"/admin/comments/{url}/").content.decode()

    assert tab(html, "pending") == "Pending 3 comments oldest waiting 2 days"
    assert tab(html, "reported") == "Reported 2 comments oldest waiting 5 hours"
    assert tab(html, "spam") == "Spam 1 comments"
    assert tab(html, "approved") == "Approved 3 comments"
    assert tab(html, "rejected") == "Rejected 1 comments"
    assert tab(html, "all") == "All comments 8 comments"
    tabs = html[html.index('<nav class="moderation-tabs"') :].split("</nav>")[0]
    assert tabs.count('aria-current="page"') == 1


def test_it_counts_each_queue_up_to_the_cap(policy_version, settings, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    CommentFactory.create_batch(3, status=Status.PENDING)
    pending = queues.queue_counts()[0]
    assert (pending.count, pending.shown, pending.more) == (3, 2, True)


def test_it_counts_every_queue_in_one_query(waiting):
    with CaptureQueriesContext(connection) as queries:
        counts = queues.queue_counts()
    assert len(queries) == 1
    assert [(count.key, count.count) for count in counts] == [
        ("pending", 3),
        ("reported", 2),
        ("spam", 1),
        ("approved", 3),
        ("rejected", 1),
        ("all", 8),
    ]
    assert timezone.now() - counts[0].oldest_at > timedelta(hours=47)
    assert [count.oldest_at for count in counts[2:]] == [None] * 4


def test_it_has_nothing_waiting_when_there_are_no_comments(db):
    assert [(count.count, count.oldest_at) for count in queues.queue_counts()] == [(0, None)] * 6


def test_the_admin_index_lists_each_queue_once_with_its_count(waiting, client_for, moderator):
    html = client_for(moderator).get("/admin/").content.decode()

    for url in QUEUE_URLS:
        assert html.count(f'href="/admin/comments/{url}/"') == 1, url
    assert "Reader reports" in html  # The rest of the comments app is still listed.
    pending_row = html[html.index('class="queue-pending"') :].split("</tr>")[0]
    assert "<strong>3</strong>" in pending_row and "oldest waiting 2\xa0days" in pending_row


def test_the_admin_index_still_lists_everything_for_those_who_do_not_moderate(client_for, editor, db):
    html = client_for(editor).get("/admin/").content.decode()
    assert "Moderation queues" not in html
    assert 'href="/admin/policies/policyanalysis/"' in html


@pytest.mark.parametrize("size", [2, 30])
def test_the_admin_index_costs_a_constant_number_of_queries(
    size, client_for, moderator, policy_version, django_assert_max_num_queries
):
    CommentFactory.create_batch(size, status=Status.PENDING)
    client = client_for(moderator)
    client.get("/admin/")
    with django_assert_max_num_queries(6):
        assert client.get("/admin/").status_code == 200
