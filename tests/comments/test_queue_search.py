"""The search box on every moderation queue: every word must match the text, the name or the address;
a whole address finds its author's comments; the page costs the same few queries whatever is typed."""

import re

import pytest
from django.db import connection
from django.utils.http import urlencode

from comments.models import Comment
from tests.factories import CommentFactory, FlagFactory
from tests.services import require_postgresql

pytestmark = pytest.mark.django_db
Status = Comment.Status
QUEUE_URLS = ["pendingcomment", "reportedcomment", "spamcomment", "approvedcomment", "rejectedcomment", "comment"]


@pytest.fixture
def comments(policy_version):
    return {
        "trial": CommentFactory(
            status=Status.PENDING,
            author_name="Ada Byron",
            author_email="ada@example.org",
            text="The screening trial needs more funding.",
        ),
        "funding": CommentFactory(
            status=Status.PENDING,
            author_name="Grace Hopper",
            author_email="grace@example.net",
            text="Funding for research clusters should last ten years.",
        ),
        "mentions": CommentFactory(
            status=Status.APPROVED,
            author_name="Alan Turing",
            author_email="alan@example.org",
            text="Write to ada@example.org about the trial.",
        ),
        "spam": CommentFactory(
            status=Status.SPAM, author_name="Buy Now", author_email="spam@example.com", text="Cheap funding!"
        ),
    }


def found(client, queue: str, term: str) -> set[int]:
    response = client.get(f"/admin/comments/{queue}/?{urlencode({'q': term})}")
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', response.content.decode())}


def ids(comments, *names: str) -> set[int]:
    return {comments[name].pk for name in names}


def test_it_finds_a_word_in_the_text_the_name_or_the_address(comments, client_for, moderator):
    client = client_for(moderator)

    assert found(client, "comment", "FUNDING") == ids(comments, "trial", "funding", "spam")
    assert found(client, "comment", "hopper") == ids(comments, "funding")
    assert found(client, "comment", "example.net") == ids(comments, "funding")
    assert found(client, "pendingcomment", "funding") == ids(comments, "trial", "funding")


def test_every_word_must_match_and_quotes_keep_a_phrase(comments, client_for, moderator):
    client = client_for(moderator)

    assert found(client, "comment", "funding trial") == ids(comments, "trial")
    assert found(client, "comment", '"research clusters"') == ids(comments, "funding")
    assert found(client, "comment", '"clusters research"') == set()


def test_a_whole_address_finds_its_authors_comments_and_the_comments_that_quote_it(comments, client_for, moderator):
    client = client_for(moderator)

    assert found(client, "comment", "Ada@Example.org") == ids(comments, "trial", "mentions")
    assert found(client, "approvedcomment", "ada@example.org") == ids(comments, "mentions")


@pytest.mark.parametrize("queue", QUEUE_URLS)
def test_a_search_costs_at_most_15_queries_on_every_queue(
    queue, comments, client_for, moderator, django_assert_max_num_queries
):
    client = client_for(moderator)
    client.get(f"/admin/comments/{queue}/")  # the session and permission caches, as a moderator has them

    for term in ("funding", "ada@example.org", "nothing-matches-this"):
        with django_assert_max_num_queries(15):
            response = client.get(f"/admin/comments/{queue}/?{urlencode({'q': term})}")
        assert response.status_code == 200


def test_the_reported_queue_searches_among_its_reported_comments(comments, client_for, moderator):
    FlagFactory(comment=comments["mentions"])
    client = client_for(moderator)

    assert found(client, "reportedcomment", "trial") == ids(comments, "mentions")
    assert found(client, "reportedcomment", "funding") == set()


def test_what_was_typed_is_shown_escaped(comments, client_for, moderator):
    html = client_for(moderator).get("/admin/comments/comment/?q=%3Cscript%3Ealert(1)%3C/script%3E").content
    assert b"<script>alert(1)</script>" not in html
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_on_postgresql_trigram_indexes_answer_the_search():
    require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'comments_comment' "
            "AND indexname LIKE 'comment_search_%%'"
        )
        indexes = dict(cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM comments_comment WHERE UPPER(text::text) LIKE UPPER(%s)", ["%screening%"]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert set(indexes) == {"comment_search_text", "comment_search_name", "comment_search_email"}
    assert all("gin_trgm_ops" in definition for definition in indexes.values())
    assert "comment_search_text" in plan
