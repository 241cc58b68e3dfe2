"""Demo content: the comment policy every comment and answer is held to, and two blocked terms.

Keyed by title, number and term, so loading twice changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from moderation.models import BlockedTerm, CommentPolicy, PolicyClause, PolicyVersion

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


def load() -> None:
    with transaction.atomic():
        _load_policy()
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
