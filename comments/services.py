import hashlib
import hmac
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MODERATORS
from comments import emails, pipeline
from comments.models import PATH_SEPARATOR, Comment, CommentReason, ConfirmedAddress, Flag
from comments.tokens import stop_replies_subject
from moderation.models import ModerationEvent, PolicyClause, PolicyVersion
from moderation.services import moderation_event_record

Status = Comment.Status


def comment_set_status(*, comment: Comment, status: str) -> None:
    comment.status = status
    comment.status_changed_at = timezone.now()
    comment.save(update_fields=["status", "status_changed_at"])


# --- Submitting, confirming, editing -------------------------------------------------------------


class CommentRefused(Exception):
    """Nothing was saved; the message tells the author why, ``kind`` (a ``pipeline.Refusal``) what sort of no it is."""

    def __init__(self, message: str, *, kind: str = pipeline.Refusal.CONFLICT, retry_after: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after

    @classmethod
    def from_verdict(cls, verdict: pipeline.Verdict) -> "CommentRefused":
        return cls(verdict.refusal, kind=verdict.refusal_kind, retry_after=verdict.retry_after)


def ip_hash_of(address: str | None) -> str:
    """A keyed hash of an IP address: equal addresses match, but the address cannot be recovered."""
    if not address:
        return ""
    key = settings.COMMENTS_IP_HASH_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def reply_parent(parent: Comment | None) -> Comment | None:
    """Replies beyond the deepest level attach to the deepest allowed ancestor."""
    max_depth = settings.COMMENTS_MAX_DEPTH
    if parent is None or parent.depth < max_depth:
        return parent
    ancestor_id = int(parent.path.split(PATH_SEPARATOR)[max_depth - 1]) if max_depth > 0 else None
    return Comment.objects.get(pk=ancestor_id) if ancestor_id else None


def address_is_confirmed(*, email: str, user: User | AnonymousUser | None = None) -> bool:
    if user is not None and user.is_authenticated:
        return bool(EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists())
    return ConfirmedAddress.objects.filter(email=email).exists()


@transaction.atomic
def comment_submit(
    *,
    target: models.Model,
    text: str,
    author_name: str,
    author_email: str,
    user: User | AnonymousUser | None = None,
    parent: Comment | None = None,
    ip_address: str | None = None,
    honeypot: str = "",
    seconds_to_write: float | None = None,
    organisation: str = "",
    declaration_of_interest: str = "",
    notify_replies: bool = False,
) -> Comment:
    """Run the checks and save the comment with their verdict; raises CommentRefused when nothing is saved."""
    account = user if user is not None and user.is_authenticated else None
    if account is not None:
        author_email = account.email
        author_name = account.get_full_name() or author_name or account.get_username()
    author_email = author_email.strip().lower()
    ip_hash = ip_hash_of(ip_address)
    verdict = pipeline.run(
        pipeline.Submission(
            target=target,
            text=text,
            author_email=author_email,
            user=user,
            ip_hash=ip_hash,
            honeypot=honeypot,
            seconds_to_write=seconds_to_write,
        )
    )
    if verdict.refused:
        raise CommentRefused.from_verdict(verdict)
    policy_version = PolicyVersion.objects.current()
    if policy_version is None:
        raise CommentRefused(_("Comments open once the comment policy is published."))
    status = verdict.status
    publishable = status in (Status.APPROVED, Status.PENDING)
    confirmed = address_is_confirmed(email=author_email, user=user)
    if publishable and not confirmed:
        status = Status.UNCONFIRMED
    comment = Comment(
        target=target,
        text=text,
        author_name=author_name.strip(),
        author_email=author_email,
        user=account,
        organisation=organisation.strip(),
        declaration_of_interest=declaration_of_interest.strip() if organisation.strip() else "",
        notify_replies=notify_replies,
        status=status,
        reasons=verdict.reasons,
        policy_version=policy_version,
        ip_hash=ip_hash,
        confirmed_at=timezone.now() if confirmed else None,
    )
    comment_insert(comment=comment, parent=reply_parent(parent))
    moderation_event_record(
        subject=comment, actor=None, action="submit", from_status="", to_status=status, reasons=verdict.reasons
    )
    _after_status_change(comment)
    return comment


def comment_insert(*, comment: Comment, parent: Comment | None) -> Comment:
    """Save a new comment in its thread: depth, root and materialised path."""
    comment.place_under(parent)
    # Known before the first save, so the thread's approved count (comments.counts) includes a reply at once.
    comment.root_id = parent.root_id if parent else None
    comment.save()
    # The path holds the comment's own id, known only once the row exists.
    comment.path = comment.path_with_own_id()
    comment.root_id = parent.root_id if parent else comment.pk
    Comment.objects.filter(pk=comment.pk).update(path=comment.path, root_id=comment.root_id)
    reason_rows_write(comment)
    return comment


def reason_rows_write(comment: Comment) -> None:
    """Mirror the comment's reason codes into CommentReason, which the queue's reason filter reads."""
    CommentReason.objects.filter(comment=comment).delete()
    codes = dict.fromkeys(pipeline.reason_code(reason) for reason in comment.reasons)
    CommentReason.objects.bulk_create([CommentReason(comment=comment, code=code) for code in codes])


def _after_status_change(comment: Comment) -> None:
    if comment.status == Status.UNCONFIRMED:
        emails.guest_confirmation(comment=comment)
    elif comment.status == Status.PENDING:
        moderator_alerts_send(comment=comment)
    elif comment.status == Status.APPROVED:
        emails.reply_notification(comment=comment)
    elif comment.status == Status.REJECTED:
        auto_rejection_notify(comment=comment)


def auto_rejection_notify(*, comment: Comment) -> None:
    """Tell a proven address why the checks rejected its comment; an unproven one reads it on the page only."""
    if comment.confirmed_at is not None:
        emails.comment_auto_rejected(comment=comment)


@transaction.atomic
def comment_confirm(*, comment: Comment) -> Comment:
    """The guest proved the address: it is remembered, and each of its waiting comments enters moderation."""
    ConfirmedAddress.objects.get_or_create(email=comment.author_email)
    waiting = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(author_email=comment.author_email, status=Status.UNCONFIRMED)
    )
    for each in waiting:
        each.confirmed_at = timezone.now()
        each.save(update_fields=["confirmed_at"])
        staff = each.user is not None and each.user.is_staff
        comment_set_status(comment=each, status=pipeline.status_for(each.reasons, staff=staff))
        moderation_event_record(
            subject=each, actor=None, action="confirm", from_status=Status.UNCONFIRMED, to_status=each.status
        )
        _after_status_change(each)
    comment.refresh_from_db()
    return comment


