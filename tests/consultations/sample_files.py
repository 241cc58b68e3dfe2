"""Small files of each kind, built in memory, for the attachment tests."""

import io
import zipfile

from consultations.demo import position_paper_pdf

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf(text: str = "A position paper") -> bytes:
    return position_paper_pdf([text])


def _zip(members: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, content) in enumerate(members):
            method = zipfile.ZIP_STORED if stored_first and number == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=method)
    return buffer.getvalue()


def docx(extra: list[tuple[str, bytes]] | None = None) -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", b"<?xml version='1.0'?><Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document><w:body><w:p>Our position</w:p></w:body></w:document>"),
            *(extra or []),
        ]
    )


def docm() -> bytes:
    return docx(extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])


def odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    return _zip(
        [("mimetype", mimetype), ("content.xml", b"<office:document-content/>"), ("META-INF/manifest.xml", b"<m/>")],
        stored_first=True,
    )


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
