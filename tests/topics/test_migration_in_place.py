"""A database holding topics from before the ``topics`` app upgrades in place: every topic is still
there, read through the new model, and what pointed at it (analyses, webinars, consultations and
subscribers filed under it, permissions, the admin's history) still does."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from consultations.models import Consultation
from notifications.models import Subscriber
from policies.models import PolicyAnalysis
from tests.migration_moves import assert_moved_with_what_points_at_it, old_permission_granted, upgrade_with_old_rows
from topics.models import Topic
from webinars.models import Webinar

# The schema before the move: policies held Topic, and there was no topics app. Rolling back to it
# also rolls back the other apps' migrations that point their fields at topics.Topic.
BEFORE = [("policies", "0002_quote_moves_to_webinars"), ("topics", None)]


def populate(apps) -> dict[str, int]:
    """Rows in the old tables, written through the models as they were."""
    User = apps.get_model("auth", "User")
    LogEntry = apps.get_model("admin", "LogEntry")
    Topic = apps.get_model("policies", "Topic")
    Author = apps.get_model("policies", "Author")
    PolicyAnalysis = apps.get_model("policies", "PolicyAnalysis")
    Webinar = apps.get_model("webinars", "Webinar")
    Consultation = apps.get_model("consultations", "Consultation")
    Subscriber = apps.get_model("notifications", "Subscriber")

    now = timezone.now()
    editor = User.objects.create(username="old-topic-editor", email="old.topic.editor@example.org", is_staff=True)
    topic = Topic.objects.create(
        name="Research clusters", slug="old-research-clusters", description="Places.", created_by=editor
    )
    other = Topic.objects.create(name="Screening", slug="old-screening")
    author = Author.objects.create(name="Emma Cattermole", slug="old-topic-author")
    analysis = PolicyAnalysis.objects.create(
        title="Have the clusters been funded?",
        slug="old-topic-analysis",
        standfirst="A look at the settlement.",
        body="Text.",
        author=author,
        status="published",
        publish_at=now - timedelta(days=1),
    )
    analysis.topics.add(topic, other)
    webinar = Webinar.objects.create(
        title="Clusters: Investing for Impact",
        slug="old-topic-webinar",
        starts_at=now + timedelta(days=7),
        duration=timedelta(hours=1),
        ends_at=now + timedelta(days=7, hours=1),
        description="Experts on place.",
    )
    webinar.topics.add(topic)
    consultation = Consultation.objects.create(
        title="Supporting research clusters",
        slug="old-topic-consultation",
        summary="What should government do?",
        body="Tell us.",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    consultation.topics.add(other)
    subscriber = Subscriber.objects.create(email="reader@example.org", confirmed_at=now)
    subscriber.topics.add(topic)

    topic_type, change_topic = old_permission_granted(
        apps, app_label="policies", model="topic", action="change", group="Old topic team", user=editor
    )
    log = LogEntry.objects.create(
        user=editor,
        content_type=topic_type,
        object_id=str(topic.pk),
        object_repr=topic.name,
        action_flag=2,
        change_message="[]",
    )
    return {
        "topic": topic.pk,
        "other": other.pk,
        "analysis": analysis.pk,
        "webinar": webinar.pk,
        "consultation": consultation.pk,
        "subscriber": subscriber.pk,
        "user": editor.pk,
        "content_type": topic_type.pk,
        "permission": change_topic.pk,
        "log": log.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_upgrades_in_place_and_keeps_every_row():
    ids = upgrade_with_old_rows(BEFORE, populate)

    topic = Topic.objects.get(pk=ids["topic"])
    other = Topic.objects.get(pk=ids["other"])
    assert (topic.name, topic.slug, topic.description) == ("Research clusters", "old-research-clusters", "Places.")
    assert topic.created_by_id == ids["user"]
    assert topic.get_absolute_url() == "/topics/old-research-clusters/"

    analysis = PolicyAnalysis.objects.get(pk=ids["analysis"])
    assert list(analysis.topics.order_by("pk")) == [topic, other]
    assert list(Webinar.objects.get(pk=ids["webinar"]).topics.all()) == [topic]
    assert list(Consultation.objects.get(pk=ids["consultation"]).topics.all()) == [other]
    assert list(Subscriber.objects.get(pk=ids["subscriber"]).topics.all()) == [topic]
    # And back from the topic, through each relation's reverse name.
    assert list(topic.analyses.values_list("pk", flat=True)) == [ids["analysis"]]
    assert list(topic.webinars.values_list("pk", flat=True)) == [ids["webinar"]]
    assert list(other.consultations.values_list("pk", flat=True)) == [ids["consultation"]]
    assert list(topic.subscribers.values_list("pk", flat=True)) == [ids["subscriber"]]
    assert list(Subscriber.objects.interested_in_analysis([topic.pk]).values_list("pk", flat=True)) == [
        ids["subscriber"]
    ]

    # The content type moved with the model: the same rows, now under the new label, with the permission, the
    # group and the user holding it.
    assert_moved_with_what_points_at_it(
        Topic, from_label="policies", moved=("topic",), ids=ids, action="change", group="Old topic team"
    )
    topic_type = ContentType.objects.get_for_model(Topic)
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(content_type=topic_type, codename="change_topic").exists()
    assert LogEntry.objects.get(pk=ids["log"]).get_edited_object() == topic
