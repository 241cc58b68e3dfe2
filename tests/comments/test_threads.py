"""Threads on the page: nesting, depth, pagination by thread, permalinks, placeholders, counts, queries."""

import re

import pytest
from django.test import Client

from comments.models import Comment
from comments.selectors import comment_section, thread_page_of
from comments.services import comment_insert
from tests.factories import AnalysisFactory, CommentFactory, PolicyVersionFactory

Status = Comment.Status


def anchors(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', html)]


def build_threads(analysis, threads: int, replies_per_thread: int) -> list[Comment]:
    """Threads of a root and a chain of replies, cycling through depths 1 to 3."""
    roots = []
    for _ in range(threads):
        root = CommentFactory(target=analysis)
        roots.append(root)
        parent = root
        for index in range(replies_per_thread):
            parent = CommentFactory(parent=root if index % 3 == 0 else parent)
    return roots


def test_a_reply_records_parent_root_depth_and_path(analysis):
    root = CommentFactory(target=analysis)
    reply = CommentFactory(parent=root)
    again = CommentFactory(parent=reply)
    assert (reply.root_id, reply.depth, reply.parent_id) == (root.pk, 1, root.pk)
    assert (again.root_id, again.depth) == (root.pk, 2)
    assert again.path == f"{root.pk:010d}/{reply.pk:010d}/{again.pk:010d}"
    assert root.root_id == root.pk


def test_replies_beyond_the_deepest_level_attach_to_the_deepest_allowed(analysis, form_data, post_url):
    level = CommentFactory(target=analysis)
    for _ in range(3):
        level = CommentFactory(parent=level)
    assert level.depth == 3
    response = Client().post(post_url(analysis), form_data(parent=level.pk))
    assert response.status_code == 302
    reply = Comment.objects.latest("pk")
    assert reply.depth == 3
    assert reply.parent_id == level.parent_id


def test_the_depth_is_configurable(analysis, settings, form_data, post_url):
    settings.COMMENTS_MAX_DEPTH = 1
    root = CommentFactory(target=analysis)
    child = CommentFactory(parent=root)
    Client().post(post_url(analysis), form_data(parent=child.pk))
    reply = Comment.objects.latest("pk")
    assert (reply.parent_id, reply.depth) == (root.pk, 1)


def test_the_page_nests_replies_in_lists_in_thread_order(analysis, client):
    first = CommentFactory(target=analysis)
    second = CommentFactory(target=analysis)
    reply = CommentFactory(parent=first)
    deeper = CommentFactory(parent=reply)
    sibling = CommentFactory(parent=first)
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert anchors(html) == [first.pk, reply.pk, deeper.pk, sibling.pk, second.pk]
    section = html[html.index('<ol class="comment-list"') :]
    assert section.count("<ol") == section.count("</ol>")
    assert section.count("<li") == section.count("</li>")


def test_threads_are_paginated_oldest_first(analysis, settings, client):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = build_threads(analysis, threads=5, replies_per_thread=3)
    first_page = anchors(client.get(analysis.get_absolute_url()).content.decode())
    third_page = anchors(client.get(analysis.get_absolute_url(), {"comments_page": 3}).content.decode())
    assert first_page[0] == roots[0].pk
    assert len(first_page) == 8
    assert third_page == [
        roots[4].pk,
        *Comment.objects.filter(root=roots[4]).exclude(pk=roots[4].pk).values_list("pk", flat=True).order_by("path"),
    ]


def test_threads_can_be_newest_first(analysis, settings, client):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    settings.COMMENTS_NEWEST_FIRST = True
    roots = build_threads(analysis, threads=3, replies_per_thread=1)
    page = anchors(client.get(analysis.get_absolute_url()).content.decode())
    assert page[0] == roots[2].pk
    assert page[2] == roots[1].pk


def test_a_page_number_out_of_range_shows_the_last_page(analysis, settings, client):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = build_threads(analysis, threads=3, replies_per_thread=0)
    assert anchors(client.get(analysis.get_absolute_url(), {"comments_page": "99"}).content.decode()) == [roots[2].pk]
    assert client.get(analysis.get_absolute_url(), {"comments_page": "x"}).status_code == 200


def test_a_permalink_lands_on_the_page_of_its_thread(analysis, settings, client):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = build_threads(analysis, threads=5, replies_per_thread=3)
    deep_reply = Comment.objects.filter(root=roots[4]).latest("path")
    response = client.get(deep_reply.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{analysis.get_absolute_url()}?comments_page=3#comment-{deep_reply.pk}"
    landing = client.get(response["Location"].split("#")[0])
    assert deep_reply.pk in anchors(landing.content.decode())


def test_a_permalink_on_the_first_page_has_no_page_number(analysis, client):
    comment = CommentFactory(target=analysis)
    assert client.get(comment.get_absolute_url())["Location"] == f"{analysis.get_absolute_url()}#comment-{comment.pk}"


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.SPAM, Status.UNCONFIRMED])
def test_a_permalink_to_a_comment_the_reader_may_not_see_is_not_found(analysis, client, status):
    comment = CommentFactory(target=analysis, status=status)
    assert client.get(comment.get_absolute_url()).status_code == 404


