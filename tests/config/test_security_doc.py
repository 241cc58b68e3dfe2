"""docs/security.md maps each threat to a test: every test it names exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::((?:\w+::)?)(test_\w+)")


def document() -> str:
    return (ROOT / "docs" / "security.md").read_text()


def references() -> list[tuple[str, str, str]]:
    return REFERENCE.findall(document())


def test_it_names_a_test_for_every_threat() -> None:
    threats_section = document().split("## Threats, controls and their tests", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in threats_section.splitlines() if line.startswith("| ") and not line.startswith("| threat")]
    untested = [row for row in rows if not REFERENCE.search(row.rsplit("|", 2)[1])]
    assert len(rows) > 50
    assert untested == []


def test_every_test_it_names_exists() -> None:
    missing = []
    for path, owner, name in references():
        source = (ROOT / path).read_text() if (ROOT / path).exists() else ""
        if f"def {name}(" not in source or (owner and f"class {owner.rstrip(':')}" not in source):
            missing.append(f"{path}::{owner}{name}")
    assert missing == []
