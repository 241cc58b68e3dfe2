"""Marking each sent row ``sent`` as soon as the mail server has accepted its message.

A row is marked by its own commit, one message at a time, so that a worker killed at any moment leaves
at most one message both accepted by the server and still ``sending`` (the sweeper sends it again,
under the same Message-ID). Waiting for that commit before starting the next message cost a fifth of
a fan-out's time, so on PostgreSQL the mark goes out on a database connection of its own without
waiting for the answer, and is read back (``SentMarks.written``) only before the next message's content
is handed over: the database commits it while that message's envelope (MAIL FROM, RCPT TO) goes to the
mail server. The guarantee is the same: whichever moment the worker dies, either the last accepted
message's mark was committed, or the next message's content was never sent.

The marking connection is driven through libpq's asynchronous calls (``psycopg.pq``) rather than from
a thread: a thread's share of the interpreter lock and its hand-offs cost the sender more than the
statement, and the send itself is one call that returns at once.
"""

import os
import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from psycopg import pq

from notifications.models import Delivery

# How long the sender waits for one mark before it takes the database for gone.
MARK_TIMEOUT_SECONDS = 60.0
STATEMENT = b"notifications_mark_sent"
# The one write per message, with the claim token guarding against a row the sweeper has given to
# another worker; its parameters: status, sent_at, provider_message_id, id, claim_token.
MARK_SENT = (
    "UPDATE {table} SET status = {0}, sent_at = {1}, attempts = attempts + 1, last_error = '', "
    "provider_message_id = {2} WHERE id = {3} AND claim_token = {4}"
)


def mark_sent_statement(*placeholders: str) -> str:
    return MARK_SENT.format(*placeholders, table=connection.ops.quote_name(Delivery._meta.db_table))


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
        """Every mark committed, at the end of a chunk."""
        self.written()


class SentMarksAhead(SentMarks):
    """Sends each mark without waiting for it; ``written`` reads the answer to the last one."""

    def __init__(self) -> None:
        self.pending = False
        self.pgconn: pq.abc.PGconn | None = None  # the marking connection's, looked up once per chunk

    def add(self, delivery: Delivery, provider_message_id: str = "") -> None:
        self.written()
        with self.failing_as_not_written():
            if self.pgconn is None:
                self.pgconn = marking_connection().pgconn
            self.pgconn.send_query_prepared(
                STATEMENT,
                [
                    str(Delivery.Status.SENT).encode(),
                    timezone.now().isoformat().encode(),
                    provider_message_id.encode(),
                    str(delivery.pk).encode(),
                    str(delivery.claim_token).encode(),
                ],
            )
        self.pending = True

    def written(self) -> None:
        if not self.pending:
            return
        self.pending = False
        with self.failing_as_not_written():
            assert self.pgconn is not None  # set by the add() whose answer is pending
            _read_answer(self.pgconn)

    @contextmanager
    def failing_as_not_written(self) -> Iterator[None]:
        """A mark that fails stops the sender; the next chunk opens a new connection rather than reuse
        a broken one."""
        try:
            yield
        except Exception as error:
            self.pgconn = None
            close_marking_connection()
            raise MarkNotWritten(str(error)) from error

    def finish(self) -> None:
        """Every mark committed; the marking connection kept for the next chunk, or closed once it is
        older than ``CONN_MAX_AGE``, as Django closes the sender's own."""
        try:
            self.written()
        finally:
            _close_marking_connection_if_old()


def sent_marks() -> SentMarks:
    """Marks ahead on PostgreSQL; in the sender's connection on SQLite (one writer at a time) and inside a
    transaction (the rows it holds are not visible to another connection until it commits)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return SentMarks()
    return SentMarksAhead()


# This process's marking connection and when it was opened; kept across chunks for CONN_MAX_AGE, as
# Django keeps the sender's own, and never shared with a forked child (a child opens its own).
_marking: tuple[int, float, psycopg.Connection] | None = None


def marking_connection() -> psycopg.Connection:
    global _marking  # one per worker process, reused by the chunks it sends

    if _marking is None or _marking[0] != os.getpid() or _marking[2].closed:
        _marking = (os.getpid(), time.monotonic(), _open_marking_connection())
    return _marking[2]


def _open_marking_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    marking = psycopg.Connection.connect(
        **{key: value for key, value in params.items() if key not in {"cursor_factory", "context"}},
        autocommit=True,
    )
    # Each sent message is marked by its own commit; waiting for the WAL flush on each would cap sending
    # at the disk's fsync rate. A PostgreSQL crash may lose the last few marks (those rows are sent
    # again, under the same Message-ID); a worker crash loses none.
    marking.execute("SET synchronous_commit TO OFF")
    # The statement ``mark_sent`` runs, parsed and planned once per connection.
    statement = mark_sent_statement("$1", "$2", "$3", "$4", "$5")
    marking.execute(b"PREPARE %b (text, timestamptz, text, bigint, uuid) AS %b" % (STATEMENT, statement.encode()))
    return marking


def _read_answer(pgconn: pq.abc.PGconn) -> None:
    """Wait for the statement in flight to finish and raise if it failed."""
    deadline = time.monotonic() + MARK_TIMEOUT_SECONDS
    pgconn.consume_input()
    while pgconn.is_busy():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([pgconn.socket], [], [], remaining)[0]:
            raise TimeoutError(f"no answer from the database within {MARK_TIMEOUT_SECONDS:.0f} s")
        pgconn.consume_input()
    errors = []
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK:
            errors.append((result.error_message or b"the mark failed").decode(errors="replace").strip())
    if errors:
        raise psycopg.DatabaseError("; ".join(errors))


def close_marking_connection() -> None:
    """Close this process's marking connection (after a failure, a worker process shutting down, a
    test's end); the next mark opens another."""
    global _marking
    if _marking is not None:
        _marking[2].close()
        _marking = None


def _close_marking_connection_if_old() -> None:
    max_age = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    if _marking is not None and max_age is not None and time.monotonic() - _marking[1] >= max_age:
        close_marking_connection()


def close_on_worker_process_shutdown(**kwargs: object) -> None:
    close_marking_connection()


def mark_sent(delivery: Delivery, provider_message_id: str = "") -> None:
    """The one write per message in the sender's own connection, so it skips the ORM's query building:
    what ``sending._mark`` writes."""
    with connection.cursor() as cursor:
        cursor.execute(
            mark_sent_statement("%s", "%s", "%s", "%s", "%s"),
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