def test_a_removed_comment_with_visible_replies_leaves_a_placeholder(analysis, client):
    removed = CommentFactory(target=analysis, text="Something nasty", status=Status.REMOVED)
    reply = CommentFactory(parent=removed)
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert anchors(html) == [removed.pk, reply.pk]
    assert "This comment was removed." in html
    assert "Something nasty" not in html
    assert removed.author_name not in html


def test_a_removed_comment_without_visible_replies_disappears(analysis, client):
    removed = CommentFactory(target=analysis, status=Status.REMOVED)
    CommentFactory(parent=removed, status=Status.PENDING)
    kept = CommentFactory(target=analysis)
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert anchors(html) == [kept.pk]
    assert "This comment was removed." not in html


def test_a_hidden_middle_comment_keeps_the_nesting_of_what_follows(analysis):
    root = CommentFactory(target=analysis)
    middle = CommentFactory(parent=root, status=Status.REJECTED)
    leaf = CommentFactory(parent=middle)
    section = comment_section(target=analysis)
    assert [(c.pk, c.placeholder, c.opens_replies, len(c.closing_levels)) for c in section.comments] == [
        (root.pk, False, True, 0),
        (middle.pk, True, True, 0),
        (leaf.pk, False, False, 2),
    ]


def test_counts_count_what_the_public_sees(analysis, client):
    CommentFactory.create_batch(3, target=analysis)
    for status in (Status.PENDING, Status.UNCONFIRMED, Status.REJECTED, Status.SPAM, Status.REMOVED):
        CommentFactory(target=analysis, status=status)
    CommentFactory(target=AnalysisFactory())
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert '<a href="#comments">3 comments</a>' in html
    assert ">3 comments</h3>" in html


def test_one_comment_is_singular(analysis, client):
    CommentFactory(target=analysis)
    assert '<a href="#comments">1 comment</a>' in client.get(analysis.get_absolute_url()).content.decode()


def test_thread_page_of_counts_only_visible_threads(analysis, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 1
    CommentFactory(target=analysis, status=Status.SPAM)
    CommentFactory(target=analysis)
    last = CommentFactory(target=analysis)
    assert thread_page_of(comment=last) == 2


def big_discussion(analysis, threads: int, per_thread: int) -> None:
    """Comments made in bulk (with their paths), far faster than one factory call each."""
    version = PolicyVersionFactory()
    for thread in range(threads):
        root = comment_insert(
            comment=Comment(
                target=analysis,
                author_name="R",
                author_email="r@example.org",
                text=f"Thread {thread}",
                status=Status.APPROVED,
                policy_version=version,
            ),
            parent=None,
        )
        parents = [root]
        for index in range(per_thread - 1):
            parent = parents[index % len(parents)] if parents[index % len(parents)].depth < 3 else root
            reply = comment_insert(
                comment=Comment(
                    target=analysis,
                    author_name="S",
                    author_email="s@example.org",
                    text=f"Reply {index}\nwith https://example.org/{index}",
                    status=Status.APPROVED,
                    policy_version=version,
                ),
                parent=parent,
            )
            parents.append(reply)


@pytest.mark.parametrize(("threads", "per_thread"), [(2, 5), (400, 5)])
def test_the_page_costs_the_same_queries_at_any_size(
    analysis, client, django_assert_max_num_queries, threads, per_thread
):
    big_discussion(analysis, threads, per_thread)
    with django_assert_max_num_queries(10):
        response = client.get(analysis.get_absolute_url())
    assert response.status_code == 200
    assert f">{threads * per_thread} comments</h3>" in response.content.decode()
    assert len(anchors(response.content.decode())) == min(threads, 20) * per_thread


def test_the_page_costs_the_same_queries_for_a_signed_in_reader(
    analysis, client_for, stakeholder, django_assert_max_num_queries
):
    big_discussion(analysis, 400, 5)
    client = client_for(stakeholder)
    with django_assert_max_num_queries(10):
        assert client.get(analysis.get_absolute_url(), {"comments_page": 7}).status_code == 200


def test_a_page_stops_adding_threads_at_the_comment_budget(analysis, settings, client):
    settings.COMMENTS_PER_PAGE = 10
    roots = build_threads(analysis, threads=5, replies_per_thread=3)
    first = anchors(client.get(analysis.get_absolute_url()).content.decode())
    assert first[0] == roots[0].pk
    assert len(first) == 8
    third = anchors(client.get(analysis.get_absolute_url(), {"comments_page": 3}).content.decode())
    assert third[0] == roots[4].pk
    last = Comment.objects.filter(root=roots[4]).latest("path")
    assert client.get(last.get_absolute_url())["Location"].endswith(f"?comments_page=3#comment-{last.pk}")


def test_a_thread_larger_than_the_budget_still_shows_whole(analysis, settings, client):
    settings.COMMENTS_PER_PAGE = 3
    roots = build_threads(analysis, threads=2, replies_per_thread=5)
    assert len(anchors(client.get(analysis.get_absolute_url()).content.decode())) == 6
    assert anchors(client.get(analysis.get_absolute_url(), {"comments_page": 2}).content.decode())[0] == roots[1].pk
