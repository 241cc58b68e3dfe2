"""The demo analysis looks back on its webinar; the recording's player loads only when asked, and
without JavaScript the recording is a plain link."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from policies.demo import SEED_SLUG
from webinars.demo import CLUSTERS_WEBINAR
from webinars.models import Webinar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIDEO = "https://www.youtube.com/watch?v=abcdefghijk"


@pytest.fixture
def demo_with_a_video() -> None:
    call_command("load_demo_content", verbosity=0)
    Webinar.objects.filter(slug=CLUSTERS_WEBINAR).update(recording_url=VIDEO)


def test_the_player_loads_only_when_the_reader_asks(page, demo_with_a_video, csp_violations):
    asked_youtube: list[str] = []
    page.route("**/*youtube*/**", lambda route: (asked_youtube.append(route.request.url), route.abort()))
    page.goto(f"/analyses/{SEED_SLUG}/")

    block = page.get_by_role("region", name="Looking back on our webinar")
    expect(block.get_by_role("link", name="Clusters: Investing for Impact", exact=True)).to_be_visible()
    for speaker in ("Professor Dame Jessica Corner", "Dame Nancy Rothwell", "Professor David Argyle"):
        expect(block.get_by_role("link", name=speaker)).to_be_visible()
    expect(block.get_by_text("A positive feedback loop.")).to_be_visible()
    assert asked_youtube == []

    play = block.get_by_role("button", name="Play the recording (loads YouTube)")
    play.focus()
    page.keyboard.press("Enter")

    frame = block.locator("iframe")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/abcdefghijk?autoplay=1&rel=0")
    expect(frame).to_have_attribute("title", "Recording of Clusters: Investing for Impact")
    page.wait_for_timeout(300)
    assert asked_youtube and all("youtube-nocookie.com" in url for url in asked_youtube)
    assert not [v for v in csp_violations if "frame-src" in v]


def test_without_javascript_the_recording_is_a_link(no_script_page, demo_with_a_video):
    no_script_page.goto(f"/analyses/{SEED_SLUG}/")

    block = no_script_page.get_by_role("region", name="Looking back on our webinar")
    expect(block.get_by_role("button")).to_have_count(0)
    link = block.get_by_role("link", name="Watch the recording of “Clusters: Investing for Impact” on YouTube")
    expect(link).to_have_attribute("href", VIDEO)
    expect(block.locator("iframe")).to_have_count(0)
