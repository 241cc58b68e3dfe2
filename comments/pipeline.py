"""The automatic checks every comment passes, in order.

Each check returns nothing or a decision with reason codes. A refusal stops at once
and nothing is saved (the author sees why and keeps their text); otherwise every
check runs, every reason is recorded on the comment, and the first decision wins.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Ban, BlockedTerm, Comment, TrustedCommenter, fold

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Outcome(models.TextChoices):
    REFUSE = "refuse", _("Refused, nothing saved")
    SPAM = "spam", _("Spam")
    REJECT = "reject", _("Rejected")
    HOLD = "hold", _("Held for moderation")


OUTCOME_STATUS = {
    Outcome.SPAM: Comment.Status.SPAM,
    Outcome.REJECT: Comment.Status.REJECTED,
    Outcome.HOLD: Comment.Status.PENDING,
}

# Reason codes, as recorded on comments, with what they mean to a moderator.
REASONS = {
    "honeypot": (Outcome.SPAM, _("Filled in the hidden field only robots see")),
    "too_fast": (Outcome.SPAM, _("Submitted faster than a person can write")),
    "form_tampered": (Outcome.SPAM, _("The form's timing token was missing or altered")),
    "banned_email": (Outcome.REJECT, _("The email address is banned")),
    "banned_domain": (Outcome.REJECT, _("The email domain is banned")),
    "banned_account": (Outcome.REJECT, _("The account is banned")),
    "banned_ip": (Outcome.REJECT, _("The IP address is banned")),
    "blocked_term": (Outcome.REJECT, _("Contains a blocked term")),
    "suspect_term": (Outcome.HOLD, _("Contains a term held for review")),
    "too_many_links": (Outcome.HOLD, _("Contains more links than allowed")),
    "personal_data_email": (Outcome.HOLD, _("Contains an email address")),
    "personal_data_phone": (Outcome.HOLD, _("Contains a UK phone number")),
    "personal_data_nhs_number": (Outcome.HOLD, _("Contains an NHS number")),
    "personal_data_postcode": (Outcome.HOLD, _("Contains a postcode")),
    "duplicate": (Outcome.REJECT, _("The same text from the same author already exists")),
    "new_commenter": (Outcome.HOLD, _("The author has too few approved comments")),
    "hold_all": (Outcome.HOLD, _("The site holds every comment for moderation")),
    "reported": (Outcome.HOLD, _("Readers reported it")),
}


def reason_code(reason: str) -> str:
    """A reason may carry a detail after a colon, such as the term that matched."""
    return reason.partition(":")[0]


def reason_label(reason: str) -> str:
    code, _colon, detail = reason.partition(":")
    label = str(REASONS[code][1]) if code in REASONS else code
    return f"{label} ({detail})" if detail else label


def status_for(reasons: list[str], *, staff: bool = False) -> str:
    """The status the first decisive reason leads to; no reason at all publishes. Staff skip holds."""
    for reason in reasons:
        code = reason_code(reason)
        if code in REASONS and not (staff and REASONS[code][0] == Outcome.HOLD):
            return OUTCOME_STATUS[REASONS[code][0]]
    return Comment.Status.APPROVED


@dataclass(frozen=True)
class Submission:
    # None when an edited comment's page was deleted meanwhile.
    target: models.Model | None
    text: str
    author_email: str
    user: User | AnonymousUser | None = None
    ip_hash: str = ""
    honeypot: str = ""
    seconds_to_write: float | None = None
    editing: Comment | None = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.is_authenticated and self.user.is_staff


class Refusal(models.TextChoices):
    """Why nothing was saved, as far as a client must tell: the API answers 409 or 429 from it."""

    CONFLICT = "conflict", _("The page or comment does not allow it as it stands")
    RATE_LIMITED = "rate_limited", _("Too soon after the author's last comment")


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    message: "StrOrPromise" = ""
    refusal: str = Refusal.CONFLICT
    retry_after: int | None = None


@dataclass
class Verdict:
    status: str = Comment.Status.APPROVED
    reasons: list[str] = field(default_factory=list)
    refusal: str = ""
    refusal_kind: str = Refusal.CONFLICT
    retry_after: int | None = None

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def refuse(message: "StrOrPromise", *, kind: str = Refusal.CONFLICT, retry_after: int | None = None) -> Decision:
    return Decision(Outcome.REFUSE, message=message, refusal=kind, retry_after=retry_after)


def decide(reason: str) -> Decision:
    return Decision(REASONS[reason_code(reason)][0], (reason,))


# --- The checks, in order -------------------------------------------------------------------


def check_discussion_open(submission: Submission) -> Decision | None:
    if not getattr(submission.target, "accepts_comments", True):
        return refuse(_("Comments are closed on this page."))
    return None


def check_honeypot(submission: Submission) -> Decision | None:
    if submission.editing is None and submission.honeypot:
        return decide("honeypot")
    return None


def check_too_fast(submission: Submission) -> Decision | None:
    if submission.editing is not None:
        return None
    if submission.seconds_to_write is None:
        return decide("form_tampered")
    if submission.seconds_to_write < settings.COMMENTS_MIN_SECONDS_TO_WRITE:
        return decide("too_fast")
    return None


def check_rate_limit(submission: Submission) -> Decision | None:
    window = settings.COMMENTS_RATE_LIMIT_SECONDS
    if submission.editing is not None or window <= 0:
        return None
    same_author = Q(author_email=submission.author_email)
    if submission.signed_in:
        same_author |= Q(user=submission.user)
    if submission.ip_hash:
        same_author |= Q(ip_hash=submission.ip_hash)
    since = timezone.now() - timedelta(seconds=window)
    if Comment.objects.filter(same_author, created_at__gt=since).exists():
        return refuse(
            _("You commented a moment ago. Please wait %(seconds)s seconds between comments.") % {"seconds": window},
            kind=Refusal.RATE_LIMITED,
            retry_after=window,
        )
    return None


def domains_of(email: str) -> list[str]:
    """example.org for a@example.org, and every parent: a ban on example.org covers mail.example.org."""
    parts = email.rpartition("@")[2].split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def check_bans(submission: Submission) -> Decision | None:
    email_values = [submission.author_email, Ban.erased_value(submission.author_email)]
    match = Q(kind=Ban.Kind.EMAIL, value__in=email_values) | Q(
        kind=Ban.Kind.DOMAIN, value__in=domains_of(submission.author_email)
    )
    if submission.signed_in:
        match |= Q(kind=Ban.Kind.ACCOUNT, user=submission.user)
    if submission.ip_hash:
        match |= Q(kind=Ban.Kind.IP, value=submission.ip_hash)
    kind = Ban.objects.active().filter(match).values_list("kind", flat=True).first()
    return decide(f"banned_{kind}") if kind else None


@lru_cache(maxsize=8)
def terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def matched_terms(text: str, terms: tuple[str, ...]) -> list[str]:
    if not terms:
        return []
    return sorted(set(terms_pattern(terms).findall(fold(text))))


def check_terms(submission: Submission) -> Decision | None:
    rows = BlockedTerm.objects.values_list("folded", "action")
    terms = dict(rows)
    found = matched_terms(submission.text, tuple(sorted(terms)))
    blocked = [term for term in found if terms[term] == BlockedTerm.Action.BLOCK]
    if blocked:
        return decide(f"blocked_term:{', '.join(blocked)}")
    if found:
        return decide(f"suspect_term:{', '.join(found)}")
    return None


LINK = re.compile(r"(?:\bhttps?://|\bwww\.)\S+", re.IGNORECASE)


def check_links(submission: Submission) -> Decision | None:
    if len(LINK.findall(submission.text)) > settings.COMMENTS_MAX_LINKS:
        return decide("too_many_links")
    return None


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
UK_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0044\s?|\(?0)\d(?:[\s-]?\d){8,9}(?!\d)")
TEN_DIGITS = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)


def is_nhs_number(candidate: str) -> bool:
    """The NHS number's modulus 11 check digit, which most ten-digit strings fail."""
    digits = [int(char) for char in candidate if char.isdigit()]
    total = sum(digit * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def personal_data_kinds(text: str) -> list[str]:
    kinds = []
    if EMAIL.search(text):
        kinds.append("email")
    if UK_PHONE.search(text):
        kinds.append("phone")
    if any(is_nhs_number(match) for match in TEN_DIGITS.findall(text)):
        kinds.append("nhs_number")
    if POSTCODE.search(text):
        kinds.append("postcode")
    return kinds


def check_personal_data(submission: Submission) -> Decision | None:
    kinds = personal_data_kinds(submission.text)
    if kinds:
        return Decision(Outcome.HOLD, tuple(f"personal_data_{kind}" for kind in kinds))
    return None


def check_duplicate(submission: Submission) -> Decision | None:
    same = Comment.objects.by_author(email=submission.author_email, user=submission.user).filter(text=submission.text)
    if submission.editing is not None:
        same = same.exclude(pk=submission.editing.pk)
    return decide("duplicate") if same.exists() else None


def is_trusted(submission: Submission) -> bool:
    match = Q(email=submission.author_email)
    if submission.signed_in:
        match |= Q(user=submission.user)
    return TrustedCommenter.objects.filter(match).exists()


def check_new_commenter(submission: Submission) -> Decision | None:
    needed = settings.COMMENTS_APPROVED_TO_TRUST
    if settings.COMMENTS_MODERATION == "publish" or needed <= 0 or submission.is_staff:
        return None
    approved = Comment.objects.public().by_author(email=submission.author_email, user=submission.user)
    if approved.count() >= needed or is_trusted(submission):
        return None
    return decide("new_commenter")


def check_moderation_mode(submission: Submission) -> Decision | None:
    if settings.COMMENTS_MODERATION == "hold_all" and not submission.is_staff and not is_trusted(submission):
        return decide("hold_all")
    return None


CHECKS: list[Callable[[Submission], Decision | None]] = [
    check_discussion_open,
    check_honeypot,
    check_too_fast,
    check_rate_limit,
    check_bans,
    check_terms,
    check_links,
    check_personal_data,
    check_duplicate,
    check_new_commenter,
    check_moderation_mode,
]


def run(submission: Submission, checks: list[Callable[[Submission], Decision | None]] | None = None) -> Verdict:
    verdict = Verdict()
    decisive: Outcome | None = None
    for check in CHECKS if checks is None else checks:
        decision = check(submission)
        if decision is None:
            continue
        if decision.outcome == Outcome.REFUSE:
            return Verdict(
                status="",
                refusal=str(decision.message),
                refusal_kind=decision.refusal,
                retry_after=decision.retry_after,
            )
        verdict.reasons.extend(decision.reasons)
        # Staff comments skip the hold, though the reasons stay on record.
        if decisive is None and not (decision.outcome == Outcome.HOLD and submission.is_staff):
            decisive = decision.outcome
    if decisive is not None:
        verdict.status = OUTCOME_STATUS[decisive]
    return verdict
