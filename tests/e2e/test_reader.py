import pytest

from policies.demo import SEED_SLUG
from tests.e2e.demo_content import demo_content_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reader_reads_the_demo_analysis_with_its_quotes_and_report(page):
    demo_content_load()
    page.goto("/")
    page.get_by_role("link", name="Have the Spending Review and Industrial Strategy delivered").first.click()
    assert page.url.endswith(f"/analyses/{SEED_SLUG}/")

    assert page.locator(".section-label").inner_text().lower() == "policy & insight"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Have the Spending Review")
    assert "Emma Cattermole" in page.locator(".byline").inner_text()
    assert "1 July 2025" in page.locator(".byline").inner_text()
    hero = page.locator(".hero img")
    assert "Francis Crick Institute" in hero.get_attribute("alt")
    # The click returns once the page has arrived, not once its images have: wait for the hero to load.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())

    quotes = page.locator("figure.quote")
    assert quotes.count() == 2
    first, second = quotes.nth(0).inner_text(), quotes.nth(1).inner_text()
    assert "Professor Dame Jessica Corner" in first and "UKRI" in first
    assert "Dame Nancy Rothwell" in second and "Industrial Strategy Advisory Council" in second

    report = page.locator(".reports").get_by_role("link", name="Clusters: Investing for Impact")
    assert report.get_attribute("href").startswith("https://")

    page.locator("figure.quote").get_by_role("link", name="Professor Dame Jessica Corner").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Professor Dame Jessica Corner"
    assert page.get_by_role("link", name="Clusters: Investing for Impact").first.is_visible()


def test_the_page_works_at_320_pixels_wide(page):
    demo_content_load()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/analyses/{SEED_SLUG}/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
