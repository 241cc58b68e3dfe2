""".ci/run fails when a test skipped, whether the suite ran in one process or on pytest-xdist workers."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "refuse-skips"
TESTS = """
import pytest

def test_one():
    pass

def test_two():
    pass

def test_three():
    {third}
"""


def report(tmp_path: Path, third: str, *options: str) -> Path:
    (tmp_path / "test_sample.py").write_text(TESTS.format(third=third))
    junit = tmp_path / "junit.xml"
    # A plain run outside the project: no Django, no settings; only pytest, xdist and JUnit XML.
    command = [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:randomly", "-p", "no:cacheprovider"]
    command += ["-q", "--rootdir", str(tmp_path), f"--junitxml={junit}", *options, str(tmp_path)]
    subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    return junit


def refuse_skips(junit: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(junit)], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "two xdist workers"])
def test_it_fails_on_a_skipped_test_and_names_it(tmp_path, workers):
    result = refuse_skips(report(tmp_path, 'pytest.skip("needs Redis")', *workers))

    assert result.returncode == 1
    assert "1 test(s) skipped in CI" in result.stdout
    assert "test_three: needs Redis" in result.stdout


def test_it_passes_when_every_test_ran(tmp_path):
    result = refuse_skips(report(tmp_path, "pass", "-n", "2"))

    assert result.returncode == 0, result.stdout
    assert "CI: 3 tests ran, none skipped." in result.stdout


XFAIL = """pytest.xfail("the new page lands in another branch")"""


def test_an_expected_failure_is_listed_with_its_reason_and_fails_nothing(tmp_path):
    result = refuse_skips(report(tmp_path, XFAIL, "-n", "2"))

    assert result.returncode == 0, result.stdout
    assert "test_three: the new page lands in another branch" in result.stdout
    assert "CI: 3 tests ran, none skipped, 1 expected to fail." in result.stdout


def test_it_fails_on_a_report_with_no_test(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite name="pytest" tests="0"/></testsuites>')

    assert refuse_skips(junit).returncode == 1
