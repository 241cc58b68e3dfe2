"""Demo content for moderators: a mixed queue under the seed analysis, to clear in the admin.

Keyed by author and text, so loading twice changes nothing. Runs after comments.demo, whose
policy and discussion it builds on.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from comments.demo import demo_comment_ensure
from comments.models import Flag, PolicyVersion
from comments.services import moderation_event_record
from policies.demo import SEED_SLUG
from policies.models import PolicyAnalysis

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


def load() -> None:
    analysis = PolicyAnalysis.objects.filter(slug=SEED_SLUG).first()
    version = PolicyVersion.objects.current()
    if analysis is None or version is None:
        return
    with transaction.atomic():
        started = timezone.now() - timedelta(hours=30)
        for index, (name, email, status, reasons, organisation, declaration, text) in enumerate(QUEUE):
            _comment(analysis, version, name, email, status, reasons, organisation, declaration, text, index, started)
        reported = _comment(
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


def _comment(analysis, version, name, email, status, reasons, organisation, declaration, text, index, started):
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
