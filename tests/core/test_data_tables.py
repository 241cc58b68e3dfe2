import pytest
from django.core.exceptions import ValidationError

from core.data_tables import data_table_parse


def test_it_reads_headings_and_rows_with_quoted_commas():
    table = data_table_parse('Commitment,£ million\n"Skills, more each year",1200\n\nTalent,54\n')
    assert table is not None
    assert table.headings == ["Commitment", "£ million"]
    assert table.rows == [["Skills, more each year", "1200"], ["Talent", "54"]]


def test_an_empty_text_is_no_table():
    assert data_table_parse("  \n") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Only,headings\n", "a row of headings and at least one row of data"),
        ("A,B\n1,2\n3\n", "Row 3 has 1 cells; the heading row has 2."),
        ("A,\n1,2\n", "Every column needs a heading"),
        ("A,B\n,2\n", "Row 2 needs a name in its first cell."),
        ("A,B\n" + "x,1\n" * 61, "at most 60 rows"),
    ],
)
def test_it_names_what_is_wrong(text, message):
    with pytest.raises(ValidationError, match=message):
        data_table_parse(text)
