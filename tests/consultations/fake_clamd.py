"""A fake clamd speaking the INSTREAM protocol on a Unix socket or TCP port, in a thread.

It reads the command and the length-prefixed chunks exactly as clamd does, keeps what it received,
and answers "stream: OK", or "stream: Eicar-Test-Signature FOUND" when the stream holds the EICAR
test string, or whatever ``reply`` it is given.
"""

import socket
import struct
import threading
from pathlib import Path

from tests.consultations.sample_files import EICAR


class FakeClamd:
    def __init__(self, path: Path | None = None, reply: bytes | None = None, silent: bool = False) -> None:
        self.reply = reply
        self.silent = silent
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        if path is None:
            self.server = socket.create_server(("127.0.0.1", 0))
            self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        else:
            self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.server.bind(str(path))
            self.server.listen()
            self.address = str(path)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                self._handle(connection)

    def _read(self, connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = connection.recv(size - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def _handle(self, connection: socket.socket) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self._read(connection, 1)
        self.commands.append(command)
        stream = b""
        while True:
            (length,) = struct.unpack("!L", self._read(connection, 4))
            if length == 0:
                break
            stream += self._read(connection, length)
        self.received.append(stream)
        if self.silent:
            return
        if self.reply is not None:
            answer = self.reply
        elif EICAR in stream:
            answer = b"stream: Eicar-Test-Signature FOUND"
        else:
            answer = b"stream: OK"
        connection.sendall(answer + b"\0")

    def close(self) -> None:
        self.server.close()
