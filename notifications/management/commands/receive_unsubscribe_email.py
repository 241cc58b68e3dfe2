"""Read one email on stdin and unsubscribe by its subject's token: the MTA's pipe alias for the mailto: link.

    unsubscribe: "|/srv/app/.venv/bin/python /srv/app/manage.py receive_unsubscribe_email"

Exit codes follow sysexits(3), which Postfix and Exim read: 0 when the message was
handled or ignored (a bounce would only tell a forger what failed), 65 (EX_DATAERR)
when it is not an email at all, 75 (EX_TEMPFAIL) when the database is unreachable,
so that the MTA keeps the message and tries again later.
"""

import sys
from email import message_from_bytes, policy
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import parseaddr

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from notifications.services.mail_unsubscribe import unsubscribe_by_email_message

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one RFC 822 message on stdin and unsubscribe the address its 'unsubscribe <token>' subject names."
    # call_command(..., stdin=...) in tests, as createsuperuser does.
    stealth_options = ("stdin",)
    # A failing system check must not bounce a reader's unsubscribe mail.
    requires_system_checks = []

    def handle(self, *args, **options) -> None:
        stream = options.get("stdin") or sys.stdin.buffer
        message = parse_message(stream.read())
        try:
            _name, sender = parseaddr(str(message.get("From", "")))
            outcome = unsubscribe_by_email_message(subject=str(message.get("Subject", "")), sender=sender)
        except DatabaseError as error:
            raise CommandError(f"Database unavailable, try again later: {error}", returncode=EX_TEMPFAIL) from None
        self.stdout.write(str(outcome))


def parse_message(data: bytes | str) -> EmailMessage:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if not data.strip():
        raise CommandError("No message on stdin.", returncode=EX_DATAERR)
    try:
        message = message_from_bytes(data, policy=policy.default)
        headers = message.keys()
    except (MessageError, ValueError, TypeError, IndexError) as error:
        raise CommandError(f"Not a readable email: {error}", returncode=EX_DATAERR) from None
    if not headers:
        raise CommandError("Not an email: no header lines before the body.", returncode=EX_DATAERR)
    return message
