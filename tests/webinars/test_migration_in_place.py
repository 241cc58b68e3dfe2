"""A database holding webinars from before the ``webinars`` app upgrades in place: every row is still
there, read through the new models, and what pointed at them (permissions, comments, the admin's
history, consultations, citations) still does."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.models import Comment
from consultations.models import Consultation
from policies.models import PolicyAnalysis, QuoteCitation
from tests.migration_moves import assert_moved_with_what_points_at_it, old_permission_granted, upgrade_with_old_rows
from webinars.models import Appearance, Quote, Speaker, Webinar

# The schema before the move: consultations held the models and policies cited consultations.Quote.
BEFORE = [
    ("consultations", "0005_response_holder_key"),
    ("policies", "0001_initial"),
    ("webinars", None),
    ("comments", "0007_comment_reason_rows"),
    ("moderation", None),
]
MOVED = ("webinar", "speaker", "appearance", "quote")


def populate(apps) -> dict[str, int]:
    """Rows in the old tables, written through the models as they were."""
    User = apps.get_model("auth", "User")
    LogEntry = apps.get_model("admin", "LogEntry")
    Topic = apps.get_model("policies", "Topic")
    Author = apps.get_model("policies", "Author")
    PolicyAnalysis = apps.get_model("policies", "PolicyAnalysis")
    QuoteCitation = apps.get_model("policies", "QuoteCitation")
    Speaker = apps.get_model("consultations", "Speaker")
    Webinar = apps.get_model("consultations", "Webinar")
    Appearance = apps.get_model("consultations", "Appearance")
    Quote = apps.get_model("consultations", "Quote")
    Consultation = apps.get_model("consultations", "Consultation")
    CommentPolicy = apps.get_model("comments", "CommentPolicy")
    PolicyVersion = apps.get_model("comments", "PolicyVersion")
    Comment = apps.get_model("comments", "Comment")

    now = timezone.now()
    editor = User.objects.create(username="old-editor", email="old.editor@example.org", is_staff=True)
    topic = Topic.objects.create(name="Research clusters", slug="old-research-clusters")
    speaker = Speaker.objects.create(name="Jessica Corner", honorific="Professor Dame", slug="old-jessica-corner")
    webinar = Webinar.objects.create(
        title="Clusters: Investing for Impact",
        slug="old-clusters-webinar",
        starts_at=now + timedelta(days=7),
        duration=timedelta(hours=1),
        ends_at=now + timedelta(days=7, hours=1),
        description="Experts on *place*.",
        description_html="<p>Experts on <em>place</em>.</p>",
    )
    webinar.topics.add(topic)
    appearance = Appearance.objects.create(webinar=webinar, speaker=speaker, role="keynote", order=1)
    quote = Quote.objects.create(speaker=speaker, webinar=webinar, text="A transformational way of working.")
    author = Author.objects.create(name="Emma Cattermole", slug="old-emma-cattermole")
    analysis = PolicyAnalysis.objects.create(
        title="Have the clusters been funded?",
        slug="old-clusters-analysis",
        standfirst="A look at the settlement.",
        body="[[quote:1]]",
        author=author,
        status="published",
        publish_at=now - timedelta(days=1),
    )
    citation = QuoteCitation.objects.create(analysis=analysis, quote=quote, position=1)
    consultation = Consultation.objects.create(
        title="Supporting research clusters",
        slug="old-clusters-consultation",
        summary="What should government do?",
        body="Tell us.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    consultation.webinars.add(webinar)

    webinar_type, change_webinar = old_permission_granted(
        apps, app_label="consultations", model="webinar", action="change", group="Old webinar team", user=editor
    )

    policy = CommentPolicy.objects.create()
    version = PolicyVersion.objects.create(policy=policy, number=1, text="Be kind.", effective_at=now)
    comment = Comment.objects.create(
        content_type=webinar_type,
        object_id=webinar.pk,
        author_name="Ada",
        author_email="ada@example.org",
        text="Will the slides be shared?",
        status="approved",
        policy_version=version,
    )
    log = LogEntry.objects.create(
        user=editor,
        content_type=webinar_type,
        object_id=str(webinar.pk),
        object_repr=webinar.title,
        action_flag=2,
        change_message="[]",
    )
    return {
        "speaker": speaker.pk,
        "webinar": webinar.pk,
        "appearance": appearance.pk,
        "quote": quote.pk,
        "citation": citation.pk,
        "consultation": consultation.pk,
        "comment": comment.pk,
        "log": log.pk,
        "content_type": webinar_type.pk,
        "permission": change_webinar.pk,
        "user": editor.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_upgrades_in_place_and_keeps_every_row():
    ids = upgrade_with_old_rows(BEFORE, populate)

    webinar = Webinar.objects.get(pk=ids["webinar"])
    speaker = Speaker.objects.get(pk=ids["speaker"])
    assert webinar.slug == "old-clusters-webinar"
    assert [t.slug for t in webinar.topics.all()] == ["old-research-clusters"]
    assert list(webinar.speakers.all()) == [speaker]
    appearance = Appearance.objects.get(pk=ids["appearance"])
    assert (appearance.webinar, appearance.speaker, appearance.role) == (webinar, speaker, "keynote")
    quote = Quote.objects.get(pk=ids["quote"])
    assert (quote.speaker, quote.webinar) == (speaker, webinar)
    citation = QuoteCitation.objects.get(pk=ids["citation"])
    assert citation.quote == quote
    assert list(PolicyAnalysis.objects.filter(citations__quote__webinar=webinar)) == [citation.analysis]
    assert list(Consultation.objects.get(pk=ids["consultation"]).webinars.all()) == [webinar]
    assert list(webinar.consultations.values_list("pk", flat=True)) == [ids["consultation"]]

    # The content types moved with the models: the same rows, now under the new label, with the permission, the
    # group and the user holding it.
    assert_moved_with_what_points_at_it(
        Webinar, from_label="consultations", moved=MOVED, ids=ids, action="change", group="Old webinar team"
    )
    webinar_type = ContentType.objects.get_for_model(Webinar)
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(content_type=webinar_type, codename="change_webinar").exists()

    comment = Comment.objects.get(pk=ids["comment"])
    assert comment.target == webinar
    assert list(Comment.objects.for_target(webinar).values_list("pk", flat=True)) == [ids["comment"]]
    assert LogEntry.objects.get(pk=ids["log"]).get_edited_object() == webinar
