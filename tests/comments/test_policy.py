"""The comment policy page, its versions and clauses."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.factories import PolicyVersionFactory


def test_the_policy_is_published_with_numbered_clauses(policy_version):
    response = Client().get("/comment-policy/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Be kind and stay on topic." in html
    assert '<li id="clause-1" value="1"><strong>Abusive or discriminatory.</strong>' in html
    assert html.count("<h1") == 1


def test_the_newest_version_in_force_is_shown_and_older_ones_are_kept(policy_version):
    newer = PolicyVersionFactory(
        policy=policy_version.policy,
        number=policy_version.number + 1,
        text="Version two words.",
        effective_at=timezone.now() - timedelta(days=1),
    )
    PolicyVersionFactory(
        policy=policy_version.policy,
        number=policy_version.number + 2,
        text="Future words.",
        effective_at=timezone.now() + timedelta(days=1),
    )
    html = Client().get("/comment-policy/").content.decode()
    assert "Version two words." in html
    assert "Future words." not in html
    assert f'href="/comment-policy/version-{policy_version.number}/"' in html
    old = Client().get(f"/comment-policy/version-{policy_version.number}/").content.decode()
    assert "This is an earlier version." in old
    assert "Be kind and stay on topic." in old
    assert newer.text not in old


def test_a_future_or_unknown_version_is_not_found(policy_version):
    future = PolicyVersionFactory(policy=policy_version.policy, effective_at=timezone.now() + timedelta(days=1))
    assert Client().get(f"/comment-policy/version-{future.number}/").status_code == 404
    assert Client().get("/comment-policy/version-99/").status_code == 404


def test_without_a_policy_there_is_no_page(db):
    assert Client().get("/comment-policy/").status_code == 404


def test_without_a_policy_comments_are_refused_politely(db, form_data, post_url):
    from tests.factories import AnalysisFactory

    analysis = AnalysisFactory()
    response = Client().post(post_url(analysis), form_data())
    assert response.status_code == 400
    assert "once the comment policy is published" in response.content.decode()


def test_editors_may_change_the_policy_and_moderators_the_bans(editor, moderator):
    assert editor.has_perm("comments.add_policyversion")
    assert editor.has_perm("comments.change_policyclause")
    assert not editor.has_perm("comments.change_comment")
    assert moderator.has_perm("comments.change_comment")
    assert moderator.has_perm("comments.add_blockedterm")
    assert moderator.has_perm("comments.add_ban")
    assert not moderator.has_perm("comments.change_policyversion")


def test_the_demo_content_has_a_policy_and_a_discussion(db):
    from django.core.management import call_command

    from comments.models import Comment
    from policies.demo import SEED_SLUG

    call_command("load_demo_content", verbosity=0)
    loaded = Comment.objects.count()
    call_command("load_demo_content", verbosity=0)
    assert Comment.objects.count() == loaded
    assert Comment.objects.filter(author_email="helen.marsh@example.org").count() == 2
    html = Client().get(f"/analyses/{SEED_SLUG}/").content.decode()
    assert "Exactly, and the same is true for technicians" in html
    assert "This comment was removed." in html
    assert "on behalf of Northern Health Science Alliance" in html
    assert "Medical advice or misinformation" in Client().get("/comment-policy/").content.decode()
