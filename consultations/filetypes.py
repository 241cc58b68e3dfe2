"""What an uploaded file really is, read from its bytes: never from its name or the browser's word.

Four kinds are accepted: PDF (the ``%PDF-`` header and an ``%%EOF`` marker near the end), Word
(DOCX: a ZIP holding ``[Content_Types].xml`` and ``word/document.xml``, without macros), OpenDocument
text (ODT: a ZIP whose first member is ``mimetype`` holding the ODT type, without macros) and plain
text (UTF-8 with no NUL and not markup, so HTML or SVG saved as ``.txt`` is refused).

Standard library only: libmagic is a C library that may be missing on the server, and four
formats need a few dozen lines. ZIP members are listed from the central directory and only the
tiny ``mimetype`` member is read, so a ZIP bomb is never decompressed here.
"""

import codecs
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("pdf", "PDF", "application/pdf", (".pdf",))
DOCX = Kind(
    "docx", "Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
ODT = Kind("odt", "OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text", (".odt",))
TEXT = Kind("text", "plain text", "text/plain; charset=utf-8", (".txt", ".text", ".md"))
KINDS = (PDF, DOCX, ODT, TEXT)
BY_EXTENSION = {extension: kind for kind in KINDS for extension in kind.extensions}

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Where Word and LibreOffice keep macros: a document carrying code is refused, whatever its name.
MACRO_MEMBERS = re.compile(r"(^|/)vbaProject\.bin$|^Basic/|^Scripts/", re.IGNORECASE)
MARKUP_START = re.compile(rb"^\s*<", re.ASCII)
PDF_TAIL = 1024


class NotAccepted(ValueError):
    """The file is none of the accepted kinds, or not the kind its name says; the message says which."""


def accepted_labels() -> str:
    return _("PDF, Word (DOCX), OpenDocument text (ODT) or plain text")


def detect(file: IO[bytes]) -> Kind | None:
    """The accepted kind the bytes are, or None. Leaves the file at its start."""
    try:
        file.seek(0)
        head = file.read(8)
        file.seek(0)
        if head.startswith(b"%PDF-"):
            return PDF if _pdf_ends(file) else None
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(file)
        return TEXT if _is_text(file) else None
    finally:
        file.seek(0)


def _pdf_ends(file: IO[bytes]) -> bool:
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(max(0, size - PDF_TAIL))
    return b"%%EOF" in file.read()


def _zip_kind(file: IO[bytes]) -> Kind | None:
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if any(MACRO_MEMBERS.search(name) for name in names):
                return None
            first = members[0] if members else None
            if first is not None and first.filename == "mimetype" and first.file_size <= 100:
                with archive.open(first) as mimetype:
                    return ODT if mimetype.read(100).strip() == ODT_MIMETYPE else None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return None
    return None


def _is_text(file: IO[bytes], chunk_size: int = 64 * 1024) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    while chunk := file.read(chunk_size):
        if b"\x00" in chunk:
            return False
        if first:
            if MARKUP_START.match(chunk.removeprefix(b"\xef\xbb\xbf")):
                return False
            first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    if first:
        return False  # empty
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def check(file: IO[bytes], filename: str) -> Kind:
    """The file's kind, or NotAccepted with a message naming the file and what to do."""
    name = clean_filename(filename)
    kind = detect(file)
    if kind is None:
        raise NotAccepted(
            _("“%(name)s” is not a %(kinds)s file. Save it in one of those formats and upload it again.")
            % {"name": name, "kinds": accepted_labels()}
        )
    claimed = BY_EXTENSION.get(os.path.splitext(name)[1].lower())
    if claimed is not None and claimed != kind:
        raise NotAccepted(
            _("“%(name)s” is called a %(claimed)s file but it is not one. Save it again as a %(kinds)s file.")
            % {"name": name, "claimed": claimed.label, "kinds": accepted_labels()}
        )
    return kind


CONTROL_OR_RESERVED = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;]')
MAX_STEM = 100


def clean_filename(filename: str) -> str:
    """The name to show and to download as: no folders, no control or reserved characters, short."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]
    name = CONTROL_OR_RESERVED.sub("", name)
    name = " ".join(name.split()).strip(". ")
    stem, extension = os.path.splitext(name)
    if len(extension) > 10:
        stem, extension = name, ""
    stem = stem[:MAX_STEM].strip(". ") or "attachment"
    return f"{stem}{extension.lower()}"


def download_name(filename: str, kind: Kind) -> str:
    """The cleaned name, ending in an extension of the kind the content is."""
    name = clean_filename(filename)
    if os.path.splitext(name)[1].lower() in kind.extensions:
        return name
    return f"{name}{kind.extensions[0]}"