def can_edit(*, comment: Comment, user: User | AnonymousUser | None) -> bool:
    """Signed-in authors may change their own comment for a short while, unless a moderator already acted."""
    if user is None or not user.is_authenticated or comment.user_id != user.pk:
        return False
    window = timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    editable = {Status.UNCONFIRMED, Status.PENDING, Status.APPROVED}
    return comment.status in editable and timezone.now() < comment.created_at + window


@transaction.atomic
def comment_edit(
    *,
    comment: Comment,
    user: User | AnonymousUser,
    text: str,
    organisation: str = "",
    declaration_of_interest: str = "",
) -> Comment:
    """Change the text and run the checks again; the edit may send the comment back to moderation."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if not can_edit(comment=locked, user=user):
        raise CommentRefused(
            _("You can change a comment only within %(minutes)s minutes of posting it.")
            % {"minutes": settings.COMMENTS_EDIT_MINUTES}
        )
    verdict = pipeline.run(
        pipeline.Submission(
            target=locked.target, text=text, author_email=locked.author_email, user=user, editing=locked
        )
    )
    if verdict.refused:
        raise CommentRefused.from_verdict(verdict)
    from_status = locked.status
    locked.text = text
    locked.organisation = organisation.strip()
    locked.declaration_of_interest = declaration_of_interest.strip() if locked.organisation else ""
    locked.edited_at = timezone.now()
    locked.reasons = verdict.reasons
    locked.save(update_fields=["text", "organisation", "declaration_of_interest", "edited_at", "reasons"])
    reason_rows_write(locked)
    status = verdict.status if from_status != Status.UNCONFIRMED else from_status
    if status != from_status:
        comment_set_status(comment=locked, status=status)
    moderation_event_record(
        subject=locked, actor=user, action="edit", from_status=from_status, to_status=status, reasons=verdict.reasons
    )
    if status == Status.PENDING and from_status != Status.PENDING:
        moderator_alerts_send(comment=locked)
    if status == Status.REJECTED and from_status != Status.REJECTED:
        auto_rejection_notify(comment=locked)
    return locked


@transaction.atomic
def comment_withdraw(*, comment: Comment, user: User | AnonymousUser) -> Comment:
    """The author deletes their own comment; replies keep their place under a placeholder."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if not can_edit(comment=locked, user=user):
        raise CommentRefused(
            _("You can delete a comment only within %(minutes)s minutes of posting it.")
            % {"minutes": settings.COMMENTS_EDIT_MINUTES}
        )
    from_status = locked.status
    comment_set_status(comment=locked, status=Status.REMOVED)
    moderation_event_record(
        subject=locked, actor=user, action="withdraw", from_status=from_status, to_status=Status.REMOVED
    )
    return locked


