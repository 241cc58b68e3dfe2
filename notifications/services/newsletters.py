"""Newsletter issues: composed by editors, previewed and tested, then sent once through the outbox.

Sending starts under a lock on the issue's row: the first start renders the issue into one
``Broadcast`` keyed by the issue's id and hands it to the fan-out every announcement uses, so
a second "send" (a double click, a second sender, the beat) finds the issue started and does
nothing, and the fan-out's own idempotency means no reader gets it twice.
"""

import logging
import re
import textwrap
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core.markdown import render_markdown
from notifications import rendering, sending, tokens
from notifications.models import Broadcast, Delivery, NewsletterIssue, Stream, Subscriber, Suppression
from notifications.registry import NewsletterItem, newsletter_block_source
from notifications.services.broadcasts import broadcast_dispatch
from notifications.services.outbox import delivery_enqueue

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

log = logging.getLogger(__name__)

TEMPLATE = "newsletter"
KIND = "newsletter"
TEST_KIND = "newsletter-test"
Status = NewsletterIssue.Status

# Mail programs ignore style sheets in <head> often enough: each element the sanitiser lets
# through carries its own style.
INLINE_STYLES = {
    "p": "margin:0 0 16px;",
    "h2": "margin:24px 0 12px;font-family:Georgia,'Times New Roman',serif;font-size:22px;line-height:1.3;",
    "h3": "margin:20px 0 8px;font-size:18px;line-height:1.3;",
    "h4": "margin:16px 0 8px;font-size:16px;",
    "ul": "margin:0 0 16px;padding-left:24px;",
    "ol": "margin:0 0 16px;padding-left:24px;",
    "li": "margin:0 0 4px;",
    "blockquote": "margin:0 0 16px;padding:0 0 0 12px;border-left:4px solid #b1b4b6;color:#505a5f;",
    "a": "color:#2e008b;text-decoration:underline;",
    "pre": "margin:0 0 16px;padding:12px;background:#f3f2f1;white-space:pre-wrap;",
    "table": "border-collapse:collapse;margin:0 0 16px;",
    "th": "border:1px solid #b1b4b6;padding:4px 8px;text-align:left;",
    "td": "border:1px solid #b1b4b6;padding:4px 8px;",
    "hr": "border:0;border-top:1px solid #b1b4b6;margin:24px 0;",
}
OPENING_TAG = re.compile(r"<(" + "|".join(INLINE_STYLES) + r")(\s|>|/>)")
# SMTP allows lines of 998 bytes; a longer one makes the whole part quoted-printable, and the
# outbox then builds each reader's copy in full instead of substituting their links.
LINE_LIMIT = 400


def styled_html(markdown_text: str) -> str:
    """The body's Markdown as sanitised HTML (the analyses' sanitiser), each element styled inline."""
    html = render_markdown(markdown_text)
    html = OPENING_TAG.sub(lambda match: f'<{match[1]} style="{INLINE_STYLES[match[1]]}"{match[2]}', html)
    return html if "<pre" in html else _wrap_html(html)


