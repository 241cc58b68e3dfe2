"""Marking each sent row ``sent`` as soon as the mail server has accepted its message.

A row is marked by its own commit, one message at a time, so that a worker killed at any moment leaves
at most one message both accepted by the server and still ``sending`` (the sweeper sends it again,
under the same Message-ID). Waiting for that commit before starting the next message cost a fifth of
a fan-out's time, so on PostgreSQL a thread of the worker process, with a database connection of its
own, writes the mark while the next message's envelope (MAIL FROM, RCPT TO) goes to the server; the
sender waits for it (``SentMarks.written``) only before handing over that message's content. The
guarantee is the same: whichever moment the worker dies, either the last accepted message's mark was
committed, or the next message's content was never sent.
"""

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection, models
from django.utils import timezone

from notifications.models import Delivery


class MarkNotWritten(Exception):
    """A sent row's mark failed: the sender stops, as it did when it wrote the mark itself, rather than
    take the failure for the next message's (whose content was never handed over)."""


class SentMarks:
    """Marks rows sent in the sender's own connection, each before the next message starts."""

    def add(self, delivery: Delivery, provider_message_id: str = "") -> None:
        mark_sent(delivery, provider_message_id)

    def written(self) -> None:
        """Return once every mark added so far is committed."""

    def finish(self) -> None:
        """Every mark committed, and the marking connection closed, as the sender's is after each task."""
        self.written()


class SentMarksInBackground(SentMarks):
    """Marks rows sent from this process's marking thread; ``written`` waits for the last one."""

    def __init__(self) -> None:
        self.pending: Future[None] | None = None

    def add(self, delivery: Delivery, provider_message_id: str = "") -> None:
        self.written()
        self.pending = _marking_thread().submit(_mark_in_thread, delivery, provider_message_id)

    def written(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            try:
                pending.result()
            except Exception as error:
                raise MarkNotWritten(str(error)) from error

    def finish(self) -> None:
        try:
            self.written()
        finally:
            _marking_thread().submit(_close_in_thread).result()


def sent_marks() -> SentMarks:
    """Marks in the background on PostgreSQL; in the sender's connection on SQLite (one writer at a time)
    and inside a transaction (the rows it holds are not visible to another connection until it commits)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return SentMarks()
    return SentMarksInBackground()


_thread: tuple[int, ThreadPoolExecutor] | None = None


def _marking_thread() -> ThreadPoolExecutor:
    """One thread per process, started in the process that uses it (a thread does not survive a fork)."""
    global _thread  # one per worker process, reused by every chunk it sends
    if _thread is None or _thread[0] != os.getpid():
        _thread = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="sent-marks"))
    return _thread[1]


def _mark_in_thread(delivery: Delivery, provider_message_id: str) -> None:
    # Django's connections are per thread: this is the marking thread's own, closed after each chunk.
    if connection.connection is None:
        connection.ensure_connection()
        skip_waiting_for_disk()
    try:
        mark_sent(delivery, provider_message_id)
    except Exception:
        connection.close()  # the next mark opens a new connection rather than reuse a broken one
        raise


def _close_in_thread() -> None:
    # Looked up here, in the marking thread: ``connection.close`` taken in the sender would close its own.
    connection.close()


def skip_waiting_for_disk() -> None:
    """Each sent message is marked by its own commit; waiting for the WAL flush on each
    would cap sending at the disk's fsync rate. A PostgreSQL crash may lose the last
    few marks (those rows are sent again, under the same Message-ID); a worker crash loses none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def mark_sent(delivery: Delivery, provider_message_id: str = "") -> None:
    """The one write per message, so it skips the ORM's query building: the same statement as
    ``sending._mark`` with the claim token guarding against a row the sweeper has given to another worker."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, last_error = '', "  # noqa: S608
            "provider_message_id = %s WHERE id = %s AND claim_token = %s",
            [
                Delivery.Status.SENT,
                _db_value("sent_at", timezone.now()),
                provider_message_id,
                delivery.pk,
                _db_value("claim_token", delivery.claim_token),
            ],
        )


def _db_value(field: str, value: object) -> Any:
    """``value`` as the database driver takes it for ``field``'s column (Field.get_db_prep_value's Any)."""
    model_field = Delivery._meta.get_field(field)
    assert isinstance(model_field, models.Field)  # a column of the table, not a reverse relation
    return model_field.get_db_prep_value(value, connection)
