"""The demo analysis's pictures in a real browser: each width fetches a rendition that fits it."""

import re

import pytest
from django.core.management import call_command

from policies.demo import CHART_SLUG, SEED_SLUG
from tests.e2e.accessibility import assert_no_axe_violations, require_axe
from tests.e2e.conftest import REPORT_VIOLATIONS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RENDITION = re.compile(r"-(\d+)\.webp$")
# At 320 px the column is 288 px wide, so the 320 px rendition suffices; at 1280 px the column is
# 42rem (672 px) and the chart needs 960 px, the hero (48rem, 768 px) the same.
EXPECTED = {320: {"hero": 320, "chart": 320}, 1280: {"hero": 960, "chart": 960}}

LOADED_SOURCE = """
async (img) => {
  img.scrollIntoView();
  if (!img.complete || !img.currentSrc) await new Promise((done) => img.addEventListener("load", done, {once: true}));
  return {src: img.currentSrc, natural: img.naturalWidth, shown: img.getBoundingClientRect().width};
}
"""


def test_each_width_fetches_a_rendition_that_fits_and_the_page_passes_axe(browser, live_server):
    require_axe()
    call_command("load_demo_content", verbosity=0)
    for width, expected in EXPECTED.items():
        # A fresh context per width: a browser that holds a wider rendition may keep using it.
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
        context.add_init_script(REPORT_VIOLATIONS)
        page = context.new_page()
        page.goto(f"/analyses/{SEED_SLUG}/")
        assert chosen_renditions(page, width) == expected
        # With the chart's table open too: it must fit (or scroll in its own box) and pass.
        page.get_by_text("Show the data for this chart").click()
        assert page.get_by_role("table").first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_no_axe_violations(page, f"the analysis at {width} px")
        context.close()


def chosen_renditions(page, width: int) -> dict[str, int]:
    chosen = {}
    for name, selector in (("hero", ".hero img"), ("chart", f"#figure-{CHART_SLUG} img")):
        loaded = page.locator(selector).evaluate(LOADED_SOURCE)
        match = RENDITION.search(loaded["src"])
        assert match, f"{name} at {width} px loaded {loaded['src']}, not a WebP rendition"
        chosen[name] = int(match.group(1))
        assert chosen[name] >= loaded["shown"], f"{name} at {width} px: {chosen[name]} px drawn at {loaded['shown']}"
    return chosen


def test_the_chart_data_opens_without_javascript(no_script_page):
    call_command("load_demo_content", verbosity=0)
    no_script_page.goto(f"/analyses/{SEED_SLUG}/")
    table = no_script_page.get_by_role("table", name=re.compile("Commitments in the Spending Review"))
    assert not table.is_visible()
    no_script_page.get_by_text("Show the data for this chart").click()
    assert table.is_visible()
    assert table.get_by_role("rowheader", name="Global Talent fund").is_visible()
    assert table.get_by_role("columnheader", name="£ million").is_visible()