def _wrap_html(html: str) -> str:
    lines = []
    for line in html.split("\n"):
        while len(line) > LINE_LIMIT:
            # Break at a space outside any tag: a space with no "<" before the next ">".
            cut = next(
                (m.start() for m in re.finditer(r" (?![^<]*>)", line) if m.start() >= LINE_LIMIT // 2),
                -1,
            )
            if cut < 0:
                break
            lines.append(line[:cut])
            line = line[cut + 1 :]
        lines.append(line)
    return "\n".join(lines)


def wrapped_text(text: str) -> str:
    return "\n".join(
        textwrap.fill(line, width=LINE_LIMIT, break_long_words=False, break_on_hyphens=False)
        if len(line) > LINE_LIMIT
        else line
        for line in text.splitlines()
    )


def newsletter_items(issue: NewsletterIssue) -> list[NewsletterItem]:
    """The issue's blocks in order, each read through its source; one query per kind of content.

    A block whose object is gone or no longer public (an unpublished analysis, a closed consultation)
    is left out rather than linking to a page readers cannot see.
    """
    blocks = list(issue.blocks.all())
    by_source: dict[str, list[int]] = {}
    for block in blocks:
        by_source.setdefault(block.source, []).append(block.object_id)
    found: dict[str, dict[int, NewsletterItem]] = {}
    for key, ids in by_source.items():
        source = newsletter_block_source(key)
        found[key] = source.items(ids) if source is not None else {}
    return [found[block.source][block.object_id] for block in blocks if block.object_id in found[block.source]]


def newsletter_context(issue: NewsletterIssue, *, test: bool = False) -> dict[str, Any]:
    return {
        "subject": issue.subject,
        "preheader": issue.preheader,
        "body_html": styled_html(issue.body),
        "body_text": wrapped_text(issue.body.strip()),
        "items": newsletter_items(issue),
        "test": test,
    }


def newsletter_render(issue: NewsletterIssue, *, test: bool = False) -> rendering.Rendered:
    """The issue as the outbox sends it, with placeholders where each reader's own links go.

    The send, the preview and the test all use this rendering.
    """
    return rendering.render(TEMPLATE, {**newsletter_context(issue, test=test), **sending.PLACEHOLDER_CONTEXT})


def newsletter_preview(issue: NewsletterIssue, *, email: str) -> rendering.Rendered:
    """The issue exactly as ``email`` would receive it: the rendering the send uses, with that reader's links.

    Once sending has started, what was sent (stored on the broadcast), whatever changed on the site since.
    """
    broadcast = issue.broadcast
    if broadcast is not None:
        rendered = rendering.Rendered(subject=broadcast.subject, text=broadcast.body_text, html=broadcast.body_html)
    else:
        rendered = newsletter_render(issue)
    links = tokens.bulk_links(email)
    swap = {sending.UNSUBSCRIBE_URL: links["unsubscribe_url"], sending.PREFERENCES_URL: links["preferences_url"]}
    return rendering.Rendered(
        subject=rendered.subject,
        text=sending.substitute(rendered.text, swap),
        html=sending.substitute(rendered.html, swap),
    )


def newsletter_recipient_count(issue: NewsletterIssue) -> int:
    """How many would receive the issue if it went now (confirmed, not unsubscribed, not suppressed)."""
    return Subscriber.objects.newsletter_audience(issue).count()


def newsletter_send_test(*, issue: NewsletterIssue, user: "AbstractBaseUser | AnonymousUser") -> int:
    """One "[Test]" copy to the editor and each saved test address, through the outbox.

    Test copies are rows of their own kind, not of the issue's broadcast, so the issue's counts never
    include them; each press sends again. Returns how many were queued (suppressed addresses are not).
    """
    addresses = [getattr(user, "email", ""), *issue.test_address_list()]
    stamp = timezone.now().isoformat()
    queued = 0
    with transaction.atomic():
        for address in dict.fromkeys(a.strip().lower() for a in addresses if a and a.strip()):
            delivery = delivery_enqueue(
                recipient=address,
                template=TEMPLATE,
                context=newsletter_context(issue, test=True),
                kind=TEST_KIND,
                idempotency_key=f"newsletter-test:{issue.pk}:{stamp}",
                about=issue,
                stream=Stream.BULK,
            )
            queued += delivery is not None and delivery.status == Delivery.Status.QUEUED
    return queued


def newsletter_schedule(*, issue_id: int, send_at: datetime) -> bool:
    """Schedule a draft (or move a scheduled issue's time); False when it has started or was cancelled."""
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if not issue.is_editable:
            return False
        issue.status, issue.send_at = Status.SCHEDULED, send_at
        issue.save(update_fields=["status", "send_at", "updated_at"])
    return True


def newsletter_cancel(*, issue_id: int) -> bool:
    """Cancel an issue that has not started; False once it has (a started send cannot be called back)."""
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if not issue.is_editable:
            return False
        issue.status = Status.CANCELLED
        issue.save(update_fields=["status", "updated_at"])
    return True


def newsletter_send(*, issue_id: int, user: "AbstractBaseUser | None" = None) -> bool:
    """Start sending the issue now; True if this call started it, False if it had started, or was cancelled.

    The issue's row is locked while it is rendered into its broadcast, so two sends at once start one.
    """
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if not issue.is_editable:
            return False
        rendered = newsletter_render(issue)
        broadcast, created = Broadcast.objects.get_or_create(
            key=f"newsletter:{issue.pk}",
            defaults={
                "kind": KIND,
                "audience": Broadcast.Audience.NEWSLETTER,
                "template": TEMPLATE,
                "content_type": ContentType.objects.get_for_model(NewsletterIssue),
                "object_id": issue.pk,
                "subject": rendered.subject,
                "body_text": rendered.text,
                "body_html": rendered.html,
            },
        )
        issue.status, issue.broadcast, issue.started_at = Status.SENDING, broadcast, timezone.now()
        issue.sent_by_id = user.pk if user is not None else issue.sent_by_id
        issue.save(update_fields=["status", "broadcast", "started_at", "sent_by", "updated_at"])
        if created:
            transaction.on_commit(partial(broadcast_dispatch, broadcast_id=broadcast.pk))
    log.info("Newsletter issue %s started sending.", issue_id)
    return True


def newsletters_send_due() -> int:
    """Beat: start scheduled issues whose time has come, and mark finished the ones whose every email
    was sent or gave up. Safe to run as often as wanted; returns how many it started."""
    due = NewsletterIssue.objects.filter(status=Status.SCHEDULED, send_at__lte=timezone.now())
    started = sum(newsletter_send(issue_id=pk) for pk in due.values_list("pk", flat=True))
    unfinished = Delivery.objects.filter(
        broadcast=OuterRef("broadcast"), status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    finishing = NewsletterIssue.objects.filter(status=Status.SENDING, broadcast__fanned_out_at__isnull=False).exclude(
        Exists(unfinished)
    )
    for issue in finishing:
        issue.status, issue.finished_at = Status.SENT, timezone.now()
        newsletter_counts_keep(issue, extra_fields=["status", "finished_at"])
    return started


COUNT_FIELDS = {
    "recipients": "recipients_count",
    "sent": "sent_count",
    "failed": "failed_count",
    "bounced": "bounced_count",
    "complained": "complained_count",
    "suppressed": "suppressed_count",
    "unsubscribed": "unsubscribed_count",
}


def newsletter_counts_keep(issue: NewsletterIssue, *, final: bool = False, extra_fields: Sequence[str] = ()) -> None:
    """Store the issue's counts on it, so they outlive its emails, which the retention job deletes.

    ``final``: its emails are about to go, so these counts are the last that can be taken.
    """
    if issue.counts_final:
        return
    stats = newsletter_stats(issue)
    for name, field in COUNT_FIELDS.items():
        setattr(issue, field, stats[name])
    issue.counted_at, issue.counts_final = timezone.now(), final
    issue.save(update_fields=[*COUNT_FIELDS.values(), "counted_at", "counts_final", *extra_fields])


def newsletters_counts_keep_before(cutoff: datetime) -> int:
    """Nightly, before emails written before ``cutoff`` are deleted: refresh every sent issue's counts
    (bounces and complaints keep arriving for days), final for the issues whose emails are going."""
    issues = list(NewsletterIssue.objects.filter(status=Status.SENT, counts_final=False))
    going = set(
        Delivery.objects.filter(broadcast__in=[issue.broadcast_id for issue in issues], created_at__lt=cutoff)
        .values_list("broadcast_id", flat=True)
        .distinct()
    )
    for issue in issues:
        newsletter_counts_keep(issue, final=issue.broadcast_id in going)
    return len(issues)


def newsletter_stats(issue: NewsletterIssue) -> dict[str, int]:
    """What happened to the issue's emails, from the outbox and the provider's reports; test copies excluded.

    "Unsubscribed" counts readers who unsubscribed after the issue reached them.
    """
    names = ("recipients", "queued", "sent", "failed", "bounced", "complained", "suppressed", "unsubscribed")
    if issue.broadcast_id is None:
        return dict.fromkeys(names, 0)
    if issue.counts_final:
        return {"queued": 0} | {name: getattr(issue, field) for name, field in COUNT_FIELDS.items()}
    rows = Delivery.objects.filter(broadcast_id=issue.broadcast_id).order_by()
    Status_ = Delivery.Status
    bounce = Q(status=Status_.FAILED, last_error__startswith=f"{Suppression.Reason.HARD_BOUNCE.label}:")
    complaint = Q(status=Status_.FAILED, last_error__startswith=f"{Suppression.Reason.COMPLAINT.label}:")
    unsubscribed = Exists(
        Suppression.objects.filter(
            email=OuterRef("recipient"), reason=Suppression.Reason.UNSUBSCRIBED, created_at__gte=OuterRef("sent_at")
        )
    )
    counts = rows.aggregate(
        recipients=Count("pk"),
        queued=Count("pk", filter=Q(status__in=[Status_.QUEUED, Status_.SENDING])),
        sent=Count("pk", filter=Q(status=Status_.SENT)),
        failed=Count("pk", filter=Q(status=Status_.FAILED) & ~bounce & ~complaint),
        bounced=Count("pk", filter=bounce),
        complained=Count("pk", filter=complaint),
        suppressed=Count("pk", filter=Q(status=Status_.SUPPRESSED)),
        unsubscribed=Count("pk", filter=Q(unsubscribed, sent_at__isnull=False)),
    )
    return {name: counts[name] for name in names}
