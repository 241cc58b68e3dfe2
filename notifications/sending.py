"""Claiming deliveries and sending them in chunks over one connection.

A row is claimed by a conditional UPDATE (queued -> sending, stamped with a
fresh claim token), so two workers given the same ids never both send a row.
Each row is marked sent right after the server accepts it (``sent_marks``): if a
worker dies, only one message can be sent again, and it keeps its Message-ID so
the receiving side can recognise it.
"""

import contextlib
import logging
import re
import smtplib
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db.models import F
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from core.personal_data import address_hash
from notifications import tokens
from notifications.models import Broadcast, Delivery, Stream, Suppression
from notifications.sent_marks import MarkNotWritten, sent_marks

log = logging.getLogger(__name__)

PERMANENT = "permanent"
TRANSIENT = "transient"
CONNECTION = "connection"

UNSUBSCRIBE_URL = "__UNSUBSCRIBE_URL__"
PREFERENCES_URL = "__PREFERENCES_URL__"
MESSAGE_ID = "<__MESSAGE_ID__>"
# Broadcast templates are rendered once with these in place of each reader's links.
PLACEHOLDER_CONTEXT = {"unsubscribe_url": UNSUBSCRIBE_URL, "preferences_url": PREFERENCES_URL}


class OutboxEmail(EmailMultiAlternatives):
    """An email whose MIME bytes may come ready-made from a per-chunk template.

    Its attributes (to, subject, body, alternatives, headers) are always the real
    ones, so any backend can read them; only ``message()`` takes the short cut.
    """

    prebuilt: bytes | None = None

    def message(self):
        if self.prebuilt is None:
            return super().message()
        return PrebuiltMessage(self.prebuilt)


