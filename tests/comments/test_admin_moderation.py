"""The moderation admin: who sees and does what, the queues' rows and costs, decisions from the admin."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.decisions import Action, comment_moderate
from comments.models import Comment, CommentClaim, OfficialReply, TeamResponse
from moderation.models import Ban, ModerationEvent
from tests.factories import CommentFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status

QUEUES = ["pendingcomment", "reportedcomment", "spamcomment", "approvedcomment", "rejectedcomment", "comment"]
MODERATOR_PAGES = [
    *[f"/admin/comments/{queue}/" for queue in QUEUES],
    "/admin/comments/pendingcomment/{pk}/change/",
    "/admin/comments/comment/{pk}/change/",
    "/admin/moderation/moderationevent/",
    "/admin/moderation/moderationevent/export.csv",
    "/admin/comments/comment/figures/",
    "/admin/moderation/ban/",
    "/admin/moderation/ban/add/",
    "/admin/moderation/blockedterm/",
    "/admin/moderation/blockedterm/add/",
    "/admin/moderation/trustedcommenter/",
    "/admin/moderation/trustedcommenter/add/",
    "/admin/comments/flag/",
]
PERSONAS = ["anonymous", "stakeholder", "editor", "moderator", "superuser"]
EXPECTED = {"anonymous": 302, "stakeholder": 302, "editor": 403, "moderator": 200, "superuser": 200}


@pytest.fixture
def persona(request, anonymous, stakeholder, editor, moderator, superuser):
    return {
        "anonymous": anonymous,
        "stakeholder": stakeholder,
        "editor": editor,
        "moderator": moderator,
        "superuser": superuser,
    }[request.param]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("url", MODERATOR_PAGES)
def test_moderation_pages_are_for_moderators_only(persona, url, client_for, policy_version, request):
    comment = CommentFactory(status=Status.PENDING)
    response = client_for(persona).get(url.format(pk=comment.pk))
    name = request.node.callspec.params["persona"]
    assert response.status_code == EXPECTED[name], (name, url)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_the_admin_index_shows_the_queues_only_to_moderators(persona, client_for, policy_version, request):
    CommentFactory.create_batch(2, status=Status.PENDING)
    response = client_for(persona).get("/admin/")
    name = request.node.callspec.params["persona"]
    if name in ("anonymous", "stakeholder"):
        assert response.status_code == 302
        return
    html = response.content.decode()
    assert ("Moderation queues" in html) == (name in ("moderator", "superuser"))


def test_editors_keep_the_comment_policy_and_moderators_do_not(client_for, editor, moderator, policy_version):
    for url in ("/admin/moderation/policyversion/", f"/admin/moderation/policyversion/{policy_version.pk}/change/"):
        assert client_for(editor).get(url).status_code == 200
        assert client_for(moderator).get(url).status_code == 403


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_only_moderators_can_decide_from_the_changelist(persona, client_for, policy_version, request):
    comment = CommentFactory(status=Status.PENDING)
    client_for(persona).post(
        "/admin/comments/pendingcomment/",
        {"action": "approve_selected", "_selected_action": [comment.pk], "index": 0},
    )
    name = request.node.callspec.params["persona"]
    decided = Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert decided == (name in ("moderator", "superuser"))


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_only_moderators_can_decide_on_the_comment_page(persona, client_for, clause, request):
    comment = CommentFactory(status=Status.PENDING)
    client_for(persona).post(
        f"/admin/comments/pendingcomment/{comment.pk}/change/",
        {"op": "decide", "action": "reject", "seen_status": "pending", "clause": clause.pk},
    )
    name = request.node.callspec.params["persona"]
    assert (Comment.objects.get(pk=comment.pk).status == Status.REJECTED) == (name in ("moderator", "superuser"))


# --- Queues ------------------------------------------------------------------------------------


def make_queue(size: int) -> list[Comment]:
    parent = CommentFactory()
    comments = []
    for index in range(size):
        comment = CommentFactory(
            status=Status.PENDING,
            parent=parent if index % 3 == 0 else None,
            reasons=["new_commenter", "suspect_term:cure"],
            organisation="Tobacco Ltd" if index % 5 == 0 else "",
            declaration_of_interest="We sell things." if index % 5 == 0 else "",
        )
        comments.append(comment)
    return comments


@pytest.mark.parametrize("size", [5, 60])
def test_the_pending_queue_costs_a_constant_number_of_queries(
    size, client_for, moderator, policy_version, django_assert_max_num_queries
):
    comments = make_queue(size)
    FlagFactory(comment=CommentFactory())
    client = client_for(moderator)
    client.get("/admin/")
    with django_assert_max_num_queries(15):
        response = client.get("/admin/comments/pendingcomment/")
    assert response.status_code == 200
    html = response.content.decode()
    assert comments[0].text in html
    assert "In reply to" in html
    assert "Contains a term held for review" in html
    assert "Declares:" in html
    assert comments[0].author_email in html


@pytest.mark.parametrize("size", [3, 40])
def test_the_reported_queue_costs_a_constant_number_of_queries(
    size, client_for, moderator, policy_version, django_assert_max_num_queries
):
    for _ in range(size):
        FlagFactory(comment=CommentFactory(status=Status.APPROVED), note="Rude")
    client = client_for(moderator)
    client.get("/admin/")
    with django_assert_max_num_queries(15):
        response = client.get("/admin/comments/reportedcomment/")
    html = response.content.decode()
    assert html.count('class="mod-report"') == size
    assert "Report: 1. Abusive or discriminatory — Rude" in html


def test_the_pending_queue_is_oldest_first_and_shows_history(client_for, moderator, policy_version):
    CommentFactory.create_batch(2, author_email="regular@example.org")
    old = CommentFactory(status=Status.PENDING, author_email="regular@example.org", text="Oldest waiting")
    CommentFactory(status=Status.PENDING, text="Newest waiting")
    Comment.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2020))
    html = client_for(moderator).get("/admin/comments/pendingcomment/").content.decode()
    assert html.index("Oldest waiting") < html.index("Newest waiting")
    assert "2 approved · 0 rejected" in html


def test_the_queues_filter_by_reason_analysis_and_author(client_for, moderator, policy_version):
    held = CommentFactory(status=Status.PENDING, reasons=["personal_data_phone"], text="Call me")
    other = CommentFactory(status=Status.PENDING, reasons=["new_commenter"], text="Hello there")
    client = client_for(moderator)
    by_reason = client.get("/admin/comments/pendingcomment/", {"reason": "personal_data_phone"}).content.decode()
    assert "Call me" in by_reason and "Hello there" not in by_reason
    by_analysis = client.get("/admin/comments/pendingcomment/", {"analysis": other.object_id}).content.decode()
    assert "Hello there" in by_analysis and "Call me" not in by_analysis
    by_author = client.get("/admin/comments/pendingcomment/", {"author": held.author_email}).content.decode()
    assert "Call me" in by_author and "Hello there" not in by_author
    searched = client.get("/admin/comments/pendingcomment/", {"q": "hello"}).content.decode()
    assert "Hello there" in searched and "Call me" not in searched


def test_the_index_counts_each_queue_and_the_oldest_age(client_for, moderator, policy_version):
    CommentFactory.create_batch(3, status=Status.PENDING)
    FlagFactory(comment=CommentFactory())
    html = client_for(moderator).get("/admin/").content.decode()
    assert 'class="queue-pending"' in html
    pending_row = html[html.index('class="queue-pending"') :][:600]
    assert "<strong>3</strong>" in pending_row and "oldest waiting" in pending_row
    reported_row = html[html.index('class="queue-reported"') :][:400]
    assert "<strong>1</strong>" in reported_row


# --- Decisions from the admin ------------------------------------------------------------------------


def test_a_bulk_rejection_cites_the_clause_chosen_in_the_action_bar(client_for, moderator, clause):
    comments = CommentFactory.create_batch(3, status=Status.PENDING)
    response = client_for(moderator).post(
        "/admin/comments/pendingcomment/",
        {
            "action": "reject_selected",
            "_selected_action": [c.pk for c in comments],
            "clause": clause.pk,
            "note": "Off topic",
            "index": 0,
        },
        follow=True,
    )
    assert "Reject: 3 comments." in response.content.decode()
    events = ModerationEvent.objects.filter(action="reject")
    assert (
        events.count() == 3
        and {e.clause_id for e in events} == {clause.pk}
        and {e.note for e in events} == {"Off topic"}
    )


def test_a_bulk_rejection_without_a_clause_decides_nothing_and_says_why(client_for, moderator, policy_version):
    comment = CommentFactory(status=Status.PENDING)
    response = client_for(moderator).post(
        "/admin/comments/pendingcomment/",
        {"action": "reject_selected", "_selected_action": [comment.pk], "index": 0},
        follow=True,
    )
    assert "Choose the clause" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_a_bulk_approval_of_a_mixed_selection_reports_the_ones_already_decided(client_for, moderator, policy_version):
    waiting = CommentFactory(status=Status.PENDING)
    decided = CommentFactory(status=Status.PENDING)
    comment_moderate(comment=decided, action=Action.SPAM, moderator=UserFactory(username="quick", is_staff=True))
    response = client_for(moderator).post(
        "/admin/comments/pendingcomment/",
        {"action": "approve_selected", "_selected_action": [waiting.pk, decided.pk], "index": 0},
        follow=True,
    )
    html = response.content.decode()
    assert "Approve: 1 comment." in html
    assert "Already decided: quick made this comment “Spam”" in html
    assert Comment.objects.get(pk=decided.pk).status == Status.SPAM


def test_the_comment_page_shows_the_thread_history_and_allowed_decisions(client_for, moderator, policy_version):
    parent = CommentFactory(text="The parent comment")
    comment = CommentFactory(parent=parent, status=Status.PENDING, text="The reply under review")
    CommentFactory(parent=parent, text="A sibling reply")
    html = client_for(moderator).get(f"/admin/comments/pendingcomment/{comment.pk}/change/").content.decode()
    for text in ("The parent comment", "The reply under review", "A sibling reply", comment.author_email):
        assert text in html
    assert 'value="approve"' in html and 'value="reject"' in html and 'value="restore"' not in html


def test_a_rejection_on_the_page_without_a_clause_keeps_the_note(client_for, moderator, policy_version):
    comment = CommentFactory(status=Status.PENDING)
    response = client_for(moderator).post(
        f"/admin/comments/pendingcomment/{comment.pk}/change/",
        {"op": "decide", "action": "reject", "seen_status": "pending", "note": "My careful note"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the clause" in html and "My careful note" in html
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_a_decision_on_the_page_returns_to_the_queue(client_for, moderator, clause):
    comment = CommentFactory(status=Status.PENDING)
    response = client_for(moderator).post(
        f"/admin/comments/pendingcomment/{comment.pk}/change/",
        {"op": "decide", "action": "approve", "seen_status": "pending"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/comments/pendingcomment/"


def test_a_second_moderator_on_a_stale_page_is_told_who_decided(client_for, moderator, clause):
    comment = CommentFactory(status=Status.PENDING)
    first = UserFactory(username="first-mod", is_staff=True, is_superuser=True)
    client_for(first).post(
        f"/admin/comments/pendingcomment/{comment.pk}/change/",
        {"op": "decide", "action": "approve", "seen_status": "pending"},
    )
    response = client_for(moderator).post(
        f"/admin/comments/pendingcomment/{comment.pk}/change/",
        {"op": "decide", "action": "reject", "seen_status": "pending", "clause": clause.pk},
    )
    assert response.status_code == 200
    assert "Already decided: first-mod made this comment “Approved”" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED


def test_claims_from_the_page_and_the_changelist(client_for, moderator, policy_version):
    comment = CommentFactory(status=Status.PENDING)
    other = UserFactory(username="other", is_staff=True, is_superuser=True)
    client_for(moderator).post(f"/admin/comments/pendingcomment/{comment.pk}/change/", {"op": "claim"})
    assert CommentClaim.objects.get(comment=comment).moderator == moderator
    queue = client_for(other).get("/admin/comments/pendingcomment/").content.decode()
    assert "moderator, 10 min left" in queue or "moderator, 9 min left" in queue
    response = client_for(other).post(
        "/admin/comments/pendingcomment/",
        {"action": "claim_selected", "_selected_action": [comment.pk], "index": 0},
        follow=True,
    )
    assert "moderator is handling this comment" in response.content.decode()


def test_the_team_responds_and_replies_from_the_page(client_for, moderator, policy_version):
    comment = CommentFactory(text="Please fund clusters")
    url = f"/admin/comments/approvedcomment/{comment.pk}/change/"
    client = client_for(moderator)
    client.post(url, {"op": "respond", "status": "reflected"})
    assert TeamResponse.objects.get(comment=comment).status == "reflected"
    client.post(url, {"op": "reply", "text": "We agree, and say so in our response."})
    reply = OfficialReply.objects.get().comment
    assert reply.parent == comment and reply.status == Status.APPROVED


def test_the_ban_form_can_reject_pending_comments(client_for, moderator, clause):
    waiting = CommentFactory(status=Status.PENDING, author_email="troll@example.org")
    response = client_for(moderator).post(
        "/admin/moderation/ban/add/",
        {"kind": "email", "value": "troll@example.org", "reason": "Abuse", "reject_pending": "on", "clause": clause.pk},
        follow=True,
    )
    assert "Rejected 1 pending comment by this author." in response.content.decode()
    assert Ban.objects.get().created_by == moderator
    assert Comment.objects.get(pk=waiting.pk).status == Status.REJECTED


# --- Audit ---------------------------------------------------------------------------------------


def test_the_audit_log_is_read_only_and_exports_as_csv(client_for, moderator, clause):
    comment = CommentFactory(status=Status.PENDING)
    comment_moderate(comment=comment, action=Action.REJECT, moderator=moderator, clause=clause, note="=HYPERLINK(x)")
    event = ModerationEvent.objects.get(content_type=ContentType.objects.get_for_model(Comment), action="reject")
    client = client_for(moderator)
    assert client.post(f"/admin/moderation/moderationevent/{event.pk}/change/", {"note": "x"}).status_code == 403
    response = client.get("/admin/moderation/moderationevent/export.csv", {"action": "reject"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["time", "who", "action", "from", "to"]
    assert rows[1][1:5] == ["moderator", "reject", "pending", "rejected"]
    assert rows[1][6] == "'=HYPERLINK(x)"


def test_the_comment_page_shows_its_audit_trail(client_for, moderator, clause):
    comment = CommentFactory(status=Status.PENDING)
    comment_moderate(comment=comment, action=Action.REJECT, moderator=moderator, clause=clause, note="Too personal")
    html = client_for(moderator).get(f"/admin/comments/comment/{comment.pk}/change/").content.decode()
    assert "Too personal" in html and "pending → rejected" in html


# Mid-month, so "two hours ago" is in the month shown.
@time_machine.travel("2026-11-15 12:00Z", tick=True)
def test_the_monthly_figures_count_by_discussion_clause_and_check(client_for, moderator, clause):
    waiting = CommentFactory.create_batch(3, status=Status.PENDING, reasons=["new_commenter"])
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Comment.objects.filter(pk__in=[c.pk for c in waiting]).update(created_at=two_hours_ago)
    comment_moderate(comment=waiting[0], action=Action.APPROVE, moderator=moderator)
    comment_moderate(comment=waiting[1], action=Action.REJECT, moderator=moderator, clause=clause)
    response = client_for(moderator).get("/admin/comments/comment/figures/")
    html = response.content.decode()
    assert str(clause) in html and "The author has too few approved comments" in html
    rows = list(
        csv.reader(
            io.StringIO(
                client_for(moderator).get("/admin/comments/comment/figures/", {"format": "csv"}).content.decode()
            )
        )
    )
    total = next(row for row in rows if row and row[0] == "All discussions")
    assert total[1:5] == ["3", "1", "1", "0"]
    assert float(total[5]) == pytest.approx(2.0, abs=0.1)


def test_moderators_keep_the_lists_of_terms_and_trusted_commenters(client_for, moderator):
    from moderation.models import BlockedTerm, TrustedCommenter

    client = client_for(moderator)
    client.post("/admin/moderation/blockedterm/add/", {"term": "Miracle Cure", "action": "hold"})
    client.post("/admin/moderation/trustedcommenter/add/", {"email": "Known@Example.org", "note": "Our trustee"})
    term = BlockedTerm.objects.get()
    trusted = TrustedCommenter.objects.get()
    assert (term.folded, term.created_by) == ("miracle cure", moderator)
    assert (trusted.email, trusted.created_by) == ("known@example.org", moderator)


def test_the_ban_list_shows_which_bans_are_in_force(client_for, moderator):
    Ban.objects.create(kind="email", value="past@example.org", reason="r", until=timezone.now() - timedelta(days=1))
    Ban.objects.create(kind="email", value="now@example.org", reason="r")
    html = client_for(moderator).get("/admin/moderation/ban/").content.decode()
    assert html.count('alt="True"') == 1 and html.count('alt="False"') == 1


def test_hostile_text_is_escaped_in_the_queue_and_on_the_page(client_for, moderator, policy_version):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    comment = CommentFactory(
        status=Status.PENDING, text=hostile, author_name=hostile, organisation=hostile, declaration_of_interest=hostile
    )
    client = client_for(moderator)
    for url in ("/admin/comments/pendingcomment/", f"/admin/comments/pendingcomment/{comment.pk}/change/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and '<img src=x onerror="alert(2)">' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def changelist_action(action: str, **extra):
    def run(client, comment, clause):
        data = {"action": action, "_selected_action": [comment.pk], "index": 0, **extra}
        if "clause" in extra:
            data["clause"] = clause.pk
        client.post("/admin/comments/comment/", data)

    return run


def page_op(op: str, **extra):
    def run(client, comment, clause):
        data = {"op": op, "seen_status": comment.status, **extra}
        if data.get("clause") == "clause":
            data["clause"] = clause.pk
        client.post(f"/admin/comments/comment/{comment.pk}/change/", data)

    return run


def ban_author(client, comment, clause):
    client.post("/admin/moderation/ban/add/", {"kind": "email", "value": comment.author_email, "reason": "r"})


OPERATIONS = {
    "bulk approve": (changelist_action("approve_selected"), "pending", lambda c: c.status == "approved"),
    "bulk reject": (changelist_action("reject_selected", clause=True), "pending", lambda c: c.status == "rejected"),
    "bulk spam": (changelist_action("spam_selected"), "pending", lambda c: c.status == "spam"),
    "bulk remove": (changelist_action("remove_selected", clause=True), "approved", lambda c: c.status == "removed"),
    "bulk restore": (changelist_action("restore_selected"), "spam", lambda c: c.status == "approved"),
    "bulk claim": (
        changelist_action("claim_selected"),
        "pending",
        lambda c: CommentClaim.objects.filter(comment=c).exists(),
    ),
    "page approve": (page_op("decide", action="approve"), "pending", lambda c: c.status == "approved"),
    "page claim": (page_op("claim"), "pending", lambda c: CommentClaim.objects.filter(comment=c).exists()),
    "page respond": (page_op("respond", status="noted"), "approved", lambda c: TeamResponse.objects.exists()),
    "page reply": (page_op("reply", text="Thanks."), "approved", lambda c: OfficialReply.objects.exists()),
    "ban": (ban_author, "pending", lambda c: Ban.objects.exists()),
}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_every_moderation_action_is_for_moderators_only(persona, operation, client_for, clause, request):
    run, status, happened = OPERATIONS[operation]
    comment = CommentFactory(status=status)
    run(client_for(persona), comment, clause)
    name = request.node.callspec.params["persona"]
    assert bool(happened(Comment.objects.get(pk=comment.pk))) == (name in ("moderator", "superuser")), name


def test_an_editor_who_is_also_a_moderator_can_moderate(client_for, policy_version):
    from accounts.roles import EDITORS, MODERATORS

    both = UserFactory(username="both", is_staff=True, groups=[EDITORS, MODERATORS])
    assert client_for(both).get("/admin/comments/pendingcomment/").status_code == 200
    assert client_for(both).get("/admin/policies/policyanalysis/").status_code == 200
