"""Reads of the rules: which ban, blocked term or trust applies to an author or a text."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet, Subquery

from moderation.models import Ban, BlockedTerm, PolicyClause, PolicyVersion, TrustedCommenter
from moderation.text import domains_of


def ban_kind_for(*, email: str, user: User | AnonymousUser | None = None, ip_hash: str = "") -> str | None:
    """The kind of the first ban in force on this address, its domains, account or network, if any.

    An erased address is still matched, through the hash its ban was rewritten to.
    """
    match = Q(kind=Ban.Kind.EMAIL, value__in=[email, Ban.erased_value(email)]) | Q(
        kind=Ban.Kind.DOMAIN, value__in=domains_of(email)
    )
    if user is not None and user.is_authenticated:
        match |= Q(kind=Ban.Kind.ACCOUNT, user=user)
    if ip_hash:
        match |= Q(kind=Ban.Kind.IP, value=ip_hash)
    kind: str | None = Ban.objects.active().filter(match).values_list("kind", flat=True).first()
    return kind


def blocked_terms() -> dict[str, str]:
    """Every blocked term, folded, with what it does: block or hold."""
    return dict(BlockedTerm.objects.values_list("folded", "action"))


def is_trusted(*, email: str, user: User | AnonymousUser | None = None) -> bool:
    match = Q(email=email)
    if user is not None and user.is_authenticated:
        match |= Q(user=user)
    return TrustedCommenter.objects.filter(match).exists()


def policy_in_force() -> PolicyVersion | None:
    return PolicyVersion.objects.current()


def current_clauses() -> QuerySet[PolicyClause]:
    """The clauses of the version in force, in one query (a subquery picks the version)."""
    current = PolicyVersion.objects.in_force().order_by("-effective_at", "-number").values("pk")[:1]
    return PolicyClause.objects.filter(version_id=Subquery(current)).order_by("number")
