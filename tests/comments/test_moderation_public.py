"""What readers see of moderation: the policy team's badge and response status, at no extra query cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import decisions
from core.page_cache import forget_all_pages
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_official_replies_and_response_statuses_show_on_the_page(client, moderator, policy_version):
    comment = CommentFactory(text="Please fund clusters for ten years")
    decisions.comment_official_reply(parent=comment, staff=moderator, text="We make this case to the Treasury.")
    decisions.comment_response_set(comment=comment, status="reflected", moderator=moderator)
    html = client.get(comment.target.get_absolute_url()).content.decode()
    assert "We make this case to the Treasury." in html
    assert 'class="badge badge--official">Policy team<' in html
    assert "Policy team: Reflected in our response" in html
    assert "moderator@example.org" not in html


def test_the_marks_cost_no_extra_query(client, moderator, policy_version, django_assert_num_queries):
    comment = CommentFactory()
    url = comment.target.get_absolute_url()
    client.get(url)
    forget_all_pages()  # rendered, not served from the page cache
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for each in CommentFactory.create_batch(5, target=comment.target):
        decisions.comment_official_reply(parent=each, staff=moderator, text="Thank you.")
        decisions.comment_response_set(comment=each, status="noted", moderator=moderator)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)


def test_the_demo_gives_moderators_a_mixed_queue_once(client_for, moderator):
    from django.core.management import call_command

    from comments.demo import QUEUE
    from comments.models import Comment

    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    demo = Comment.objects.filter(author_email__in=[row[1] for row in QUEUE])
    assert demo.filter(status="pending").count() == 4
    assert demo.filter(status="spam").count() == 1
    html = client_for(moderator).get("/admin/comments/reportedcomment/").content.decode()
    assert "anyone who disagrees is an idiot" in html and "Name-calling." in html


def test_moderators_reach_the_team_reply_from_the_page_and_readers_do_not(client_for, moderator, stakeholder):
    comment = CommentFactory()
    url = comment.target.get_absolute_url()
    link = f"/admin/comments/comment/{comment.pk}/change/#respond-heading"
    assert link in client_for(moderator).get(url).content.decode()
    assert link not in client_for(stakeholder).get(url).content.decode()
    assert link not in client_for(None).get(url).content.decode()
