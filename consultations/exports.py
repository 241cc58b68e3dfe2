"""All responses of a consultation as CSV or XLSX, streamed in chunks so memory stays flat.

A respondent's text can start with "=", "+", "-" or "@", which a spreadsheet would run
as a formula (CSV injection). CSV cells are prefixed with an apostrophe, as OWASP
advises; XLSX cells are written as strings (XlsxWriter's ``write_string``), so the text
stays exact and is never a formula. XlsxWriter in constant-memory mode writes each row
to disk as it goes, several times faster than openpyxl's write-only mode.
"""

import csv
import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import IO

import xlsxwriter
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.timezone import localtime

from consultations.models import Answer, Attachment, Consultation, Question, Response
from core.site import absolute_url
from core.spreadsheets import Echo, formula_safe

CHUNK = 1000
EXCEL_CELL_LIMIT = 32_767
# XML cannot hold most control characters; XlsxWriter would keep them as "_x0007_" codes.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

RESPONSE_FIELDS = (
    "pk",
    "public_reference",
    "reference",
    "submitted_at",
    "late_link_id",
    "respondent_type",
    "name",
    "organisation",
    "organisation_role",
    "tobacco_links",
    "tobacco_links_details",
    "other_interests",
    "consent",
    "analysed",
)
HEADER = [
    "Public reference",
    "Private reference",
    "Submitted (UK time)",
    "Late",
    "Respondent type",
    "Name",
    "Organisation",
    "Role in organisation",
    "Links to the tobacco industry",
    "Details of links",
    "Other interests",
    "Consent to publish",
    "Analysed",
]


def _answer_text(labels: dict[str, str], selected: tuple[str, ...], text: str) -> str:
    chosen = [labels.get(value, value) for value in selected if value != "other"]
    return "; ".join([*chosen, text] if text else chosen)


def header(questions: list[Question]) -> list[str]:
    columns = list(HEADER)
    for number, question in enumerate(questions, start=1):
        columns += [f"Q{number}. {question.text}", f"Q{number} tags", f"Q{number} analyst note"]
        if question.accepts_files:
            columns.append(f"Q{number} files (links for analysts)")
    return columns


def rows(consultation: Consultation) -> Iterator[list[str]]:
    """The header, then one row per submitted response, reading CHUNK responses at a time."""
    questions = list(consultation.questions.all())
    yield header(questions)
    labels = [(question.pk, dict(question.option_choices()), question.accepts_files) for question in questions]
    types = {value: str(label) for value, label in Response.RespondentType.choices}
    consents = {value: str(label) for value, label in Response.Consent.choices}
    submitted = consultation.responses.submitted().order_by("pk")
    last_pk = 0
    while True:
        chunk = list(submitted.filter(pk__gt=last_pk).values_list(*RESPONSE_FIELDS)[:CHUNK])
        if not chunk:
            return
        first_pk, last_pk = chunk[0][0], chunk[-1][0]
        answers, tags = _answers_between(consultation, first_pk, last_pk)
        files = _files_between(consultation, first_pk, last_pk) if any(accepts for *_, accepts in labels) else {}
        for row in chunk:
            yield _response_row(row, labels, answers.get(row[0], {}), tags, types, consents, files.get(row[0], {}))


def _answers_between(consultation: Consultation, first_pk: int, last_pk: int):
    in_range = {"response__consultation": consultation, "response_id__gte": first_pk, "response_id__lte": last_pk}
    answers: dict[int, dict[int, tuple]] = defaultdict(dict)
    # The options chosen come as JSON text and are decoded once per distinct value: most repeat.
    rows = (
        Answer.objects.filter(**in_range)
        .annotate(selected_json=Cast("selected", TextField()))
        .values_list("pk", "response_id", "question_id", "selected_json", "text", "note")
    )
    for answer_pk, response_id, question_id, selected_json, text, note in rows:
        answers[response_id][question_id] = (answer_pk, _decoded(selected_json), text, note)
    tags: dict[int, list[str]] = defaultdict(list)
    through = Answer.tags.through.objects.filter(**{f"answer__{key}": value for key, value in in_range.items()})
    for answer_pk, name in through.values_list("answer_id", "questiontag__name").order_by("questiontag__name"):
        tags[answer_pk].append(name)
    return answers, tags


def _files_between(consultation: Consultation, first_pk: int, last_pk: int) -> dict[int, dict[int, list[str]]]:
    """Each response's files by question, as "name: link" lines pointing at the analysts' download."""
    files: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    attachments = (
        Attachment.objects.filter(
            response__consultation=consultation, response_id__gte=first_pk, response_id__lte=last_pk
        )
        .order_by("uploaded_at", "pk")
        .values_list("response_id", "question_id", "key", "filename")
    )
    for response_id, question_id, key, filename in attachments:
        link = absolute_url(reverse("admin:consultations_attachment", args=[consultation.pk, key]))
        files[response_id][question_id].append(f"{filename}: {link}")
    return files


@lru_cache(maxsize=4096)
def _decoded(selected_json: str) -> tuple[str, ...]:
    return tuple(json.loads(selected_json)) if selected_json else ()


def _response_row(row, labels, answers, tags, types, consents, files) -> list[str]:
    (_pk, public, private, submitted_at, late, kind, name, organisation, role, tobacco, details, interests, consent,
     analysed) = row  # fmt: skip
    cells = [
        public,
        private,
        localtime(submitted_at).strftime("%Y-%m-%d %H:%M") if submitted_at else "",
        "yes" if late else "no",
        types.get(kind, kind),
        name,
        organisation,
        role,
        tobacco,
        details,
        interests,
        consents.get(consent, consent),
        "yes" if analysed else "no",
    ]
    for question_pk, options, accepts_files in labels:
        answer = answers.get(question_pk)
        if answer is None:
            cells += ["", "", ""]
        else:
            answer_pk, selected, text, note = answer
            cells += [_answer_text(options, selected, text), "; ".join(tags.get(answer_pk, ())), note]
        if accepts_files:
            cells.append("\n".join(files.get(question_pk, ())))
    return cells


def csv_lines(consultation: Consultation) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield "\ufeff"  # Excel reads the file as UTF-8 only with a byte-order mark.
    for row in rows(consultation):
        yield writer.writerow([formula_safe(cell) for cell in row])


def xlsx_file(consultation: Consultation) -> IO[bytes]:
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response streams it, then closes it
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet("Responses")
    for number, row in enumerate(rows(consultation)):
        for column, value in enumerate(row):
            if value:
                sheet.write_string(number, column, CONTROL_CHARACTERS.sub("", value)[:EXCEL_CELL_LIMIT])
    workbook.close()
    output.seek(0)
    return output
