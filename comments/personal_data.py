"""What the comments app holds about a person, exported and erased on request (UK GDPR).

The accounts app gathers every app's part; each app answers for its own tables. A person
is the set of their (lower-cased) addresses and, if they have one, their account.
"""

from collections.abc import Collection

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.counts import thread_tags_of
from comments.models import Comment, ConfirmedAddress, Flag
from comments.rendering import comment_html
from core.page_cache import tags_bump
from core.personal_data import ADDRESS_REMOVED, address_pattern, mentioning, redact_mentions
from moderation.models import Ban, ModerationEvent, TrustedCommenter

# The author shown on a comment kept only because replies hang on it.
ERASED_AUTHOR = "Removed"


def _comments(emails: Collection[str], user) -> QuerySet[Comment]:
    match = Q(author_email__in=list(emails))
    if user is not None:
        match |= Q(user=user)
    return Comment.objects.filter(match)


def _bans(emails: Collection[str], user) -> QuerySet[Ban]:
    match = Q(kind=Ban.Kind.EMAIL, value__in=list(emails))
    if user is not None:
        match |= Q(kind=Ban.Kind.ACCOUNT, user=user)
    return Ban.objects.filter(match)


def _trust(emails: Collection[str], user) -> QuerySet[TrustedCommenter]:
    match = Q(email__in=list(emails))
    if user is not None:
        match |= Q(user=user)
    return TrustedCommenter.objects.filter(match)


def _events_about(comment_ids: list[int]) -> QuerySet[ModerationEvent]:
    return ModerationEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment), object_id__in=comment_ids
    ).select_related("clause")


def _date(value) -> str | None:
    return value.isoformat() if value else None


def personal_data_export(*, emails: Collection[str], user=None) -> dict:
    comments = list(_comments(emails, user).prefetch_related("target").order_by("created_at", "pk"))
    events = _events_about([comment.pk for comment in comments]) if comments else []
    reports = Flag.objects.filter(user=user).select_related("clause") if user is not None else []
    return {
        "comments": [
            {
                "id": comment.pk,
                "on": str(comment.target) if comment.target else None,
                "address": comment.get_absolute_url() if comment.is_public else None,
                "reply_to": comment.parent_id,
                "status": comment.status,
                "name": comment.author_name,
                "email": comment.author_email,
                "organisation": comment.organisation,
                "declaration_of_interest": comment.declaration_of_interest,
                "text": comment.text,
                "notify_replies": comment.notify_replies,
                "ip_address_hash_held": bool(comment.ip_hash),
                "created_at": _date(comment.created_at),
                "edited_at": _date(comment.edited_at),
                "confirmed_at": _date(comment.confirmed_at),
            }
            for comment in comments
        ],
        # Who moderated is the moderators' own data; the person learns what was decided, when and why.
        "moderation_events": [
            {
                "comment": event.object_id,
                "action": event.action,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "clause": str(event.clause) if event.clause else None,
                "note": event.note,
                "by": "staff" if event.actor_id else "automatic checks",
                "at": _date(event.created_at),
            }
            for event in events
        ],
        "reports_made": [
            {
                "comment": flag.comment_id,
                "clause": str(flag.clause),
                "note": flag.note,
                "created_at": _date(flag.created_at),
                "resolved_at": _date(flag.resolved_at),
            }
            for flag in reports
        ],
        "bans": [
            {
                "kind": ban.kind,
                "until": _date(ban.until),
                "reason": ban.reason,
                "created_at": _date(ban.created_at),
            }
            for ban in _bans(emails, user)
        ],
        "confirmed_addresses": [
            {"email": row.email, "confirmed_at": _date(row.confirmed_at)}
            for row in ConfirmedAddress.objects.filter(email__in=list(emails))
        ],
        "trusted_commenter": [
            {"email": row.email, "note": row.note, "created_at": _date(row.created_at)} for row in _trust(emails, user)
        ],
    }


def personal_data_counts(*, emails: Collection[str], user=None) -> dict[str, int]:
    return {
        "comments": _comments(emails, user).count(),
        "reports_made": Flag.objects.filter(user=user).count() if user is not None else 0,
        "bans": _bans(emails, user).count(),
        "confirmed_addresses": ConfirmedAddress.objects.filter(email__in=list(emails)).count(),
    }


def personal_data_erase(*, emails: Collection[str], user=None) -> dict[str, int]:
    """Delete the person's comments, or anonymise those that replies hang on; keep bans, by hash.

    Runs inside the caller's transaction. A ban outlives the erasure (stopping harassment is
    the platform's legitimate interest) but names the address only by its keyed hash.
    """
    counts = {"comments_deleted": 0, "comments_anonymised": 0}
    # Deepest first, so a thread made only of the person's own comments goes entirely.
    for comment in _comments(emails, user).order_by("-depth", "-pk"):
        if Comment.objects.filter(parent=comment).exists():
            _anonymise(comment)
            counts["comments_anonymised"] += 1
        else:
            _events_about([comment.pk]).delete()
            comment.delete()
            counts["comments_deleted"] += 1
    counts["bans_kept_by_hash"] = _bans_to_hashes(emails, user)
    ConfirmedAddress.objects.filter(email__in=list(emails)).delete()
    _trust(emails, user).delete()
    # Others' words about the person stay, without the address.
    redact_mentions(ModerationEvent.objects.all(), fields=["note"], emails=emails)
    redact_mentions(Flag.objects.all(), fields=["note"], emails=emails)
    redact_mentions(Ban.objects.all(), fields=["reason"], emails=emails)
    counts["comments_quoting_redacted"] = _redact_in_comments(emails)
    return counts


def _redact_in_comments(emails: Collection[str]) -> int:
    """Take the address out of comments others wrote, keeping their words; the HTML is rendered again."""
    pattern = address_pattern(emails)
    if pattern is None:
        return 0
    changed = 0
    mentions = Comment.objects.filter(mentioning("text", emails)).only("pk", "text", "content_type_id", "object_id")
    for comment in mentions.iterator(chunk_size=500):
        text = pattern.sub(ADDRESS_REMOVED, comment.text)
        changed += Comment.objects.filter(pk=comment.pk).update(text=text, text_html=comment_html(text))
        tags_bump(*thread_tags_of(comment))
    return changed


def _anonymise(comment: Comment) -> None:
    comment.author_name = ERASED_AUTHOR
    comment.author_email = ""
    comment.organisation = ""
    comment.declaration_of_interest = ""
    comment.ip_hash = ""
    comment.user = None
    comment.notify_replies = False
    comment.text = _("This comment was removed at its author's request.")
    if comment.status != Comment.Status.REMOVED:
        comment.status = Comment.Status.REMOVED
        comment.status_changed_at = timezone.now()
    comment.save()


def _bans_to_hashes(emails: Collection[str], user) -> int:
    kept = 0
    for ban in _bans(emails, user):
        email = ban.value if ban.kind == Ban.Kind.EMAIL else user.email
        if not email:
            ban.delete()
            continue
        Ban.objects.filter(pk=ban.pk).update(kind=Ban.Kind.EMAIL, value=Ban.erased_value(email), user=None)
        kept += 1
    return kept
