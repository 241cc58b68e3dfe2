"""A moderator clears a queue in a real browser: one rejection with a clause, one bulk approval."""

import pytest
from playwright.sync_api import expect

from accounts.roles import MODERATORS, sync_groups
from comments.models import Comment
from moderation.models import ModerationEvent
from tests.factories import AnalysisFactory, CommentFactory, PolicyVersionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def test_a_moderator_rejects_one_comment_and_approves_another_which_then_shows_on_the_page(page):
    # The flush after other live-server tests empties the groups the migrations made.
    sync_groups()
    UserFactory(username="mira", email="mira@example.org", is_staff=True, groups=[MODERATORS])
    clause = PolicyVersionFactory().clauses.get(number=2)
    analysis = AnalysisFactory(title="Research clusters after the Spending Review")
    rude = CommentFactory(target=analysis, status="pending", text="You are all idiots, off topic rant.")
    good = CommentFactory(target=analysis, status="pending", text="Clusters need ten-year funding, not three.")

    page.goto("/admin/")
    page.get_by_label("Username").fill("mira")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    queues = page.locator("#moderation-queues")
    expect(queues).to_contain_text("Pending")
    queues.get_by_role("link", name="Pending").click()
    expect(page.locator("#result_list")).to_be_visible()

    page.get_by_role("link", name="You are all idiots").click()
    page.get_by_label("Policy clause").select_option(str(clause.pk))
    page.get_by_label("Note for the commenter").fill("Please keep to the analysis.")
    page.get_by_role("button", name="Reject").click()

    expect(page.locator(".messagelist")).to_contain_text("Reject: done.")
    expect(page.get_by_text("You are all idiots")).to_have_count(0)
    page.locator(f'input[name="_selected_action"][value="{good.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Approve: 1 comment.")

    assert Comment.objects.get(pk=rude.pk).status == "rejected"
    assert Comment.objects.get(pk=good.pk).status == "approved"
    rejection = ModerationEvent.objects.get(object_id=rude.pk, action="reject")
    assert (rejection.actor.username, rejection.clause, rejection.note) == (
        "mira",
        clause,
        "Please keep to the analysis.",
    )

    page.goto(analysis.get_absolute_url())
    comments = page.locator("#comments")
    expect(comments).to_contain_text("Clusters need ten-year funding, not three.")
    expect(comments).not_to_contain_text("You are all idiots")
