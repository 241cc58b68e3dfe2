"""Versions of an analysis: every save keeps one, editors compare two and restore one, and readers see
"Updated" only when the body of a published analysis changed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from reversion.models import Version

from policies.models import AnalysisUpdate, PolicyAnalysis
from policies.services import analysis_restore, analysis_save
from tests.factories import AnalysisFactory, QuoteCitationFactory, TopicFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/policies/policyanalysis"


def admin_form(analysis: PolicyAnalysis, **changes) -> dict:
    local = timezone.localtime(analysis.publish_at)
    form = {
        "section": analysis.section,
        "title": analysis.title,
        "slug": analysis.slug,
        "author": analysis.author_id,
        "kind": analysis.kind,
        "standfirst": analysis.standfirst,
        "body": analysis.body,
        "topics": [topic.pk for topic in analysis.topics.all()],
        "status": analysis.status,
        "publish_at_0": local.strftime("%Y-%m-%d"),
        "publish_at_1": local.strftime("%H:%M:%S"),
        "comments_open": "on",
        "change_note": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    form.update(changes)
    return form


def versions_of(analysis: PolicyAnalysis) -> list[Version]:
    return list(Version.objects.get_for_object(analysis).select_related("revision__user"))


def test_an_admin_save_keeps_a_version_with_who_when_and_the_topics(client_for, editor):
    analysis = AnalysisFactory(body="First words.")
    topic = TopicFactory(name="Research clusters")

    response = client_for(editor).post(
        f"{ADMIN}/{analysis.pk}/change/", admin_form(analysis, body="Second words.", topics=[topic.pk])
    )

    assert response.status_code == 302
    [version] = versions_of(analysis)
    assert version.revision.user == editor
    assert version.field_dict["body"] == "Second words."
    assert version.field_dict["topics"] == [topic.pk]
    assert version.revision.date_created is not None


def test_a_service_save_keeps_a_version_with_the_cited_quotes(editor):
    analysis = AnalysisFactory()
    QuoteCitationFactory(analysis=analysis, position=1)

    analysis.title = "Retitled"
    analysis_save(analysis=analysis, user=editor, topics=[TopicFactory()])

    [version] = versions_of(analysis)
    assert version.revision.user == editor and version.field_dict["title"] == "Retitled"
    assert version.revision.version_set.count() == 2  # the analysis and its citation


def test_restoring_in_the_admin_brings_the_old_version_back_as_a_new_one(client_for, editor):
    analysis = AnalysisFactory(body="The original wording.")
    client = client_for(editor)
    client.post(f"{ADMIN}/{analysis.pk}/change/", admin_form(analysis))
    analysis.refresh_from_db()
    client.post(f"{ADMIN}/{analysis.pk}/change/", admin_form(analysis, body="A rewrite.", title="New title"))
    original = versions_of(analysis)[-1]

    review = client.get(f"{ADMIN}/{analysis.pk}/history/{original.pk}/")
    assert review.status_code == 200 and b"The original wording." in review.content
    analysis.refresh_from_db()
    assert analysis.body == "A rewrite."  # looking at an old version changes nothing

    restored = client.post(
        f"{ADMIN}/{analysis.pk}/history/{original.pk}/",
        admin_form(analysis, body="The original wording.", title=analysis.title, change_note="Back to the original."),
    )

    assert restored.status_code == 302
    analysis.refresh_from_db()
    assert analysis.body == "The original wording." and "original wording" in analysis.body_html
    assert len(versions_of(analysis)) == 3
    # The analysis was published: each change of the body readers had is an update (the rewrite had no note).
    assert list(analysis.updates.values_list("note", flat=True)) == ["Back to the original.", ""]


def test_restoring_through_the_service_round_trips_fields_topics_and_quotes(editor):
    first_topic, second_topic = TopicFactory(), TopicFactory()
    analysis = AnalysisFactory(title="Original", body="Original body.")
    citation = QuoteCitationFactory(analysis=analysis, position=1)
    analysis_save(analysis=analysis, user=editor, topics=[first_topic])
    original = versions_of(analysis)[0]

    analysis.title, analysis.body = "Changed", "Changed body."
    citation.delete()
    analysis_save(analysis=analysis, user=editor, topics=[second_topic], change_note="Rewritten.")

    restored = analysis_restore(analysis=analysis, version=original, user=editor)

    assert (restored.title, restored.body) == ("Original", "Original body.")
    assert "Original body." in restored.body_html
    assert list(restored.topics.all()) == [first_topic]
    assert list(restored.citations.values_list("quote_id", flat=True)) == [citation.quote_id]
    versions = versions_of(analysis)
    assert len(versions) == 3 and versions[0].revision.comment.startswith("Restored the version of")
    assert versions[0].revision.user == editor


def test_updated_shows_only_after_the_body_of_a_published_analysis_changed(client, editor):
    draft = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT, body="Draft one.")
    draft.body = "Draft two."
    analysis_save(analysis=draft, user=editor)
    assert not AnalysisUpdate.objects.exists()  # a draft's edits are not updates

    scheduled = AnalysisFactory(
        status=PolicyAnalysis.Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=2), body="Soon."
    )
    scheduled.body = "Soon, reworded."
    analysis_save(analysis=scheduled, user=editor)
    assert not AnalysisUpdate.objects.exists()

    analysis = AnalysisFactory(body="Published words.")
    analysis.title = "Only the title changed"
    analysis_save(analysis=analysis, user=editor)
    page = client.get(analysis.get_absolute_url()).content.decode()
    assert "Updated" not in page and 'id="updates"' not in page

    analysis.body = "Published words, corrected."
    analysis_save(analysis=analysis, user=editor, change_note="Corrected the figure for 2024.")
    page = client.get(analysis.get_absolute_url()).content.decode()
    today = timezone.localdate().strftime("%-d %B %Y")
    assert '<a href="#updates">Updated <time datetime="' in page and f">{today}</time></a>" in page
    assert "Corrected the figure for 2024." in page


def test_the_first_publication_of_a_draft_is_no_update(editor):
    analysis = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT, body="Draft.")
    analysis.status, analysis.body = PolicyAnalysis.Status.PUBLISHED, "Final words."
    analysis_save(analysis=analysis, user=editor)
    assert not analysis.updates.exists()


def test_the_comparison_shows_a_word_diff_with_html_escaped(client_for, editor):
    analysis = AnalysisFactory(body="Clusters need <b>talent</b>.")
    analysis_save(analysis=analysis, user=editor)
    analysis.body = 'Clusters need <script>alert("x")</script> housing.'
    analysis_save(analysis=analysis, user=editor)
    newer, older = versions_of(analysis)

    response = client_for(editor).get(f"{ADMIN}/{analysis.pk}/history/compare/?older={older.pk}&newer={newer.pk}")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html and "<b>talent" not in html
    assert '<ins><span class="visually-hidden">[added: </span>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' in html
    assert '<del><span class="visually-hidden">[removed: </span>&lt;b&gt;talent&lt;/b&gt;.</span>' not in html
    assert "&lt;b&gt;talent&lt;/b&gt;." in html
    assert f"/admin/policies/policyanalysis/{analysis.pk}/history/{older.pk}/" in html  # review and restore


@pytest.mark.parametrize("query", ["older=abc&newer=1", "", "older=1&newer=1"])
def test_a_comparison_of_unknown_versions_says_so(client_for, editor, query):
    analysis = AnalysisFactory()
    analysis_save(analysis=analysis, user=editor)

    response = client_for(editor).get(f"{ADMIN}/{analysis.pk}/history/compare/?{query}")

    assert response.status_code == 400
    assert b"errornote" in response.content


def test_the_history_lists_versions_with_links_to_compare(client_for, editor):
    analysis = AnalysisFactory()
    for title in ("One", "Two", "Three"):
        analysis.title = title
        analysis_save(analysis=analysis, user=editor)

    html = client_for(editor).get(f"{ADMIN}/{analysis.pk}/history/").content.decode()

    assert html.count("with the version before") == 2
    assert 'name="older"' in html and 'name="newer"' in html


def test_the_history_of_an_analysis_saved_before_versions_were_kept_opens(client_for, editor):
    analysis = AnalysisFactory()  # saved without a revision, as analyses were before versions were kept

    response = client_for(editor).get(f"{ADMIN}/{analysis.pk}/history/")

    assert response.status_code == 200
    assert 'name="older"' not in response.content.decode()


@pytest.mark.parametrize(
    "persona, status", [("editor", 200), ("superuser", 200), ("moderator", 403), ("stakeholder", 302)]
)
def test_history_and_comparison_are_for_editors(client_for, request, persona, status, editor):
    analysis = AnalysisFactory()
    analysis_save(analysis=analysis, user=editor)
    analysis.body = "Changed."
    analysis_save(analysis=analysis, user=editor)
    newer, older = versions_of(analysis)
    client = client_for(request.getfixturevalue(persona))

    for path in ("history/", f"history/compare/?older={older.pk}&newer={newer.pk}", f"history/{older.pk}/"):
        assert client.get(f"{ADMIN}/{analysis.pk}/{path}").status_code == status, path


def test_a_comparison_costs_the_same_queries_with_many_topics(client_for, editor, django_assert_max_num_queries):
    analysis = AnalysisFactory()
    analysis_save(analysis=analysis, user=editor, topics=TopicFactory.create_batch(1))
    analysis_save(analysis=analysis, user=editor, topics=TopicFactory.create_batch(30))
    newer, older = versions_of(analysis)
    client = client_for(editor)
    url = f"{ADMIN}/{analysis.pk}/history/compare/?older={older.pk}&newer={newer.pk}"
    client.get(url)

    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
