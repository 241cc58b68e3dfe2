"""A database holding the comment policy, bans, terms, trust and the audit log from before the
``moderation`` app upgrades in place: every row is still there, read through the new models, and what
pointed at them (comments, reader reports, answers' audit rows, permissions, the admin's history) still does."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.models import Comment, Flag
from moderation.models import (
    Ban,
    BlockedTerm,
    CommentPolicy,
    ModerationEvent,
    PolicyClause,
    PolicyVersion,
    TrustedCommenter,
)
from moderation.selectors import ban_kind_for, blocked_terms, is_trusted
from tests.migration_moves import assert_moved_with_what_points_at_it, old_permission_granted, upgrade_with_old_rows

# The schema before the move: comments held the rules and the record.
BEFORE = [("comments", "0007_comment_reason_rows"), ("moderation", None)]
MOVED = ("commentpolicy", "policyversion", "policyclause", "ban", "blockedterm", "trustedcommenter", "moderationevent")


def populate(apps) -> dict[str, int]:
    """Rows in the old tables, written through the models as they were."""
    User = apps.get_model("auth", "User")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    Author = apps.get_model("policies", "Author")
    PolicyAnalysis = apps.get_model("policies", "PolicyAnalysis")
    CommentPolicy = apps.get_model("comments", "CommentPolicy")
    PolicyVersion = apps.get_model("comments", "PolicyVersion")
    PolicyClause = apps.get_model("comments", "PolicyClause")
    Comment = apps.get_model("comments", "Comment")
    Flag = apps.get_model("comments", "Flag")
    Ban = apps.get_model("comments", "Ban")
    BlockedTerm = apps.get_model("comments", "BlockedTerm")
    TrustedCommenter = apps.get_model("comments", "TrustedCommenter")
    ModerationEvent = apps.get_model("comments", "ModerationEvent")

    now = timezone.now()
    moderator = User.objects.create(username="old-moderator", email="old.moderator@example.org", is_staff=True)
    reader = User.objects.create(username="old-reader", email="old.reader@example.org")
    troll = User.objects.create(username="old-troll", email="old.troll@example.org")
    author = Author.objects.create(name="Emma Cattermole", slug="old-emma-cattermole")
    analysis = PolicyAnalysis.objects.create(
        title="Have the clusters been funded?",
        slug="old-clusters-analysis",
        standfirst="A look at the settlement.",
        body="Text.",
        author=author,
        status="published",
        publish_at=now - timedelta(days=1),
    )
    analysis_type, _ = ContentType.objects.get_or_create(app_label="policies", model="policyanalysis")

    policy = CommentPolicy.objects.create(title="Old comment policy")
    version = PolicyVersion.objects.create(
        policy=policy, number=1, text="Be kind.", text_html="<p>Be kind.</p>", effective_at=now - timedelta(days=9)
    )
    clause = PolicyClause.objects.create(version=version, number=1, title="Abusive", text="No abuse.")
    comment = Comment.objects.create(
        content_type=analysis_type,
        object_id=analysis.pk,
        author_name="Ada",
        author_email="ada@example.org",
        text="You are all idiots.",
        status="approved",
        policy_version=version,
        path="0000000001",
    )
    flag = Flag.objects.create(comment=comment, clause=clause, user=reader, note="Name-calling.")
    event = ModerationEvent.objects.create(
        content_type=ContentType.objects.get_or_create(app_label="comments", model="comment")[0],
        object_id=comment.pk,
        actor=moderator,
        action="remove",
        from_status="approved",
        to_status="removed",
        clause=clause,
        note="Abuse.",
        reasons=["suspect_term:idiots"],
    )
    email_ban = Ban.objects.create(kind="email", value="spam@example.org", reason="Spam wave", created_by=moderator)
    account_ban = Ban.objects.create(kind="account", user=troll, reason="Harassment", until=now + timedelta(days=30))
    term = BlockedTerm.objects.create(term="Miracle Cure", folded="miracle cure", action="hold")
    trusted = TrustedCommenter.objects.create(email="trustee@example.org", note="Our trustee")

    ban_type, add_ban = old_permission_granted(
        apps, app_label="comments", model="ban", action="add", group="Old ban team", user=moderator
    )
    log = LogEntry.objects.create(
        user=moderator,
        content_type=ban_type,
        object_id=str(email_ban.pk),
        object_repr="Email address: spam@example.org",
        action_flag=1,
        change_message="[]",
    )
    return {
        "policy": policy.pk,
        "version": version.pk,
        "clause": clause.pk,
        "comment": comment.pk,
        "flag": flag.pk,
        "event": event.pk,
        "email_ban": email_ban.pk,
        "account_ban": account_ban.pk,
        "troll": troll.pk,
        "term": term.pk,
        "trusted": trusted.pk,
        "content_type": ban_type.pk,
        "permission": add_ban.pk,
        "user": moderator.pk,
        "log": log.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_upgrades_in_place_and_keeps_every_row():
    ids = upgrade_with_old_rows(BEFORE, populate)

    # The policy, read through the new models, with what points at it.
    policy = CommentPolicy.objects.get(pk=ids["policy"])
    version = PolicyVersion.objects.get(pk=ids["version"])
    clause = PolicyClause.objects.get(pk=ids["clause"])
    assert (policy.title, version.policy, version.text_html) == ("Old comment policy", policy, "<p>Be kind.</p>")
    assert list(version.clauses.all()) == [clause]
    comment = Comment.objects.get(pk=ids["comment"])
    assert comment.policy_version == version
    assert list(version.comments.all()) == [comment]
    assert Flag.objects.get(pk=ids["flag"]).clause == clause

    # The audit log still names its subject and its clause.
    event = ModerationEvent.objects.get(pk=ids["event"])
    assert (event.subject, event.clause, event.actor_id) == (comment, clause, ids["user"])
    assert event.reasons == ["suspect_term:idiots"]

    # The rules still apply: the checks read the old rows.
    assert Ban.objects.count() == 2
    assert ban_kind_for(email="spam@example.org") == "email"
    troll = get_user_model().objects.get(pk=ids["troll"])
    assert ban_kind_for(email="new@example.org", user=troll) == "account"
    assert troll.comment_bans.get().pk == ids["account_ban"]
    assert blocked_terms() == {"miracle cure": BlockedTerm.Action.HOLD}
    assert BlockedTerm.objects.get(pk=ids["term"]).term == "Miracle Cure"
    assert is_trusted(email="trustee@example.org")
    assert TrustedCommenter.objects.get(pk=ids["trusted"]).note == "Our trustee"

    # The content types moved with the models: the same rows, now under the new label, with the permission, the
    # group and the user holding it.
    assert_moved_with_what_points_at_it(
        Ban, from_label="comments", moved=MOVED, ids=ids, action="add", group="Old ban team"
    )
    ban_type = ContentType.objects.get_for_model(Ban)
    moderators = Group.objects.get(name="Moderators")
    assert moderators.permissions.filter(content_type=ban_type, codename="add_ban").exists()
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="change_policyversion", content_type__app_label="moderation").exists()
    assert LogEntry.objects.get(pk=ids["log"]).get_edited_object() == Ban.objects.get(pk=ids["email_ban"])
