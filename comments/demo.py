"""Demo content: the comment policy and a discussion under the seed analysis.

Comments are keyed by author and text, so loading twice changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from comments.models import BlockedTerm, Comment, CommentPolicy, ConfirmedAddress, PolicyClause, PolicyVersion
from comments.services import comment_insert
from policies.demo import SEED_SLUG
from policies.models import PolicyAnalysis

POLICY_TEXT = """\
We welcome comments that add to the discussion: evidence, experience, disagreement argued with
respect. Every comment is read by a moderator before or soon after it appears, against the rules
below. When we remove or reject a comment we say which rule it broke.

Comments are published under the name you give. **Your email address is never published**; we use
it to confirm your comment and, if you ask, to tell you about replies.
"""

CLAUSES = [
    (
        "Abusive or discriminatory",
        "Personal attacks, threats, harassment, or content that demeans people for who they are.",
    ),
    ("Off-topic", "Comments unrelated to the piece or the discussion beneath it."),
    ("Spam or promotion", "Advertising, repeated posts, or links posted mainly to promote a product or site."),
    (
        "Personal information",
        "Details that identify you or anyone else, including health details, addresses, phone numbers and NHS numbers.",
    ),
    ("Medical advice or misinformation", "Advice on treatment, or claims about cancer that go against the evidence."),
    ("Impersonation", "Pretending to be another person or organisation."),
    ("Illegal content", "Anything unlawful, including defamation and contempt of court."),
]

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
    with transaction.atomic():
        version = _load_policy()
        analysis = PolicyAnalysis.objects.filter(slug=SEED_SLUG).first()
        if analysis is not None:
            _load_discussion(analysis, version)
        for term, action in [("viagra", BlockedTerm.Action.BLOCK), ("miracle cure", BlockedTerm.Action.HOLD)]:
            BlockedTerm.objects.get_or_create(term=term, defaults={"action": action})


def _load_policy() -> PolicyVersion:
    policy, _ = CommentPolicy.objects.get_or_create(title="Comment policy")
    version, _ = PolicyVersion.objects.get_or_create(
        policy=policy,
        number=1,
        defaults={"text": POLICY_TEXT, "effective_at": timezone.now() - timedelta(days=365)},
    )
    for number, (title, text) in enumerate(CLAUSES, start=1):
        PolicyClause.objects.get_or_create(version=version, number=number, defaults={"title": title, "text": text})
    return version


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
