"""A virus scan over clamd's socket protocol (INSTREAM), where a daemon is configured.

``CLAMD_SOCKET`` is a Unix socket path (``/run/clamav/clamd.ctl``) or ``tcp://host:port``. The
client is these few lines rather than the ``clamd`` package, which is unmaintained: send
``zINSTREAM\\0``, the file in chunks each prefixed by its length (4 bytes, network order), a
zero-length chunk, then read one NUL-terminated reply: ``stream: OK``, ``stream: <name> FOUND`` or
``... ERROR``. Anything but OK or FOUND (an error, a timeout, a daemon that is down) is
``ScanUnavailable``, and the caller refuses the file: an unscanned file never passes as scanned.
"""

import socket
import struct
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024
MAX_REPLY = 4096


class ScanUnavailable(Exception):
    """The daemon could not give a verdict."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def is_configured() -> bool:
    return bool(settings.CLAMD_SOCKET)


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        parts = urlsplit(address)
        if not parts.hostname or not parts.port:
            raise ScanUnavailable(f"CLAMD_SOCKET {address!r} needs a host and a port.")
        return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.settimeout(timeout)
    try:
        unix.connect(address)
    except OSError:
        unix.close()
        raise
    return unix


def scan(file: IO[bytes], *, address: str | None = None, timeout: float | None = None) -> Verdict:
    """Stream the file to clamd and return its verdict; the file is left at its start."""
    address = address or settings.CLAMD_SOCKET
    timeout = timeout if timeout is not None else settings.CLAMD_TIMEOUT
    file.seek(0)
    try:
        with _connect(address, timeout) as connection:
            connection.sendall(b"zINSTREAM\0")
            while chunk := file.read(CHUNK):
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = _read_reply(connection)
    except OSError as error:
        raise ScanUnavailable(f"clamd at {address} did not answer: {error}") from error
    finally:
        file.seek(0)
    return _verdict(reply)


def _read_reply(connection: socket.socket) -> str:
    received = b""
    while b"\0" not in received and len(received) < MAX_REPLY:
        data = connection.recv(1024)
        if not data:
            break
        received += data
    return received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _verdict(reply: str) -> Verdict:
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if reply.endswith(" OK") and reply.startswith("stream:"):
        return Verdict(clean=True)
    if reply.endswith(" FOUND") and reply.startswith("stream:"):
        return Verdict(clean=False, signature=reply.removeprefix("stream:").removesuffix(" FOUND").strip())
    raise ScanUnavailable(f"clamd answered {reply!r}")
