"""Reader reports: one per person per comment, a clause each; enough reporters requeue the comment."""

import pytest
from allauth.account.models import EmailAddress

from comments.models import Comment, Flag
from comments.services import CommentRefused, comment_report
from notifications.models import Delivery
from tests.factories import CommentFactory, UserFactory

Status = Comment.Status


@pytest.fixture
def comment(analysis):
    return CommentFactory(target=analysis)


def report_url(comment) -> str:
    return f"/comments/{comment.pk}/report/"


def test_every_published_comment_has_a_report_link(comment, client):
    html = client.get(comment.target.get_absolute_url()).content.decode()
    assert f'href="{report_url(comment)}"' in html


def test_a_guest_is_told_reporting_needs_an_account_and_offered_both_ways_back_to_the_form(comment, client):
    for method in (client.get, client.post):
        response = method(report_url(comment))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Reporting a comment needs an account" in html
        assert f'href="/accounts/login/?next=/comments/{comment.pk}/report/"' in html
        assert f'href="/accounts/signup/?next=/comments/{comment.pk}/report/"' in html
        assert '<form method="post"' not in html.split("<main")[1]
    assert not Flag.objects.exists()


def test_signing_in_from_there_comes_back_to_the_report_form(comment, client, stakeholder):
    stakeholder.set_password("a long password for tests")
    stakeholder.save()
    EmailAddress.objects.create(user=stakeholder, email=stakeholder.email, verified=True, primary=True)
    login = f"/accounts/login/?next=/comments/{comment.pk}/report/"
    response = client.post(login, {"login": stakeholder.email, "password": "a long password for tests"})
    assert response.status_code == 302
    assert response["Location"] == report_url(comment)
    assert "Which rule does it break?" in client.get(response["Location"]).content.decode()


def test_the_report_form_asks_for_a_clause_of_the_policy_the_comment_accepted(comment, client_for, stakeholder):
    html = client_for(stakeholder).get(report_url(comment)).content.decode()
    for clause in comment.policy_version.clauses.all():
        assert clause.title in html
    assert html.count("<h1") == 1


def test_a_report_records_the_clause_and_note(comment, client_for, stakeholder, clause):
    response = client_for(stakeholder).post(report_url(comment), {"clause": clause.pk, "note": "Rude about nurses"})
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert (flag.user, flag.clause, flag.note) == (stakeholder, clause, "Rude about nurses")


def test_a_report_without_a_clause_is_an_error(comment, client_for, stakeholder):
    response = client_for(stakeholder).post(report_url(comment), {"note": "Bad"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_clause_0">Select the rule the comment breaks</a>' in html
    assert html.index("data-error-summary") < html.index("<h1")
    assert "Select the rule the comment breaks" in html.split('id="id_clause_error"')[1]
    assert "Bad" in response.content.decode()
    assert not Flag.objects.exists()


def test_one_report_per_person_per_comment(comment, client_for, stakeholder, clause):
    client = client_for(stakeholder)
    client.post(report_url(comment), {"clause": clause.pk})
    response = client.post(report_url(comment), {"clause": clause.pk}, follow=True)
    assert "already reported" in response.content.decode()
    assert Flag.objects.count() == 1


@pytest.mark.parametrize("status", [Status.PENDING, Status.REMOVED, Status.SPAM])
def test_only_published_comments_can_be_reported(analysis, client_for, stakeholder, status):
    comment = CommentFactory(target=analysis, status=status)
    assert client_for(stakeholder).get(report_url(comment)).status_code == 404


def test_three_reporters_send_the_comment_back_to_the_queue_hidden(comment, clause, moderator):
    for user in UserFactory.create_batch(2):
        comment_report(comment=comment, user=user, clause=clause)
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    comment_report(comment=comment, user=UserFactory(), clause=clause)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert "reported" in comment.reasons
    assert Delivery.objects.filter(kind="comment_moderator_alert", recipient=moderator.email).exists()


def test_reported_comments_can_stay_visible_for_review(comment, clause, settings, client):
    settings.COMMENTS_HIDE_REPORTED = False
    for user in UserFactory.create_batch(3):
        comment_report(comment=comment, user=user, clause=clause)
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert list(Comment.objects.reported(threshold=3)) == [comment]
    assert f'id="comment-{comment.pk}"' in client.get(comment.target.get_absolute_url()).content.decode()


def test_the_threshold_is_configurable(comment, clause, settings):
    settings.COMMENTS_REPORTS_TO_REQUEUE = 1
    comment_report(comment=comment, user=UserFactory(), clause=clause)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_a_hidden_comment_cannot_be_reported_again(comment, clause, settings):
    settings.COMMENTS_REPORTS_TO_REQUEUE = 1
    comment_report(comment=comment, user=UserFactory(), clause=clause)
    with pytest.raises(CommentRefused):
        comment_report(comment=comment, user=UserFactory(), clause=clause)
