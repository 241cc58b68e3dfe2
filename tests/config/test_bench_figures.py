"""Every benchmark's figure line has one shape, and the ratio always reads "our speed as a fraction of the anchor's"."""

from pathlib import Path

from bench.harness import figure
from bench.report import END, START, figures_table, write_docs


def test_a_rate_is_ours_over_the_anchors_and_a_time_the_anchors_over_ours():
    rate = figure(bench="fanout", figure="f", ours=850, anchor=1000, target=0.85, unit="msg/s")
    time = figure(bench="throughput", figure="t", ours=40.0, anchor=20.0, target=0.8, unit="ms")

    assert (rate["ratio"], rate["pass"]) == (0.85, True)
    assert (time["ratio"], time["pass"]) == (0.5, False)
    assert list(rate)[:8] == ["bench", "figure", "ours", "anchor", "ratio", "target", "unit", "pass"]
    assert isinstance(rate["load_average_1m"], float)


def test_an_absolute_budget_has_no_ratio_and_passes_as_the_caller_says():
    line = figure(
        bench="moderation_search", figure="s", ours=120.0, anchor=None, target="< 300 ms", unit="ms", passed=True
    )
    assert line["ratio"] is None and line["pass"] is True


def test_the_table_lists_every_figure_and_every_error_and_replaces_the_docs_block(tmp_path: Path):
    records = [
        figure(bench="fanout", figure="100,000 subscribers", ours=900.0, anchor=1000.0, target=0.85, unit="msg/s"),
        {"bench": "loadtest", "error": "stopped after 300 s"},
        {"bench": "fanout", "msgs_per_s": 900.0},
    ]
    table = figures_table(records)
    docs = tmp_path / "performance.md"
    docs.write_text(f"# Performance\n\n{START}\nold table\n{END}\n\nAfter.\n")
    about = {
        "date": "2026-12-06 23:00 UTC",
        "cores": 2,
        "cpu": "CPU",
        "memory_gb": 23.0,
        "os": "Linux",
        "python": "3.11.7",
        "postgresql": "15.20",
        "load_average_start": [0.1, 0.2, 0.3],
        "load_average_end": [0.4, 0.5, 0.6],
        "minutes": 14.5,
    }

    write_docs(docs, about, table)

    assert "| fanout | 100,000 subscribers | 900.0 | 1,000.0 | msg/s | 0.900 | 0.850 | yes |" in table
    assert "- loadtest: stopped after 300 s" in table
    text = docs.read_text()
    assert "old table" not in text and text.endswith("\n\nAfter.\n")
    assert "load average 0.1 / 0.2 / 0.3 at the start" in text
