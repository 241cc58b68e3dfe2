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


class SlowBackend(EmailBackend):
    """Each message takes ``step`` of (travelled) time, and the sweeper runs meanwhile, as beat would.

    ``clock`` is a time_machine traveller; nested sends (the sweeper's own) take no time.
    """

    clock = None
    step = None
    busy: bool = False

    def send_messages(self, messages):
        if SlowBackend.busy or self.clock is None:
            return super().send_messages(messages)
        SlowBackend.busy = True
        try:
            self.clock.shift(self.step)
            from notifications.services import deliveries_sweep

            deliveries_sweep()
        finally:
            SlowBackend.busy = False
        return super().send_messages(messages)
