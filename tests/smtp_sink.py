"""An SMTP server in the test's own process (aiosmtpd) that keeps every message it accepts."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Sink:
    """Every message the SMTP server accepted, in order; ``delay`` slows each one down."""

    port: int = 0
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(Received(tuple(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        result: dict[str, list[EmailMessage]] = {}
        for item in self.messages():
            for recipient in item.recipients:
                result.setdefault(recipient, []).append(item.message)
        return result


@contextmanager
def running_sink() -> Iterator[Sink]:
    """A sink listening on a free port of 127.0.0.1 until the block ends."""
    from aiosmtpd.controller import Controller

    sink = Sink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
