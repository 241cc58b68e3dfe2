"""An analysis's "Looking back on our webinar": the webinar, its speakers and what each said there,
and the recording, a link that becomes a player only when the reader asks."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AnalysisFactory,
    AppearanceFactory,
    QuoteFactory,
    SpeakerFactory,
    TopicFactory,
    WebinarFactory,
)
from webinars.recordings import recording_player

pytestmark = pytest.mark.django_db

VIDEO = "https://www.youtube.com/watch?v=abcdefghijk"


def past_webinar(**kwargs):
    return WebinarFactory(starts_at=timezone.now() - timedelta(days=30), **kwargs)


def featured(speakers: int = 2, quotes_each: int = 1, recording_url: str = VIDEO):
    webinar = past_webinar(title="Clusters: Investing for Impact", recording_url=recording_url)
    for order in range(speakers):
        speaker = SpeakerFactory(role=f"Role {order}", organisation=f"Organisation {order}")
        AppearanceFactory(webinar=webinar, speaker=speaker, order=order)
        QuoteFactory.create_batch(quotes_each, webinar=webinar, speaker=speaker)
    return AnalysisFactory(featured_webinar=webinar), webinar


def test_it_shows_the_webinar_its_speakers_what_they_said_and_the_recording(client):
    analysis, webinar = featured(speakers=2, quotes_each=2)
    QuoteFactory(speaker=webinar.appearances.first().speaker, text="Said at another webinar.")

    response = client.get(analysis.get_absolute_url())

    html = response.content.decode()
    assert "Looking back on our webinar" in html
    assert f'<a href="{webinar.get_absolute_url()}">Clusters: Investing for Impact</a>' in html
    for appearance in webinar.appearances.all():
        assert f'href="{appearance.speaker.get_absolute_url()}"' in html
        assert appearance.speaker.affiliation in html
    for quote in webinar.quotes.all():
        assert quote.text in html
    assert "Said at another webinar." not in html
    assert f'href="{VIDEO}"' in html
    assert "Play the recording (loads YouTube)" in html


def test_without_javascript_the_recording_is_a_plain_link_and_nothing_loads_from_youtube(client):
    analysis, _ = featured()

    html = client.get(analysis.get_absolute_url()).content.decode()

    # The button is hidden until the script shows it; no element loads anything from YouTube: the
    # player's address waits in a data attribute for the script.
    assert '<button type="button" class="recording__play" hidden>' in html
    assert "<iframe" not in html
    assert not re.search(r'\ssrc="[^"]*youtube', html)
    assert 'data-recording-src="https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1&amp;rel=0"' in html
    assert f'<a href="{VIDEO}">Watch the recording of “Clusters: Investing for Impact” on YouTube</a>' in html


def test_only_the_page_with_a_player_allows_its_frame(client):
    analysis, _ = featured()
    plain = AnalysisFactory()

    with_player = client.get(analysis.get_absolute_url())["Content-Security-Policy"]
    without = client.get(plain.get_absolute_url())["Content-Security-Policy"]

    assert "frame-src https://www.youtube-nocookie.com" in with_player
    assert "frame-src" not in without
    assert "frame-ancestors 'none'" in with_player


def test_a_recording_that_is_no_video_stays_a_link(client):
    analysis, _ = featured(recording_url="https://www.youtube.com/@CancerResearchUK")

    response = client.get(analysis.get_absolute_url())

    assert b'href="https://www.youtube.com/@CancerResearchUK"' in response.content
    assert b"Play the recording" not in response.content
    assert "frame-src" not in response["Content-Security-Policy"]


def test_an_analysis_without_a_webinar_has_no_block(client):
    response = client.get(AnalysisFactory().get_absolute_url())
    assert b"Looking back on our webinar" not in response.content


def test_the_block_escapes_what_editors_typed(client):
    analysis, webinar = featured(speakers=1)
    webinar.title = "<script>alert(1)</script>"
    webinar.save()
    QuoteFactory(webinar=webinar, speaker=webinar.appearances.first().speaker, text="<b>bold</b>")

    html = client.get(analysis.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def queries_for_page(client, analysis) -> int:
    client.get(analysis.get_absolute_url())  # the content types and the like are cached after one visit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(analysis.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_the_block_costs_the_same_queries_at_any_size(client, django_assert_max_num_queries):
    small, _ = featured(speakers=1, quotes_each=1)
    large, _ = featured(speakers=6, quotes_each=4)
    topic = TopicFactory()
    small.topics.add(topic)
    large.topics.add(topic)

    assert queries_for_page(client, small) == queries_for_page(client, large)
    # The analysis (4), its updates, the webinar's appearances and quotes, related reading (3), comments.
    with django_assert_max_num_queries(12):
        response = client.get(large.get_absolute_url())
    assert response.content.count(b'class="voice__quote"') == 24


@pytest.mark.parametrize(
    "url, src",
    [
        (VIDEO, "https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1&rel=0"),
        ("https://youtu.be/abcdefghijk", "https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1&rel=0"),
        (
            "https://www.youtube.com/live/abcdefghijk",
            "https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1&rel=0",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1"),
    ],
)
def test_video_addresses_become_privacy_respecting_players(url, src):
    player = recording_player(url)
    assert player is not None and player.src == src


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/@CancerResearchUK",
        "https://www.youtube.com/watch?v=short",
        "https://youtu.be/abcdefghijk/../../x",
        "javascript:alert(1)//youtube.com/watch?v=abcdefghijk",
        "https://evil.example/watch?v=abcdefghijk",
        "https://vimeo.com/channels/staffpicks",
    ],
)
def test_anything_else_gets_no_player(url):
    assert recording_player(url) is None
