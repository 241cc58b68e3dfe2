"""An email backend that fails on demand, for the retry and failure paths."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FailingBackend(EmailBackend):
    """Raises ``error`` for every message sent to an address in ``recipients`` (all when empty)."""

    error: Exception | None = None
    recipients: frozenset[str] = frozenset()
    fail_on_open: bool = False

    def open(self):
        if self.fail_on_open:
            raise smtplib.SMTPConnectError(421, b"Try again later")
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            if self.error and (not self.recipients or set(message.to) & self.recipients):
                raise self.error
        return super().send_messages(messages)
