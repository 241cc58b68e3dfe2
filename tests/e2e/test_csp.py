"""Every kind of page works in a real browser under the Content-Security-Policy.

The ``page`` fixture fails a test on any violation the browser reports, so each test here only
has to open the pages and use the scripts on them: a blocked inline script, style or handler
fails it at teardown.
"""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import sync_groups
from comments.models import Comment
from consultations.models import Answer
from policies.demo import SEED_SLUG
from policies.models import PolicyAnalysis
from tests.e2e.demo_content import demo_content_load
from tests.factories import (
    AnswerFactory,
    CommentFactory,
    ConsultationFactory,
    QuestionFactory,
    ResponseFactory,
    SectionFactory,
    UserFactory,
    policy_version_in_force,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    # Scripts that run after load (Swagger UI, ReDoc, the admin's widgets) report late.
    page.wait_for_load_state("networkidle")


def sign_in_to_admin(page: Page, username: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


def test_the_browser_tests_fail_on_an_inline_script_the_policy_blocks(page, live_server, csp_violations):
    page.route(
        "**/csp-probe/",
        lambda route: route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "script-src 'self'; style-src 'self'"},
            body='<p style="color: red">x</p><script>document.title = "ran"</script>',
        ),
    )

    page.goto(f"{live_server.url}/csp-probe/")
    page.wait_for_load_state("networkidle")

    assert page.title() != "ran"
    assert any("script-src" in report for report in csp_violations), csp_violations
    assert any("style-src" in report for report in csp_violations), csp_violations
    # Seen, so the fixture's teardown must not fail this test for them.
    csp_violations.clear()


def test_public_pages_and_their_scripts_work_under_the_policy(page, settings):
    settings.COMMENTS_MIN_SECONDS_TO_WRITE = 0
    demo_content_load()
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    QuestionFactory(section=SectionFactory(consultation=consultation), text="What should change?", required=True)

    visit(page, "/")
    visit(page, f"/analyses/{SEED_SLUG}/")
    expect(page.locator("#comments")).to_be_visible()
    form = page.locator("form.comment-form")
    form.get_by_role("textbox", name="Comment").fill("Clusters need housing too.")
    expect(page.locator("#id_text_counter")).to_contain_text("characters left")

    visit(page, "/consultations/clusters/")
    expect(page.locator("[data-countdown]")).to_contain_text("Closes in")
    page.click("text=Respond to this consultation")
    page.fill("#id_email", "dev@example.org")
    page.check("#id_respondent_type_1")
    page.click("text=Save and continue")
    expect(page.locator("[data-error-summary]")).to_be_focused()

    for url in ("/notifications/subscribe/", "/accounts/login/", "/comment-policy/", "/privacy/", "/webinars/"):
        visit(page, url)


def test_a_signed_in_person_s_pages_work_under_the_policy(page):
    reader = UserFactory(username="reader", email="reader@example.org")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)

    page.goto("/accounts/login/")
    page.fill("input[name=login]", "reader@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/")

    visit(page, "/account/")
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_label("Your new token")).to_be_visible()
    visit(page, "/notifications/account/")


def test_the_admin_and_its_moderation_pages_work_under_the_policy(page):
    demo_content_load()
    sync_groups()
    UserFactory(username="root", email="root@example.org", is_staff=True, is_superuser=True)
    analysis = PolicyAnalysis.objects.get(slug=SEED_SLUG)
    pending = CommentFactory(target=analysis, status=Comment.Status.PENDING, text="Clusters need ten-year budgets.")
    CommentFactory(target=analysis, parent=pending, status=Comment.Status.PENDING, text="And housing.")
    version = policy_version_in_force()
    consultation = ConsultationFactory(slug="clusters")
    question = QuestionFactory(section=SectionFactory(consultation=consultation), text="What should change?")
    answer = AnswerFactory(
        response=ResponseFactory(consultation=consultation),
        question=question,
        text="Ten-year budgets.\nAnd housing.",
        publication=Answer.Publication.PENDING,
    )

    sign_in_to_admin(page, "root")
    visit(page, "/admin/")
    expect(page.locator("#moderation-queues")).to_be_visible()

    visit(page, reverse("admin:policies_policyanalysis_changelist"))
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("selected")

    # Inlines, an autocomplete, a prepopulated slug and a date picker: the admin's busiest form.
    visit(page, reverse("admin:policies_policyanalysis_change", args=[analysis.pk]))
    page.locator(".add-row a").first.click()
    page.locator(".select2-selection").first.click()
    page.keyboard.press("Escape")
    visit(page, reverse("admin:policies_policyanalysis_add"))
    page.get_by_label("Title").press_sequentially("A new analysis")
    expect(page.locator("#id_slug")).to_have_value("a-new-analysis")
    visit(page, reverse("admin:moderation_commentpolicy_change", args=[version.policy_id]))
    visit(page, reverse("admin:moderation_policyversion_add"))
    page.locator(".add-row a").first.click()

    visit(page, reverse("admin:comments_pendingcomment_changelist"))
    expect(page.locator("#result_list")).to_contain_text("Clusters need ten-year budgets.")
    visit(page, reverse("admin:comments_comment_change", args=[pending.pk]))
    expect(page.locator(".moderation-page .thread li.depth-1")).to_have_css("margin-left", "24px")
    visit(page, reverse("admin:comments_comment_figures"))
    visit(page, reverse("admin:consultations_analysis", args=[consultation.pk]))
    visit(page, reverse("admin:consultations_question", args=[consultation.pk, question.pk]))
    visit(page, reverse("admin:consultations_answer_change", args=[answer.pk]))
    expect(page.locator(".answer-as-written")).to_have_css("white-space", "pre-wrap")
    visit(page, reverse("admin:notifications_delivery_changelist"))
    expect(page.locator(".object-tools.status-counts")).to_have_css("float", "none")


def test_the_api_docs_render_under_the_policy(page):
    visit(page, "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()

    visit(page, "/api/redoc/")
    expect(page.locator("[data-section-id^='operation/']").first).to_be_attached()
    expect(page.get_by_role("heading", name="Policy & Insight API").first).to_be_visible()
