"""The INSTREAM client against a fake clamd: the bytes on the wire, the verdicts, and failing closed."""

import io

import pytest

from consultations import antivirus
from tests.consultations.fake_clamd import FakeClamd
from tests.consultations.sample_files import EICAR


@pytest.fixture
def clamd(tmp_path):
    server = FakeClamd(tmp_path / "clamd.sock")
    yield server
    server.close()


def test_it_streams_the_whole_file_in_chunks_and_reads_ok(clamd):
    content = bytes(range(256)) * 1000  # 256 kB: several 64 kB chunks
    verdict = antivirus.scan(io.BytesIO(content), address=clamd.address, timeout=5)
    assert verdict == antivirus.Verdict(clean=True)
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.received == [content]


def test_it_reports_the_signature_clamd_found(clamd):
    verdict = antivirus.scan(io.BytesIO(b"prefix " + EICAR), address=clamd.address, timeout=5)
    assert verdict == antivirus.Verdict(clean=False, signature="Eicar-Test-Signature")


def test_it_speaks_tcp_too():
    server = FakeClamd()
    try:
        assert antivirus.scan(io.BytesIO(b"hello"), address=server.address, timeout=5).clean
    finally:
        server.close()


def test_an_error_reply_is_no_verdict(tmp_path):
    server = FakeClamd(tmp_path / "clamd.sock", reply=b"INSTREAM size limit exceeded. ERROR")
    try:
        with pytest.raises(antivirus.ScanUnavailable):
            antivirus.scan(io.BytesIO(b"hello"), address=server.address, timeout=5)
    finally:
        server.close()


def test_a_daemon_that_is_down_or_silent_is_no_verdict(tmp_path):
    with pytest.raises(antivirus.ScanUnavailable):
        antivirus.scan(io.BytesIO(b"hello"), address=str(tmp_path / "nobody.sock"), timeout=1)
    silent = FakeClamd(tmp_path / "silent.sock", silent=True)
    try:
        with pytest.raises(antivirus.ScanUnavailable):
            antivirus.scan(io.BytesIO(b"hello"), address=silent.address, timeout=1)
    finally:
        silent.close()


def test_the_file_is_left_at_its_start(clamd):
    file = io.BytesIO(b"hello")
    antivirus.scan(file, address=clamd.address, timeout=5)
    assert file.tell() == 0


def test_it_is_configured_by_the_setting(settings):
    settings.CLAMD_SOCKET = ""
    assert not antivirus.is_configured()
    settings.CLAMD_SOCKET = "/run/clamav/clamd.ctl"
    assert antivirus.is_configured()
