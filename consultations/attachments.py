"""Files attached to answers: checked, stored privately, served privately, and deleted with the response.

The writes the questionnaire makes (``attachment_add``, ``attachment_remove``) are in ``services``,
which checks the draft is still open and then calls ``attachment_store`` here. Deleting rows and
deleting files cannot share a transaction: files are deleted after the rows' transaction commits,
so a rolled-back erasure never leaves rows pointing at nothing, and the daily retention job removes
any file whose row is gone (a process killed between the commit and the deletion).
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations import antivirus, filetypes
from consultations.models import Attachment, Consultation, Question, Response, attachment_storage

logger = logging.getLogger(__name__)
MB = 1024 * 1024
KINDS = {kind.name: kind for kind in filetypes.KINDS}
# The code of the one refusal about the question rather than the file, for callers that say which input was wrong.
QUESTION_REFUSES_FILES = "question_refuses_files"


def megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


def limits_hint(consultation: Consultation) -> str:
    return _(
        "%(kinds)s, up to %(file)d MB each. You can attach up to %(count)d files to your response, %(total)d MB in all."
    ) % {
        "kinds": filetypes.accepted_labels(),
        "file": consultation.attachment_max_file_mb,
        "count": consultation.attachment_max_files,
        "total": consultation.attachment_max_total_mb,
    }


def too_large_message(name: str, consultation: Consultation) -> str:
    return _("“%(name)s” is larger than %(limit)d MB. Attach a smaller file, or save it with smaller images.") % {
        "name": filetypes.clean_filename(name),
        "limit": consultation.attachment_max_file_mb,
    }


def attachment_store(*, response: Response, question: Question, upload: "UploadedFile[bytes]") -> Attachment:
    """Check one uploaded file against the consultation's limits, its content and the virus scan; store it.

    The caller holds the response's row lock, so two uploads at once cannot both pass the limits.
    """
    consultation = response.consultation
    name = upload.name or ""
    if not question.accepts_files or question.consultation_id != response.consultation_id:
        raise ValidationError(_("This question does not accept files."), code=QUESTION_REFUSES_FILES)
    size = upload.size or 0
    if size == 0:
        raise ValidationError(
            _("“%(name)s” is empty. Choose the file again.") % {"name": filetypes.clean_filename(name)}
        )
    if size > consultation.attachment_max_file_mb * MB:
        raise ValidationError(too_large_message(name, consultation))
    _check_response_limits(response, size)
    try:
        kind = filetypes.check(upload, name)
    except filetypes.NotAccepted as refusal:
        raise ValidationError(str(refusal)) from None
    scanned = _scan(upload, name)
    attachment = Attachment(
        response=response,
        question=question,
        filename=filetypes.download_name(name, kind),
        kind=kind.name,
        size=size,
        scanned=scanned,
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment_storage().delete(attachment.file.name or "")
        raise
    return attachment


def _check_response_limits(response: Response, size: int) -> None:
    consultation = response.consultation
    held = response.attachments.aggregate(count=Count("pk"), total=Sum("size"))
    if held["count"] >= consultation.attachment_max_files:
        raise ValidationError(
            _("You can attach up to %(count)d files to your response. Remove one to attach another.")
            % {"count": consultation.attachment_max_files}
        )
    if (held["total"] or 0) + size > consultation.attachment_max_total_mb * MB:
        raise ValidationError(
            _(
                "Your files would add up to %(total)s MB, more than the %(limit)d MB one response may attach. "
                "Remove a file or attach a smaller one."
            )
            % {"total": megabytes((held["total"] or 0) + size), "limit": consultation.attachment_max_total_mb}
        )


def _scan(upload: "UploadedFile[bytes]", name: str) -> bool:
    if not antivirus.is_configured():
        return False
    try:
        verdict = antivirus.scan(upload)
    except antivirus.ScanUnavailable:
        logger.exception("Virus scan unavailable; refusing an attachment")
        raise ValidationError(
            _("We could not check “%(name)s” for viruses just now. Try again in a few minutes.")
            % {"name": filetypes.clean_filename(name)}
        ) from None
    if not verdict.clean:
        logger.warning("Virus scan refused an attachment: %s", verdict.signature)
        raise ValidationError(
            _("“%(name)s” was refused: our virus check found %(signature)s in it.")
            % {"name": filetypes.clean_filename(name), "signature": verdict.signature}
        )
    return True


# --- Deleting ----------------------------------------------------------------------------------


def attachments_delete(attachments: QuerySet[Attachment]) -> int:
    """Delete the rows now and their files once the transaction commits."""
    names = list(attachments.values_list("file", flat=True))
    if not names:
        return 0
    attachments.delete()
    transaction.on_commit(partial(_delete_files, names))
    return len(names)


def _delete_files(names: Iterable[str]) -> None:
    storage = attachment_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # Left for the daily sweep of files without a row.
            logger.exception("Could not delete an attachment file")


def attachment_orphans_remove(*, now: datetime | None = None, grace: timedelta = timedelta(days=1)) -> int:
    """Delete stored files that no attachment row names, once older than ``grace``.

    Such files come from a process stopped between committing a deletion and removing its files,
    or between storing an upload and saving its row; the grace leaves uploads in progress alone.
    """
    now = now or timezone.now()
    storage = attachment_storage()
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        return 0
    known = set(Attachment.objects.filter(file__in=files).values_list("file", flat=True))
    removed = 0
    for name in files:
        if name in known or storage.get_modified_time(name) > now - grace:
            continue
        storage.delete(name)
        removed += 1
    return removed


# --- Serving -----------------------------------------------------------------------------------


def file_response(attachment: Attachment) -> FileResponse:
    """The file as a download under its cleaned name, never rendered by the browser, never cached."""
    try:
        handle = attachment_storage().open(attachment.file.name or "", "rb")
    except FileNotFoundError:
        logger.error("Attachment %s has no file in storage", attachment.pk)
        raise Http404 from None
    kind = KINDS[attachment.kind]
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename, content_type=kind.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class CappedUploadHandler(FileUploadHandler):
    """Stops reading a file part past ``limit`` bytes, so a huge upload never fills the disk.

    The file is skipped (absent from ``request.FILES``) and its field named in ``oversized``,
    for the form to say it was too large.
    """

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.oversized: set[str] = set()

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[arg-type]
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversized.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
