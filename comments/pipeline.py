"""The automatic checks every comment passes, in order.

Each check returns nothing or a decision with reason codes. A refusal stops at once
and nothing is saved (the author sees why and keeps their text); otherwise every
check runs, every reason is recorded on the comment, and the first decision wins.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Comment
from moderation import selectors as moderation_selectors
from moderation.models import BlockedTerm
from moderation.selectors import ban_kind_for, blocked_terms
from moderation.text import matched_terms, personal_data_kinds

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
    # Put first on a comment the checks rejected when its author asks for a review, so it waits for a person.
    "review_requested": (Outcome.HOLD, _("The author asked for a review of an automatic rejection")),
}

# What the author of an automatically rejected comment is told, by the reason that decided it.
REJECTION_EXPLAINED = {
    "blocked_term": _("It contains a word or phrase that our comment policy does not allow."),
    "banned_email": _("We are not accepting comments from this email address at the moment."),
    "banned_domain": _("We are not accepting comments from this email address at the moment."),
    "banned_account": _("We are not accepting comments from this account at the moment."),
    "banned_ip": _("We are not accepting comments from your network at the moment."),
    "duplicate": _("You have already posted the same comment, so it was not posted twice."),
}
# A duplicate needs no second look: the first copy is on the page or with the moderators already.
NOT_REVIEWABLE = {"duplicate"}


def reason_code(reason: str) -> str:
    """A reason may carry a detail after a colon, such as the term that matched."""
    return reason.partition(":")[0]


def reason_label(reason: str) -> str:
    code, _colon, detail = reason.partition(":")
    label = str(REASONS[code][1]) if code in REASONS else code
    return f"{label} ({detail})" if detail else label


def rejection_reason(reasons: list[str]) -> str:
    """The code of the reason that rejected a comment: the first one whose outcome is a rejection."""
    return next((reason_code(r) for r in reasons if REASONS.get(reason_code(r), (None,))[0] == Outcome.REJECT), "")


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
        # A page may say why, and where its readers' views go instead.
        return refuse(
            getattr(submission.target, "comments_closed_message", "") or _("Comments are closed on this page.")
        )
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


def check_bans(submission: Submission) -> Decision | None:
    kind = ban_kind_for(email=submission.author_email, user=submission.user, ip_hash=submission.ip_hash)
    return decide(f"banned_{kind}") if kind else None


def check_terms(submission: Submission) -> Decision | None:
    terms = blocked_terms()
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
    return moderation_selectors.is_trusted(email=submission.author_email, user=submission.user)


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
