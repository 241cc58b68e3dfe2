"""A counting SMTP sink for the fan-out benchmark, in its own process.

python -m bench.fanout_sink READY_FILE

Writes {"smtp_port", "stats_port"} to READY_FILE once listening. Connecting to the
stats port returns one JSON line: messages received and distinct recipients.
"""

import asyncio
import json
import logging
import sys

from aiosmtpd.smtp import SMTP


class Counter:
    def __init__(self) -> None:
        self.messages = 0
        self.recipients: set[str] = set()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


async def main(ready_file: str) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # as the anchor's sink does
    counter = Counter()
    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: SMTP(counter, hostname="sink.localhost"), "127.0.0.1", 0)

    async def stats(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(json.dumps({"messages": counter.messages, "recipients": len(counter.recipients)}).encode())
        await writer.drain()
        writer.close()

    stats_server = await asyncio.start_server(stats, "127.0.0.1", 0)
    ports = {"smtp_port": smtp.sockets[0].getsockname()[1], "stats_port": stats_server.sockets[0].getsockname()[1]}
    with open(ready_file, "w") as ready:
        json.dump(ports, ready)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
