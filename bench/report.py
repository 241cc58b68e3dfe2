"""The machine a run was on, and the table of its figure lines, for the terminal and docs/performance.md."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

START = "<!-- bench-table:start (written by make bench) -->"
END = "<!-- bench-table:end -->"


def machine(database_url: str) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    # Asked of the server's maintenance database: the bench's own is made by each benchmark in turn.
    server = urlsplit(database_url)._replace(path="/postgres").geturl()
    postgres = subprocess.run(
        ["psql", server, "-Atc", "SHOW server_version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1_048_576, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres or "unknown",
        "load_average_start": [round(value, 2) for value in os.getloadavg()],
    }


def cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value).replace("|", "\\|")


def figures_table(records: list[dict]) -> str:
    """One row per figure line (ratio = our speed as a fraction of the anchor's), then any errors."""
    rows = [
        "| bench | figure | ours | anchor | unit | ratio | target | met | load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        if "figure" in record:
            rows.append(
                "| "
                + " | ".join(
                    cell(record.get(key))
                    for key in (
                        "bench",
                        "figure",
                        "ours",
                        "anchor",
                        "unit",
                        "ratio",
                        "target",
                        "pass",
                        "load_average_1m",
                    )
                )
                + " |"
            )
    errors = [f"- {record['bench']}: {record['error']}" for record in records if "error" in record]
    return "\n".join(rows + (["", *errors] if errors else []))


def write_docs(path: Path, about: dict, table: str) -> None:
    text = path.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    run = (
        f"Run of {about['date']} on {about['cores']} × {about['cpu']}, {about['memory_gb']} GB, {about['os']}; "
        f"Python {about['python']}, PostgreSQL {about['postgresql']}; load average "
        f"{' / '.join(map(str, about['load_average_start']))} at the start, "
        f"{' / '.join(map(str, about['load_average_end']))} at the end (1, 5, 15 min); {about['minutes']} min."
    )
    path.write_text(f"{head}{START}\n{run}\n\n{table}\n{END}{tail}")
