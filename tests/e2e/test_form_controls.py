"""Checkboxes and radios are GOV.UK-sized everywhere the public ticks or chooses: 40 px boxes with the
label beside them, a visible focus ring, and a tick or dot that shows, in the questionnaire, the comment
form and the subscribe form."""

import pytest
from playwright.sync_api import Page

from consultations.demo import OPEN_SLUG
from policies.demo import SEED_SLUG
from tests.e2e.demo_content import demo_content_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORMS = {
    "questionnaire": (f"/consultations/{OPEN_SLUG}/", "main form"),
    "comment form": (f"/analyses/{SEED_SLUG}/", "form.comment-form"),
    "subscribe form": ("/notifications/subscribe/", "main form"),
}

LOOK = """(box) => {
  const style = getComputedStyle(box);
  const rect = box.getBoundingClientRect();
  const label = document.querySelector(`label[for="${box.id}"]`);
  const beside = label ? label.getBoundingClientRect() : null;
  return {
    width: rect.width, height: rect.height,
    labelBeside: !!beside && beside.left >= rect.right - 1 && beside.top < rect.bottom,
    focusVisible: box.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 3,
    mark: style.backgroundImage !== "none" || style.boxShadow.includes("inset"),
    checked: box.checked,
  };
}"""


@pytest.mark.parametrize("width", [1280, 320], ids=lambda width: f"{width}px")
@pytest.mark.parametrize("name", FORMS)
def test_each_checkbox_and_radio_is_large_labelled_and_shows_focus_and_its_mark(page: Page, name, width):
    demo_content_load()
    url, form = FORMS[name]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    if name == "questionnaire":
        page.get_by_role("button", name="Respond to this consultation").click()
    boxes = page.locator(form).first.locator("input[type=checkbox]:visible, input[type=radio]:visible")
    assert boxes.count() >= 2, f"{name} has no choices to check"

    for index in range(boxes.count()):
        look = boxes.nth(index).evaluate(LOOK)
        assert look["width"] >= 40 and look["height"] >= 40, (name, index, look)
        assert look["labelBeside"], (name, index, look)

    first = boxes.first
    first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # Focus arrives by keyboard, so the focus ring is drawn.
    before = first.evaluate(LOOK)
    page.keyboard.press("Space")
    after = first.evaluate(LOOK)
    assert before["focusVisible"] and before["outline"], before
    assert after["checked"] and after["mark"], after
