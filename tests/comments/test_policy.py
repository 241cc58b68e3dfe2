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


def test_without_a_policy_comments_are_refused_politely(db, form_data, post_url, sent_back):
    from tests.factories import AnalysisFactory

    analysis = AnalysisFactory()
    response = sent_back(post_url(analysis), form_data())
    assert "once the comment policy is published" in response.content.decode()


def test_editors_may_change_the_policy_and_moderators_the_bans(editor, moderator):
    assert editor.has_perm("moderation.add_policyversion")
    assert editor.has_perm("moderation.change_policyclause")
    assert not editor.has_perm("comments.change_comment")
    assert moderator.has_perm("comments.change_comment")
    assert moderator.has_perm("moderation.add_blockedterm")
    assert moderator.has_perm("moderation.add_ban")
    assert not moderator.has_perm("moderation.change_policyversion")


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


def _version_form(version, **changes) -> dict:
    data = {
        "policy": version.policy_id,
        "number": version.number,
        "effective_at_0": timezone.localtime(version.effective_at).strftime("%Y-%m-%d"),
        "effective_at_1": timezone.localtime(version.effective_at).strftime("%H:%M:%S"),
        "text": version.text,
        "clauses-TOTAL_FORMS": "0",
        "clauses-INITIAL_FORMS": "0",
        "clauses-MIN_NUM_FORMS": "0",
        "clauses-MAX_NUM_FORMS": "1000",
    }
    return {**data, **changes}


def test_a_version_in_force_cannot_be_edited_or_deleted_in_the_admin(client_for, editor, policy_version):
    client = client_for(editor)
    url = f"/admin/moderation/policyversion/{policy_version.pk}/change/"
    clauses_before = list(policy_version.clauses.values_list("number", "title", "text"))

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()
    assert "can no longer change: add a new version" in page.content.decode()

    client.post(url, _version_form(policy_version, text="Rewritten after people agreed to it."))
    policy_version.refresh_from_db()
    assert policy_version.text != "Rewritten after people agreed to it."
    assert list(policy_version.clauses.values_list("number", "title", "text")) == clauses_before
    delete_url = f"/admin/moderation/policyversion/{policy_version.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert type(policy_version).objects.filter(pk=policy_version.pk).exists()


def test_a_version_not_yet_in_force_can_still_be_corrected(client_for, editor):
    version = PolicyVersionFactory(number=2, effective_at=timezone.now() + timedelta(days=7))
    client = client_for(editor)
    url = f"/admin/moderation/policyversion/{version.pk}/change/"

    assert 'name="text"' in client.get(url).content.decode()
    response = client.post(url, _version_form(version, text="Corrected before it applies."))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.text == "Corrected before it applies."
