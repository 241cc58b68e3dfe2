"""The queue's reason filter reads indexed (code, comment) rows, kept beside each comment's reasons."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import services
from comments.models import Comment, CommentReason
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


def codes_of(comment: Comment) -> set[str]:
    return set(CommentReason.objects.filter(comment=comment).values_list("code", flat=True))


def test_it_writes_one_row_per_code_without_the_detail(policy_version):
    comment = CommentFactory(
        status=Status.PENDING, reasons=["suspect_term:cure", "new_commenter", "suspect_term:miracle"]
    )
    assert codes_of(comment) == {"suspect_term", "new_commenter"}


def test_a_comment_without_reasons_has_no_rows(policy_version):
    assert codes_of(CommentFactory()) == set()


def test_the_pipeline_writes_rows_for_a_submitted_comment(analysis, settings, no_rate_limit):
    settings.COMMENTS_MODERATION = "publish"
    comment = services.comment_submit(
        target=analysis,
        text="Ring 07700 900123, see https://a.example https://b.example https://c.example https://d.example",
        author_name="Ada",
        author_email="ada@example.org",
        seconds_to_write=60,
    )
    assert codes_of(comment) == {services.pipeline.reason_code(reason) for reason in comment.reasons}
    assert "personal_data_phone" in codes_of(comment)


def test_an_edit_replaces_the_rows(analysis, settings):
    settings.COMMENTS_MODERATION = "publish"
    author = UserFactory(email="author@example.org")
    comment = CommentFactory(target=analysis, user=author, author_email=author.email, reasons=["too_many_links"])
    services.comment_edit(comment=comment, user=author, text="Call me on 07700 900123")
    assert codes_of(comment) == {"personal_data_phone"}


def test_a_requeue_by_reports_adds_the_reported_row(analysis, clause, settings):
    settings.COMMENTS_REPORTS_TO_REQUEUE = 1
    settings.COMMENTS_HIDE_REPORTED = True
    comment = CommentFactory(target=analysis)
    services.comment_report(comment=comment, user=UserFactory(), clause=clause)
    assert codes_of(comment) == {"reported"}


def test_the_filter_matches_a_code_with_or_without_detail(client_for, moderator, policy_version):
    CommentFactory(status=Status.PENDING, reasons=["suspect_term:cure"], text="Detailed reason")
    CommentFactory(status=Status.PENDING, reasons=["new_commenter", "suspect_term"], text="Bare reason")
    CommentFactory(status=Status.PENDING, reasons=["new_commenter"], text="Other reason")
    CommentFactory(status=Status.APPROVED, reasons=["suspect_term:cure"], text="Already published")
    client = client_for(moderator)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/admin/comments/pendingcomment/", {"reason": "suspect_term"}).content.decode()
    assert "Detailed reason" in html and "Bare reason" in html
    assert "Other reason" not in html and "Already published" not in html
    statements = [query["sql"] for query in queries.captured_queries]
    assert any('"comments_commentreason"' in sql and '"code" = ' in sql for sql in statements)
    assert not any('"reasons"' in sql and "LIKE" in sql.upper() for sql in statements)


def test_an_unknown_reason_leaves_the_queue_unfiltered(client_for, moderator, policy_version):
    CommentFactory(status=Status.PENDING, reasons=["new_commenter"], text="Still listed")
    html = client_for(moderator).get("/admin/comments/pendingcomment/", {"reason": "nonsense"}).content.decode()
    assert "Still listed" in html


def test_the_migration_backfills_rows_for_existing_comments(policy_version):
    comment = CommentFactory(status=Status.PENDING, reasons=["suspect_term:cure", "too_many_links"])
    CommentFactory(status=Status.APPROVED)
    CommentReason.objects.all().delete()
    migration = importlib.import_module("comments.migrations.0007_comment_reason_rows")
    migration.write_reason_rows(apps, None)
    assert set(CommentReason.objects.values_list("comment_id", "code")) == {
        (comment.pk, "suspect_term"),
        (comment.pk, "too_many_links"),
    }
