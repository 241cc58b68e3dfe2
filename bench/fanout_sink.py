"""The SMTP peer anchor's own counting sink, which also tallies every recipient, for the fan-out bench.

python -m bench.fanout_sink READY_FILE

Runs ../shared/anchors/smtp/sink.py's ``Counter`` (aiosmtpd, bodies discarded) so that our fan-out and
the anchor's senders are measured against the same sink in the same run. Writes {"smtp_port",
"stats_port", "recipients_port"} to READY_FILE once listening. The stats port answers the anchor's
line (messages, recipients, bytes) plus the SMTP sessions opened, the most open at once and when the
last message arrived (``last_message_at``, wall clock), so the bench times a run to its last message
without polling the sink often (polling costs CPU the anchor's run does not spend). The recipients
port answers every recipient with the number of messages it received since the last call, then
starts the tally again, so lost and doubled messages can be checked by address.
"""

import asyncio
import importlib.util
import json
import logging
import os
import signal
import sys
import time
from collections import Counter as Tally
from pathlib import Path

from aiosmtpd.smtp import SMTP

ANCHOR_SINK = Path(__file__).resolve().parent.parent.parent / "shared" / "anchors" / "smtp" / "sink.py"


def anchor_counter_class() -> type:
    spec = importlib.util.spec_from_file_location("anchor_sink", ANCHOR_SINK)
    if spec is None or spec.loader is None:
        sys.exit(f"fanout_sink: the anchor's sink is missing: {ANCHOR_SINK}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Counter


class Sessions:
    def __init__(self) -> None:
        self.opened = self.open = self.most_open = 0
        self.last_message_at = 0.0


def counting_smtp(sessions: Sessions, handler) -> SMTP:
    class CountingSMTP(SMTP):
        def connection_made(self, transport) -> None:
            sessions.opened += 1
            sessions.open += 1
            sessions.most_open = max(sessions.most_open, sessions.open)
            super().connection_made(transport)

        def connection_lost(self, error) -> None:
            sessions.open -= 1
            super().connection_lost(error)

    # As the anchor's sink: same handler, hostname and ident.
    return CountingSMTP(handler, hostname="anchor-sink", ident="anchor-sink")


async def main(ready_file: str) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    anchor_counter = anchor_counter_class()
    tally: Tally[str] = Tally()
    sessions = Sessions()

    class Counter(anchor_counter):  # type: ignore[misc, valid-type]
        async def handle_DATA(self, server, session, envelope):
            tally.update(envelope.rcpt_tos)
            sessions.last_message_at = time.time()
            return await super().handle_DATA(server, session, envelope)

    counter = Counter()
    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: counting_smtp(sessions, counter), "127.0.0.1", 0)

    async def stats(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = {**json.loads(counter.as_json()), "sessions_opened": sessions.opened, "most_open": sessions.most_open}
        line["last_message_at"] = sessions.last_message_at
        writer.write(json.dumps(line).encode() + b"\n")
        await writer.drain()
        writer.close()

    async def recipients(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        taken = dict(tally)
        tally.clear()
        sessions.most_open = sessions.open
        writer.write(json.dumps(taken).encode() + b"\n")
        await writer.drain()
        writer.close()

    stats_server = await asyncio.start_server(stats, "127.0.0.1", 0)
    recipients_server = await asyncio.start_server(recipients, "127.0.0.1", 0)
    ports = {
        "pid": os.getpid(),
        "smtp_port": smtp.sockets[0].getsockname()[1],
        "stats_port": stats_server.sockets[0].getsockname()[1],
        "recipients_port": recipients_server.sockets[0].getsockname()[1],
    }
    Path(ready_file + ".tmp").write_text(json.dumps(ports))
    os.replace(ready_file + ".tmp", ready_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
