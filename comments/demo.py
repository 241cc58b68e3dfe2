"""Demo content: a discussion under the seed analysis, and a mixed queue for moderators to clear in the admin,
with a comment whose author asked for a review of an automatic rejection, and a discussion of a published
consultation outcome.

Comments are keyed by author and text, so loading twice changes nothing. Runs after moderation.demo,
whose comment policy it builds on.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from comments.models import Comment, ConfirmedAddress, Flag
from comments.services import comment_insert
from consultations.demo import CONCLUDED_SLUG
from consultations.models import Consultation
from moderation.models import PolicyVersion
from moderation.services import moderation_event_record
from policies.demo import SEED_SLUG
from policies.models import PolicyAnalysis

# (key, parent key, name, email, organisation, declaration, status, text)
DISCUSSION = [
    (
        "a",
        None,
        "Helen Marsh",
        "helen.marsh@example.org",
        "",
        "",
        "approved",
        "Clusters only work if the people can afford to live near them. Housing and transport need to be part of "
        "the plan, not an afterthought.",
    ),
    (
        "b",
        "a",
        "Tom Adeyemi",
        "tom.adeyemi@example.org",
        "",
        "",
        "approved",
        "Agreed. The Manchester experience shows what happens when labs open faster than trains run.",
    ),
    (
        "c",
        "b",
        "Helen Marsh",
        "helen.marsh@example.org",
        "",
        "",
        "approved",
        "Exactly, and the same is true for technicians and support staff, not just researchers.",
    ),
    (
        "d",
        None,
        "Priya Nair",
        "priya.nair@example.org",
        "Northern Health Science Alliance",
        "We receive funding from NHS England and several universities in the North.",
        "approved",
        "Place-based funding has to come with long-term commitments. Five-year settlements would let partners "
        "plan recruitment properly.\n\nMore in our report: https://example.org/reports/place-based-funding",
    ),
    ("e", None, "Anonymous reader", "reader@example.org", "", "", "removed", "This comment broke the policy."),
    (
        "f",
        "e",
        "Sam Keller",
        "sam.keller@example.org",
        "",
        "",
        "approved",
        "Whatever was said above, the point about charity funding being squeezed deserves an answer.",
    ),
]


def load() -> None:
    analysis = PolicyAnalysis.objects.filter(slug=SEED_SLUG).first()
    version = PolicyVersion.objects.current()
    if analysis is None or version is None:
        return
    with transaction.atomic():
        _load_discussion(analysis, version)
        _load_queue(analysis, version)
        _load_review_request(analysis, version)
        _load_outcome_discussion(version)


def _load_discussion(analysis: PolicyAnalysis, version: PolicyVersion) -> None:
    saved: dict[str, Comment] = {}
    started = analysis.publish_at + timedelta(hours=2)
    for index, (key, parent, name, email, organisation, declaration, status, text) in enumerate(DISCUSSION):
        saved[key], _created = demo_comment_ensure(
            analysis=analysis,
            email=email,
            text=text,
            parent=saved.get(parent) if parent else None,
            author_name=name,
            organisation=organisation,
            declaration_of_interest=declaration,
            status=status,
            policy_version=version,
            created_at=started + timedelta(hours=index * 3),
            confirmed_at=started,
        )


def demo_comment_ensure(*, analysis, email: str, text: str, parent: Comment | None = None, **fields):
    """The demo comment by this author with this text, inserted once from a confirmed address.

    Returns (comment, created), so loading the demo content again adds nothing."""
    existing = Comment.objects.for_target(analysis).filter(author_email=email, text=text).first()
    if existing is not None:
        return existing, False
    ConfirmedAddress.objects.get_or_create(email=email)
    comment = Comment(target=analysis, author_email=email, text=text, **fields)
    return comment_insert(comment=comment, parent=parent), True


# (name, email, status, reasons, organisation, declaration, text)
QUEUE = [
    (
        "Sam Whitfield",
        "sam.whitfield@example.org",
        "pending",
        ["new_commenter"],
        "",
        "",
        "Will the new cluster money reach smaller universities, or only the big three?",
    ),
    (
        "Jo Carter",
        "jo.carter@example.org",
        "pending",
        ["personal_data_phone", "new_commenter"],
        "",
        "",
        "My mum was treated at the Christie and it was brilliant. Ring me on 07700 900123 to hear more.",
    ),
    (
        "Alex Brennan",
        "alex.brennan@example.org",
        "pending",
        ["suspect_term:miracle cure", "new_commenter"],
        "",
        "",
        "Forget clusters, this miracle cure from my website works better than any research.",
    ),
    (
        "Dr Ruth Okafor",
        "ruth.okafor@example.org",
        "pending",
        ["new_commenter"],
        "Association of Medical Research Charities",
        "Our members fund research in several of the clusters named in the analysis.",
        "Charity funding leverages public money: cuts to QR funding would hit charity-funded labs first.",
    ),
    (
        "Cheap Pills",
        "deals@pills.example",
        "spam",
        ["too_many_links", "new_commenter"],
        "",
        "",
        "Best prices http://pills.example http://pills.example/buy http://pills.example/now",
    ),
]
REPORTED_TEXT = "Clusters are a waste of money and anyone who disagrees is an idiot."


def _load_queue(analysis: PolicyAnalysis, version: PolicyVersion) -> None:
    started = timezone.now() - timedelta(hours=30)
    for index, (name, email, status, reasons, organisation, declaration, text) in enumerate(QUEUE):
        _queued_comment(
            analysis, version, name, email, status, reasons, organisation, declaration, text, index, started
        )
    reported = _queued_comment(
        analysis, version, "Pat Reilly", "pat.reilly@example.org", "approved", [], "", "", REPORTED_TEXT, 9, started
    )
    reader, _ = get_user_model().objects.get_or_create(
        username="demo-reader", defaults={"email": "demo-reader@example.org", "password": make_password(None)}
    )
    Flag.objects.get_or_create(
        comment=reported,
        user=reader,
        defaults={"clause": version.clauses.get(number=1), "note": "Name-calling."},
    )


def _queued_comment(analysis, version, name, email, status, reasons, organisation, declaration, text, index, started):
    comment, created = demo_comment_ensure(
        analysis=analysis,
        email=email,
        text=text,
        author_name=name,
        organisation=organisation,
        declaration_of_interest=declaration,
        status=status,
        reasons=reasons,
        policy_version=version,
        created_at=started + timedelta(hours=index * 2),
        confirmed_at=started,
        status_changed_at=started,
    )
    if not created:
        return comment
    moderation_event_record(
        subject=comment, actor=None, action="submit", from_status="", to_status=status, reasons=reasons
    )
    return comment


REVIEW_TEXT = "The new campus on Casino Road needs a bus route before it opens, or students will not get there."


def _load_review_request(analysis: PolicyAnalysis, version: PolicyVersion) -> None:
    """Rejected for a blocked term, then put before a moderator by its author, who explains."""
    asked_at = timezone.now() - timedelta(hours=3)
    comment, created = demo_comment_ensure(
        analysis=analysis,
        email="morgan.price@example.org",
        text=REVIEW_TEXT,
        author_name="Morgan Price",
        status=Comment.Status.PENDING,
        reasons=["review_requested", "blocked_term:casino", "new_commenter"],
        policy_version=version,
        created_at=asked_at - timedelta(minutes=5),
        confirmed_at=asked_at,
        status_changed_at=asked_at,
    )
    if not created:
        return
    reasons = ["blocked_term:casino", "new_commenter"]
    moderation_event_record(
        subject=comment, actor=None, action="submit", from_status="", to_status="rejected", reasons=reasons
    )
    moderation_event_record(
        subject=comment,
        actor=None,
        action="review_request",
        from_status="rejected",
        to_status="pending",
        note="Casino Road is the street the campus is on, not gambling.",
        reasons=["review_requested"],
    )


def _load_outcome_discussion(version: PolicyVersion) -> None:
    consultation = Consultation.objects.filter(slug=CONCLUDED_SLUG).first()
    if consultation is None or consultation.concluded_at is None:
        return
    demo_comment_ensure(
        analysis=consultation,
        email="grace.lin@example.org",
        text="Good to see the training places in the outcome. Will the report say how many start next year?",
        author_name="Grace Lin",
        status=Comment.Status.APPROVED,
        policy_version=version,
        created_at=consultation.concluded_at + timedelta(days=1),
        confirmed_at=consultation.concluded_at,
    )