# --- Reader reports --------------------------------------------------------------------------


@transaction.atomic
def comment_report(*, comment: Comment, user: User | AnonymousUser, clause: PolicyClause, note: str = "") -> Flag:
    """Record a reader's report; enough distinct reporters send the comment back to the moderators."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.status != Status.APPROVED:
        raise CommentRefused(_("This comment is no longer published."))
    assert isinstance(user, User)  # reporting sits behind login_required and IsAuthenticated
    flag, created = Flag.objects.get_or_create(
        comment=locked, user=user, defaults={"clause": clause, "note": note.strip()}
    )
    if not created:
        raise CommentRefused(_("You have already reported this comment. Thank you."))
    reporters = locked.flags.filter(resolved_at__isnull=True).count()
    if reporters == settings.COMMENTS_REPORTS_TO_REQUEUE:
        _requeue_reported(locked)
    return flag


def _requeue_reported(comment: Comment) -> None:
    if settings.COMMENTS_HIDE_REPORTED:
        comment.reasons = [*comment.reasons, "reported"]
        comment.save(update_fields=["reasons"])
        reason_rows_write(comment)
        comment_set_status(comment=comment, status=Status.PENDING)
        moderation_event_record(
            subject=comment,
            actor=None,
            action="reported",
            from_status=Status.APPROVED,
            to_status=Status.PENDING,
            reasons=["reported"],
        )
    moderator_alerts_send(comment=comment)


# --- Moderator alerts and housekeeping ------------------------------------------------------


def moderators() -> models.QuerySet[User]:
    staff = Q(groups__name=MODERATORS) | Q(is_superuser=True)
    return get_user_model().objects.filter(staff, is_active=True, is_staff=True).exclude(email="").distinct()


def alert_window(at: datetime | None = None) -> int:
    """The number of the current alert window; a moderator gets at most one alert per window."""
    seconds = settings.COMMENTS_ALERT_MINUTES * 60
    return int((at or timezone.now()).timestamp() // seconds)


def moderator_alerts_send(*, comment: Comment | None = None) -> int:
    """Alert every moderator that comments wait, once per window; immediate mode alerts as a comment arrives."""
    if comment is not None and settings.COMMENTS_ALERTS != "immediate":
        return 0
    waiting = Comment.objects.pending().count() + Comment.objects.reported().count()
    if not waiting:
        return 0
    window = alert_window()
    for moderator in moderators():
        emails.moderator_alert(moderator=moderator, waiting=waiting, comment=comment, window=window)
    return waiting


def moderator_alerts_batch() -> int:
    """In batched mode, one summary per window for the comments that arrived in the last one."""
    if settings.COMMENTS_ALERTS != "batched":
        return 0
    since = timezone.now() - timedelta(minutes=settings.COMMENTS_ALERT_MINUTES)
    if not Comment.objects.pending().filter(status_changed_at__gte=since).exists():
        return 0
    return moderator_alerts_send()


def comments_expire_unconfirmed() -> int:
    """Delete comments whose address was never confirmed in time, with their audit rows."""
    cutoff = timezone.now() - timedelta(hours=settings.COMMENTS_UNCONFIRMED_HOURS)
    expired = list(
        Comment.objects.filter(status=Status.UNCONFIRMED, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    content_type = ContentType.objects.get_for_model(Comment)
    with transaction.atomic():
        ModerationEvent.objects.filter(content_type=content_type, object_id__in=expired).delete()
        Comment.objects.filter(pk__in=expired).delete()
    return len(expired)


def comments_erase_ip_hashes() -> int:
    cutoff = timezone.now() - timedelta(days=settings.COMMENTS_IP_HASH_DAYS)
    return Comment.objects.filter(created_at__lt=cutoff).exclude(ip_hash="").update(ip_hash="")


# --- Reply notifications ------------------------------------------------------------------


def comment_replies_stop(*, token: str) -> int:
    """Turn off reply emails for every comment of that address in that thread."""
    root_id, email = stop_replies_subject(token)
    return Comment.objects.filter(root_id=root_id, author_email__iexact=email, notify_replies=True).update(
        notify_replies=False
    )
