"""The staff screens in use: a readable comment column and a current tab with enough contrast, a moderator
deciding by keyboard alone, and an editor seeing the body's preview beside the box, on the demo content.

axe-core and the 320 px reflow check run on these screens with every other page, in test_every_page.py.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import MODERATORS, sync_groups
from comments.models import Comment
from moderation.models import ModerationEvent
from policies.demo import SEED_SLUG
from policies.models import PolicyAnalysis
from tests.e2e.accessibility import require_axe
from tests.e2e.demo_content import demo_content_load
from tests.factories import AnalysisFactory, CommentFactory, FlagFactory, PolicyVersionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _axe():
    require_axe()


def staff_signed_in(page: Page) -> None:
    """The demo content, one open report, and a superuser signed in to the admin."""
    demo_content_load()
    sync_groups()
    FlagFactory(comment=Comment.objects.filter(status=Comment.Status.APPROVED).first(), note="Rude")
    UserFactory(username="root", email="root@example.org", is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


# --- Reading a queue -----------------------------------------------------------------------------


def test_the_comment_column_is_wide_enough_to_read_at_1280_px(page):
    staff_signed_in(page)
    page.goto("/admin/comments/pendingcomment/")
    width = page.locator("#result_list td.field-comment_column").first.evaluate("cell => cell.clientWidth")
    assert width >= 360, f"the comment column is {width} px wide"
    # The reasons and the author's history are on the row, beside the comment.
    row = page.locator("#result_list tbody tr").first
    expect(row.locator(".mod-reasons")).to_be_visible()
    expect(row.locator(".mod-history")).to_contain_text("approved")


def test_the_current_tab_has_enough_contrast(page):
    staff_signed_in(page)
    page.goto("/admin/comments/reportedcomment/")
    current = page.locator('.moderation-tabs a[aria-current="page"]')
    expect(current).to_contain_text("Reported")
    colours = current.evaluate("tab => [getComputedStyle(tab).color, getComputedStyle(tab).backgroundColor]")
    assert contrast(*colours) >= 4.5, colours


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(value) / 255 for value in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# --- Deciding by keyboard ------------------------------------------------------------------------


FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ringed = style.boxShadow && style.boxShadow !== "none";
  return {
    tag: element.tagName.toLowerCase(),
    name: element.name || "",
    value: element.value || "",
    text: (element.innerText || "").trim(),
    visible: outlined || ringed,
  };
}"""


def tab_until(page: Page, wanted: Callable[[dict], bool], limit: int = 80) -> dict:
    """Press Tab until ``wanted`` holds for the focused element; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] != "body":
            assert focused["visible"], f"no visible focus on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError("never reached by Tab")


def test_a_moderator_decides_by_keyboard_alone(page):
    sync_groups()
    UserFactory(username="mira", email="mira@example.org", is_staff=True, groups=[MODERATORS])
    version = PolicyVersionFactory()
    analysis = AnalysisFactory(title="Research clusters after the Spending Review")
    rude = CommentFactory(target=analysis, status="pending", text="You are all idiots, off topic rant.")
    good = CommentFactory(target=analysis, status="pending", text="Clusters need ten-year funding, not three.")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("mira")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/comments/pendingcomment/")

    # No access keys: the page's own order leads to each comment.
    assert page.locator("[accesskey]").count() == 0
    tab_until(page, lambda focused: focused["text"].startswith("You are all idiots"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()

    # On the comment's page: why it is here and who wrote it come before the decision.
    passed: list[str] = []

    def clause_box(focused: dict) -> bool:
        passed.append(focused["text"] or focused["name"])
        return focused["name"] == "clause"

    assert tab_until(page, clause_box)["tag"] == "select"
    assert "All their comments" in passed
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_until(page, lambda focused: focused["name"] == "note")
    page.keyboard.type("Please keep to the analysis.")
    tab_until(page, lambda focused: focused["text"] == "Reject")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Reject: done.")
    rejected = Comment.objects.get(pk=rude.pk)
    assert rejected.status == "rejected"

    # Back in the queue: select the other comment and approve it from the action bar.
    tab_until(page, lambda focused: focused["name"] == "_selected_action" and focused["value"] == str(good.pk))
    page.keyboard.press("Space")
    page.locator('select[name="action"]').focus()
    page.keyboard.press("ArrowDown")  # the first action: approve
    tab_until(page, lambda focused: focused["text"] == "Go")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_have_text(re.compile(r"^\s*Approve: 1 comment\.\s*$"))
    assert Comment.objects.get(pk=good.pk).status == "approved"
    rejection = ModerationEvent.objects.get(object_id=rude.pk, action="reject")
    assert rejection.clause in version.clauses.all() and rejection.note == "Please keep to the analysis."


# --- The analysis editor ---------------------------------------------------------------------------


def test_the_editor_previews_the_body_beside_it_as_the_page_will_show_it(page):
    staff_signed_in(page)
    analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
    page.goto(f"/admin/policies/policyanalysis/{analysis.pk}/change/")
    preview = page.locator(".markdown-preview")
    expect(preview.get_by_role("heading", name="Preview")).to_be_visible()

    page.locator("#id_body").fill("## Next steps\n\nFund clusters for **ten years**.\n\n<script>alert(1)</script>")
    expect(preview.locator("h2", has_text="Next steps")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("ten years")
    assert preview.locator("script").count() == 0
    box, panel = page.locator("#id_body").bounding_box(), preview.bounding_box()
    assert box and panel and panel["x"] >= box["x"] + box["width"], "the preview is not beside the body"
    assert box["height"] >= 400, f"the body box is {box['height']} px tall"


def test_without_javascript_the_editor_previews_the_body_in_a_new_tab(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    staff_signed_in(page)
    analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
    page.goto(f"/admin/policies/policyanalysis/{analysis.pk}/change/")
    page.locator("#id_body").fill("Plain *words* only.")
    with context.expect_page() as opened:
        page.get_by_role("button", name="Preview the body (opens in a new tab)").click()
    preview = opened.value
    expect(preview.get_by_role("heading", level=1)).to_have_text("Preview of the body")
    expect(preview.locator(".markdown-preview__body em")).to_have_text("words")
    assert PolicyAnalysis.objects.get(pk=analysis.pk).body != "Plain *words* only."  # Nothing was saved.
    context.close()
