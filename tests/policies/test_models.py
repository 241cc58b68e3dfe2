from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from policies.demo_images import atrium_picture
from policies.models import PolicyAnalysis
from tests.factories import AnalysisFactory, QuoteCitationFactory, QuoteFactory, ReportFactory

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_future_schedules():
    live = AnalysisFactory()
    AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)
    AnalysisFactory(status=PolicyAnalysis.Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=1))
    assert list(PolicyAnalysis.objects.published()) == [live]


def test_a_scheduled_analysis_appears_at_its_time_with_no_step():
    at = timezone.now() + timedelta(days=2)
    scheduled = AnalysisFactory(status=PolicyAnalysis.Status.SCHEDULED, publish_at=at)
    assert not PolicyAnalysis.objects.published().exists()
    with time_machine.travel(at + timedelta(seconds=1)):
        assert list(PolicyAnalysis.objects.published()) == [scheduled]
        assert PolicyAnalysis.objects.get(pk=scheduled.pk).is_published


def test_visible_to_shows_drafts_to_editors_only(editor, stakeholder):
    draft = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)
    assert draft in PolicyAnalysis.objects.visible_to(editor)
    assert draft not in PolicyAnalysis.objects.visible_to(stakeholder)


def test_body_is_rendered_and_sanitised():
    analysis = AnalysisFactory(
        body="Hello **world**\n\n<script>alert(1)</script>\n\n[link](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<strong>world</strong>" in analysis.body_html
    assert "<script" not in analysis.body_html
    assert "javascript:" not in analysis.body_html
    assert "onerror" not in analysis.body_html


def test_quote_markers_place_citations_and_unplaced_ones_follow():
    analysis = AnalysisFactory(body="First.\n\n[[quote:2]]\n\nSecond.")
    placed = QuoteCitationFactory(analysis=analysis, position=2)
    trailing = QuoteCitationFactory(analysis=analysis, position=1)
    blocks = analysis.body_blocks(list(analysis.citations.all()))
    assert [b.get("quote") for b in blocks] == [None, placed.quote, None, trailing.quote]
    assert "First." in blocks[0]["html"]


def test_a_marker_without_a_citation_renders_nothing():
    analysis = AnalysisFactory(body="Text.\n\n[[quote:9]]")
    assert analysis.body_blocks([]) == [{"html": "<p>Text.</p>\n"}]


def test_a_hero_image_needs_alt_text():
    picture = SimpleUploadedFile("hero.jpg", atrium_picture().read(), content_type="image/jpeg")
    analysis = AnalysisFactory.build(hero_image=picture, hero_alt=" ")
    with pytest.raises(ValidationError) as error:
        analysis.clean()
    assert "hero_alt" in error.value.message_dict


def test_a_scheduled_analysis_needs_a_future_time():
    analysis = AnalysisFactory.build(status=PolicyAnalysis.Status.SCHEDULED, publish_at=timezone.now())
    with pytest.raises(ValidationError):
        analysis.clean()


def test_a_report_needs_a_link_or_a_file():
    with pytest.raises(ValidationError):
        ReportFactory.build(url="").clean()
    assert ReportFactory.build(url="https://example.org/r").link == "https://example.org/r"


def test_comments_close_after_the_configured_days():
    analysis = AnalysisFactory(publish_at=timezone.now() - timedelta(days=10), close_comments_after_days=7)
    assert not analysis.accepts_comments
    analysis.close_comments_after_days = 30
    assert analysis.accepts_comments
    analysis.comments_open = False
    assert not analysis.accepts_comments


def test_speaker_affiliation_does_not_repeat_the_organisation():
    quote = QuoteFactory(speaker__role="Executive Chair of Research England", speaker__organisation="UKRI")
    assert quote.speaker.affiliation == "Executive Chair of Research England, UKRI"
    quote.speaker.role = "Chief Executive, UKRI"
    assert quote.speaker.affiliation == "Chief Executive, UKRI"
