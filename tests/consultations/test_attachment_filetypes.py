"""The file checker reads content, never names: what is accepted, what is refused and what it says."""

import io

import pytest

from consultations import filetypes
from tests.consultations import sample_files


def check(content: bytes, name: str) -> filetypes.Kind:
    return filetypes.check(io.BytesIO(content), name)


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (sample_files.pdf(), "paper.pdf", filetypes.PDF),
        (sample_files.pdf(), "PAPER.PDF", filetypes.PDF),
        (sample_files.docx(), "paper.docx", filetypes.DOCX),
        (sample_files.odt(), "paper.odt", filetypes.ODT),
        ("Our position, in plain words: ça va.\n".encode(), "notes.txt", filetypes.TEXT),
        (b"\xef\xbb\xbfWith a byte-order mark", "notes.md", filetypes.TEXT),
        (sample_files.pdf(), "paper", filetypes.PDF),
    ],
)
def test_it_accepts_each_kind_by_its_content(content, name, kind):
    assert check(content, name) == kind


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (sample_files.exe(), "paper.pdf"),
        (sample_files.html(), "paper.pdf"),
        (sample_files.html(), "paper.txt"),
        (b"  <svg onload='alert(1)'/>", "picture.txt"),
        (sample_files.docm(), "paper.docx"),
        (sample_files.odt(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"), "sheet.odt"),
        (b"PK\x03\x04not really a zip", "paper.docx"),
        (b"%PDF-1.7\n cut off before the end", "paper.pdf"),
        ("Latin-1 caf\xe9".encode("latin-1"), "notes.txt"),
        (b"text with a \x00 NUL", "notes.txt"),
        (b"", "empty.txt"),
    ],
)
def test_it_refuses_what_is_not_an_accepted_kind(content, name):
    with pytest.raises(filetypes.NotAccepted) as refusal:
        check(content, name)
    assert "is not a PDF, Word (DOCX), OpenDocument text (ODT) or plain text file" in str(refusal.value)


def test_it_refuses_a_file_whose_name_claims_another_kind():
    with pytest.raises(filetypes.NotAccepted) as refusal:
        check(b"Just some text", "paper.pdf")
    assert str(refusal.value).startswith("“paper.pdf” is called a PDF file but it is not one.")
    with pytest.raises(filetypes.NotAccepted):
        check(sample_files.docx(), "paper.odt")


def test_it_names_the_file_in_the_message_cleaned():
    with pytest.raises(filetypes.NotAccepted) as refusal:
        check(sample_files.exe(), "C:\\Users\\amy\\<i>setup.pdf")
    assert str(refusal.value).startswith("“isetup.pdf” is not a PDF")


@pytest.mark.parametrize(
    ("given", "clean"),
    [
        ("Position paper.PDF", "Position paper.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Documents\\response.docx", "response.docx"),
        ('a"b<c>d|e?.txt', "abcde.txt"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        ("...", "attachment"),
        ("", "attachment"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
        ("Café  menu.odt", "Café menu.odt"),
    ],
)
def test_it_cleans_file_names(given, clean):
    assert filetypes.clean_filename(given) == clean


def test_the_download_name_ends_in_the_kind_the_content_is():
    assert filetypes.download_name("paper.pdf", filetypes.PDF) == "paper.pdf"
    assert filetypes.download_name("paper", filetypes.PDF) == "paper.pdf"
    assert filetypes.download_name("paper.exe", filetypes.PDF) == "paper.exe.pdf"
    assert filetypes.download_name("notes.md", filetypes.TEXT) == "notes.md"
    assert filetypes.download_name("data.csv", filetypes.TEXT) == "data.csv.txt"


def test_it_leaves_the_file_at_its_start():
    file = io.BytesIO(sample_files.docx())
    filetypes.detect(file)
    assert file.tell() == 0