class PrebuiltMessage:
    """The slice of ``email.message.Message`` that Django's backends use."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode()

    def get_charset(self) -> None:
        return None


def make_email(*, recipient: str, subject: str, text: str, html: str, headers: dict[str, str]) -> OutboxEmail:
    email = OutboxEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient] if recipient else [],
        reply_to=[settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else None,
        headers=headers,
    )
    if html:
        email.attach_alternative(html, "text/html")
    return email


class BroadcastTemplate:
    """A broadcast's MIME bytes built once, personalised per reader by substitution."""

    def __init__(self, broadcast: Broadcast) -> None:
        self.broadcast = broadcast
        blank = make_email(
            recipient="",
            subject=broadcast.subject,
            text=broadcast.body_text,
            html=broadcast.body_html,
            headers={"Message-ID": MESSAGE_ID},
        )
        head, _, body = bytes(blank.message().as_bytes(linesep="\r\n")).partition(b"\r\n\r\n")
        self.head, self.body = head, body
        # The body as SMTP's DATA carries it, made once rather than per reader: what each reader's copy
        # puts in (addresses, links) never starts a line, so never needs a dot doubled.
        self.wire_body = wire_form(body)
        # A line longer than 998 bytes makes Django quoted-print a part, which
        # may break a placeholder across lines: such a broadcast is built per reader.
        expected = sum(part.count(UNSUBSCRIBE_URL) for part in (broadcast.body_text, broadcast.body_html))
        self.usable = MESSAGE_ID.encode() in head and body.count(UNSUBSCRIBE_URL.encode()) == expected

    def personalise(self, *, recipient: str, message_id: str, links: dict[str, str], wire: bool = False) -> bytes:
        """One reader's message; ``wire``: in the form SMTP's DATA carries it (``wire_form``)."""
        lines = (
            f"To: {recipient}\r\n"
            f"List-Unsubscribe: <{links['unsubscribe_url']}>,\r\n <{links['unsubscribe_mailto']}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        ).encode()
        head = self.head.replace(MESSAGE_ID.encode(), message_id.encode())
        body = (
            (self.wire_body if wire else self.body)
            .replace(UNSUBSCRIBE_URL.encode(), links["unsubscribe_url"].encode())
            .replace(PREFERENCES_URL.encode(), links["preferences_url"].encode())
        )
        return lines + head + b"\r\n\r\n" + body


def wire_form(message: bytes) -> bytes:
    """A message's bytes as SMTP's DATA carries them: a line's leading dot doubled, ending in CRLF
    (what ``smtplib.SMTP.data`` does to every message it sends)."""
    stuffed = re.sub(rb"(?m)^\.", b"..", message)
    return stuffed if stuffed.endswith(b"\r\n") else stuffed + b"\r\n"


class MessageBuilder:
    """Turns claimed rows into emails; keeps one template per broadcast for the chunk."""

    def __init__(self) -> None:
        self.templates: dict[int, BroadcastTemplate] = {}

    def build(self, delivery: Delivery) -> OutboxEmail:
        headers = {**delivery.headers, "Message-ID": delivery.message_id}
        if delivery.broadcast_id is None:
            return make_email(
                recipient=delivery.recipient,
                subject=delivery.subject,
                text=delivery.body_text,
                html=delivery.body_html,
                headers=headers,
            )
        return self.build_from_broadcast(delivery, headers)

    def build_from_broadcast(self, delivery: Delivery, headers: dict[str, str]) -> OutboxEmail:
        broadcast = delivery.broadcast
        assert broadcast is not None  # called for rows with a broadcast_id only
        links = tokens.bulk_links(delivery.recipient)
        swap = {UNSUBSCRIBE_URL: links["unsubscribe_url"], PREFERENCES_URL: links["preferences_url"]}
        email = make_email(
            recipient=delivery.recipient,
            subject=broadcast.subject,
            text=substitute(broadcast.body_text, swap),
            html=substitute(broadcast.body_html, swap),
            headers={**headers, **tokens.unsubscribe_headers(links)},
        )
        email.prebuilt = self.build_bytes(delivery, links)
        return email

    def build_bytes(
        self, delivery: Delivery, links: dict[str, str] | None = None, *, wire: bool = False
    ) -> bytes | None:
        """A broadcast message's finished MIME bytes (``wire``: in SMTP's DATA form), or None where it has
        to be built in full."""
        if delivery.broadcast_id is None or not delivery.recipient.isascii():
            return None
        template = self.templates.get(delivery.broadcast_id)
        if template is None:
            assert delivery.broadcast is not None  # broadcast_id is set
            template = self.templates[delivery.broadcast_id] = BroadcastTemplate(delivery.broadcast)
        if not template.usable:
            return None
        return template.personalise(
            recipient=delivery.recipient,
            message_id=delivery.message_id,
            links=links or tokens.bulk_links(delivery.recipient),
            wire=wire,
        )


class Transport:
    """Hands messages to the configured backend over one open connection.

    With Django's SMTP backend, ready-made bytes go straight to smtplib: the
    backend would parse the sender and recipient addresses again for every
    message, which costs as much as the rest of building it.
    """

    def __init__(self, connection, builder: MessageBuilder) -> None:
        self.connection = connection
        self.builder = builder
        self.envelope_from = None
        # The next message's id and bytes (``prepare``), or None where it is to be built in its turn.
        self.prepared: tuple[int, bytes | None] | None = None
        if isinstance(connection, SmtpBackend):
            # Quoted once here: smtplib would parse the address again for every message.
            sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
            self.envelope_from = smtplib.quoteaddr(sender)

    def prepare(self, delivery: Delivery) -> None:
        """Build ``delivery``'s bytes ahead of its turn, while the server reads the message before it: the
        server then waits for nothing but the network between one message and the next."""
        if not self.envelope_from:
            return
        try:
            self.prepared = (delivery.pk, self.builder.build_bytes(delivery, wire=True))
        except Exception:
            # Built again in its turn, where a failure is that message's, not the one the server is reading.
            self.prepared = None

    def send(
        self, delivery: Delivery, *, before_content: Callable[[], None], then_prepare: Delivery | None = None
    ) -> str:
        """Send one row, calling ``before_content`` before the message itself goes out (over SMTP, after
        its envelope), and preparing ``then_prepare`` while the server reads it; returns the provider's
        message id where an API backend reports one."""
        data = self._bytes(delivery) if self.envelope_from else None
        if data is not None:
            assert self.envelope_from is not None  # set for the SMTP backend, the only one given bytes
            send_over_smtp(
                self.connection.connection,
                self.envelope_from,
                delivery.recipient,
                data,
                before_content=before_content,
                while_server_reads=(lambda: self.prepare(then_prepare)) if then_prepare else None,
            )
            return ""
        email = self.builder.build(delivery)
        before_content()
        self.connection.send_messages([email])
        return provider_message_id(email)

    def _bytes(self, delivery: Delivery) -> bytes | None:
        prepared, self.prepared = self.prepared, None
        if prepared is not None and prepared[0] == delivery.pk:
            return prepared[1]
        return self.builder.build_bytes(delivery, wire=True)


def send_over_smtp(
    smtp: smtplib.SMTP,
    sender: str,
    recipient: str,
    wire: bytes,
    *,
    before_content: Callable[[], None],
    while_server_reads: Callable[[], None] | None = None,
) -> None:
    """``smtplib.SMTP.sendmail`` for one ASCII recipient and a message already in its DATA form
    (``wire_form``), from a ``sender`` already quoted, calling ``before_content`` between the envelope
    (MAIL FROM, RCPT TO) and DATA and ``while_server_reads`` between the content and the server's answer
    to it, with sendmail's own errors and resets."""
    smtp.ehlo_or_helo_if_needed()
    options = f" size={len(wire)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, reply = smtp.docmd("mail", f"FROM:{sender}{options}")
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.docmd("rcpt", f"TO:<{recipient}>")
    if code not in (250, 251):
        _end_transaction(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    before_content()
    code, reply = smtp.docmd("data")
    if code != 354:
        _end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(wire + b".\r\n")
    if while_server_reads is not None:
        while_server_reads()
    code, reply = smtp.getreply()
    if code != 250:
        _end_transaction(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _end_transaction(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal, as sendmail does: the server closing (421) is followed, anything else reset."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):  # already gone: the error raised says why
        smtp.rset()


def provider_message_id(email: OutboxEmail) -> str:
    """The id an anymail backend got back, which the provider's bounce and complaint webhooks quote."""
    status = getattr(email, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    # One recipient per message, so anymail gives one id (a set only when recipients' ids differ).
    return "" if message_id is None or isinstance(message_id, set) else str(message_id)[:200]


def substitute(text: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


class RateLimiter:
    """At most ``per_second`` messages a second across every worker sharing the cache."""

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second

    def wait(self) -> None:
        if not self.per_second:
            return
        while True:
            second = int(time.time())
            key = f"notifications:send-rate:{second}"
            cache.add(key, 0, timeout=5)
            if cache.incr(key) <= self.per_second:
                return
            time.sleep(max(0.0, second + 1 - time.time()))


def classify(error: Exception) -> str:
    """Whether a send error is worth retrying, and whether the connection survived it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return PERMANENT if codes and all(500 <= code < 600 for code in codes) else TRANSIENT
    if isinstance(error, smtplib.SMTPResponseException):
        if error.smtp_code == 421:
            return CONNECTION
        return PERMANENT if 500 <= error.smtp_code < 600 else TRANSIENT
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return CONNECTION
    if isinstance(error, AnymailRecipientsRefused | AnymailInvalidAddress):
        return PERMANENT
    return TRANSIENT


def backoff(attempts: int) -> timedelta:
    """Exponential with a cap: 1, 2, 4, 8 ... minutes, never more than the cap."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


# What sending reads of a claimed row; the claim returns only these (the rest would be read and parsed,
# five timestamps among them, for every row of every chunk).
CLAIMED_FIELDS = (
    "id",
    "recipient",
    "kind",
    "stream",
    "idempotency_key",
    "subject",
    "body_text",
    "body_html",
    "headers",
    "broadcast_id",
    "attempts",
    "claim_token",
)


def deliveries_claim(*, ids: list[int]) -> list[Delivery]:
    token = uuid.uuid4()
    claimed = sorted(_claim(ids, token), key=lambda delivery: delivery.pk)
    # A chunk's rows share a broadcast or two; joining would copy its bodies into every row.
    broadcasts = Broadcast.objects.in_bulk({d.broadcast_id for d in claimed if d.broadcast_id})
    for delivery in claimed:
        if delivery.broadcast_id:
            delivery.broadcast = broadcasts[delivery.broadcast_id]
    return claimed


def _claim(ids: list[int], token: uuid.UUID) -> list[Delivery]:
    """The due rows among ``ids``, stamped with ``token`` by one conditional UPDATE that returns them
    (two workers given the same ids never both get a row)."""
    due = Delivery.objects.due().filter(pk__in=ids)
    values = {"status": Delivery.Status.SENDING, "claim_token": token, "claimed_at": timezone.now()}
    if not db_connection.features.can_return_columns_from_insert:  # no RETURNING (SQLite before 3.35)
        due.update(**values)
        return list(Delivery.objects.filter(pk__in=ids, claim_token=token).only(*CLAIMED_FIELDS))
    # The ORM's own UPDATE for the queryset, so ``due()`` stays the one definition of a due row.
    update = due.query.chain(UpdateQuery)
    assert isinstance(update, UpdateQuery)  # chain() returns the class it was given
    update.add_update_values(values)
    statement, params = update.get_compiler(due.db).as_sql()
    claimed_columns = [
        field.column for field in Delivery._meta.concrete_fields if field.attname in CLAIMED_FIELDS and field.column
    ]
    columns = ", ".join(db_connection.ops.quote_name(column) for column in claimed_columns)
    return list(Delivery.objects.raw(f"{statement} RETURNING {columns}", params))


def deliveries_send(*, ids: list[int]) -> dict[str, int]:
    """Send the rows among ``ids`` that are due, over one connection; returns counts by outcome."""
    claimed = deliveries_claim(ids=ids)
    counts = {"claimed": len(claimed), "sent": 0, "suppressed": 0, "failed": 0, "retry": 0}
    if not claimed:
        return counts
    to_send = _without_suppressed(claimed)
    counts["suppressed"] = len(claimed) - len(to_send)
    limiter = RateLimiter(settings.NOTIFICATIONS_SEND_RATE_PER_SECOND)
    connection = get_connection()
    transport = Transport(connection, MessageBuilder())
    try:
        connection.open()
    except Exception as error:
        log.warning("Could not connect to send %s deliveries: %s", len(to_send), error)
        for delivery in to_send:
            counts[_after_failure(delivery, error, TRANSIENT)] += 1
        return counts
    token = claimed[0].claim_token
    assert token is not None  # claimed rows are the ones stamped with the chunk's claim token
    lease = Lease(token=token)
    marks = sent_marks()
    index = 0
    try:
        for index, delivery in enumerate(to_send):
            if not lease.renew_if_due(holding=len(to_send) - index):
                break
            limiter.wait()
            try:
                upcoming = to_send[index + 1] if index + 1 < len(to_send) else None
                message_id = transport.send(delivery, before_content=marks.written, then_prepare=upcoming)
            except (MarkNotWritten, SoftTimeLimitExceeded):
                raise
            except Exception as error:
                outcome = classify(error)
                counts[_after_failure(delivery, error, outcome)] += 1
                if outcome == CONNECTION:
                    _release(to_send[index + 1 :])
                    break
            else:
                marks.add(delivery, message_id)
                counts["sent"] += 1
    except SoftTimeLimitExceeded:
        # Out of time (a slow server, a low send rate): the row in hand may have gone out, so it stays
        # claimed for the sweeper, as after a crash (sent at most twice); the rest go back untried.
        log.warning("Send task out of time after %s of %s deliveries; releasing the rest", index, len(to_send))
        _release(to_send[index + 1 :])
    finally:
        try:
            marks.finish()
        finally:
            connection.close()
    return counts


class Lease:
    """A chunk's claim, renewed every NOTIFICATIONS_LEASE_RENEW_SECONDS while its worker sends.

    The sweeper takes back rows whose claim was not renewed for NOTIFICATIONS_SENDING_TIMEOUT_SECONDS,
    so a killed worker's rows move on within about a minute, while a slow but live worker keeps them.
    One UPDATE per interval, not per message. A worker that finds its rows taken back (it stalled
    longer than the lease) stops: the sweeper has given them to another worker.
    """

    def __init__(self, *, token: uuid.UUID) -> None:
        self.token = token
        self.renewed = time.monotonic()

    def renew_if_due(self, *, holding: int) -> bool:
        """Whether the ``holding`` rows not yet tried are still this worker's to send."""
        if time.monotonic() - self.renewed < settings.NOTIFICATIONS_LEASE_RENEW_SECONDS:
            return True
        renewed = Delivery.objects.filter(claim_token=self.token, status=Delivery.Status.SENDING).update(
            claimed_at=timezone.now()
        )
        self.renewed = time.monotonic()
        if renewed < holding:
            log.warning("The sweeper took back %s rows of claim %s; leaving them to it", holding - renewed, self.token)
            return False
        return True


def _mark(delivery: Delivery, **fields) -> int:
    # The claim token guards against marking a row that the sweeper has since handed to another worker.
    return Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        attempts=F("attempts") + 1, **fields
    )


def _without_suppressed(claimed: list[Delivery]) -> list[Delivery]:
    # By hash, so an address whose suppression outlived its erasure is still held back.
    hashes = {d.pk: address_hash(d.recipient) for d in claimed if d.stream == Stream.BULK}
    suppressed = set(
        Suppression.objects.filter(email_hash__in=set(hashes.values())).values_list("email_hash", flat=True)
    )
    if not suppressed:
        return claimed
    held = {pk for pk, digest in hashes.items() if digest in suppressed}
    Delivery.objects.filter(pk__in=held).update(status=Delivery.Status.SUPPRESSED, claim_token=None)
    return [d for d in claimed if d.pk not in held]


def _after_failure(delivery: Delivery, error: Exception, outcome: str) -> str:
    reason = f"{type(error).__name__}: {error}"[:2000]
    if outcome == PERMANENT:
        _mark(delivery, status=Delivery.Status.FAILED, last_error=reason)
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            Suppression.objects.add(email=delivery.recipient, reason=Suppression.Reason.HARD_BOUNCE, note=reason)
        return "failed"
    attempts = delivery.attempts + 1
    if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _mark(delivery, status=Delivery.Status.FAILED, last_error=f"Gave up after {attempts} attempts. {reason}")
        return "failed"
    _mark(
        delivery,
        status=Delivery.Status.QUEUED,
        last_error=reason,
        next_attempt_at=timezone.now() + backoff(attempts),
        dispatched_at=None,
        claim_token=None,
    )
    return "retry"


def _release(deliveries: list[Delivery]) -> None:
    """Rows claimed but never tried go back to the queue without counting an attempt."""
    if not deliveries:
        return
    # The claim token: rows the sweeper has since given to another worker are not this one's to release.
    Delivery.objects.filter(
        pk__in=[d.pk for d in deliveries], status=Delivery.Status.SENDING, claim_token=deliveries[0].claim_token
    ).update(
        status=Delivery.Status.QUEUED,
        claim_token=None,
        dispatched_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS),
    )
