"""A moderator clears a queue in a real browser: one rejection with a clause, one bulk approval."""

import pytest

from accounts.roles import MODERATORS, sync_groups
from comments.models import Comment, ModerationEvent
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
    assert "Pending" in queues.inner_text()
    queues.get_by_role("link", name="Pending").click()
    assert page.locator("#result_list").is_visible()

    page.get_by_role("link", name="You are all idiots").click()
    page.get_by_label("Policy clause").select_option(str(clause.pk))
    page.get_by_label("Note for the commenter").fill("Please keep to the analysis.")
    page.get_by_role("button", name="Reject").click()

    assert "Reject: done." in page.locator(".messagelist").inner_text()
    assert page.get_by_text("You are all idiots").count() == 0
    page.locator(f'input[name="_selected_action"][value="{good.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve_selected")
    page.get_by_role("button", name="Go").click()
    assert "Approve: 1 comment." in page.locator(".messagelist").inner_text()

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
    assert "Clusters need ten-year funding, not three." in comments.inner_text()
    assert "You are all idiots" not in comments.inner_text()
