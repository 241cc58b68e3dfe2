"""The numbers behind a chart, typed by an editor as CSV and shown to readers as a table.

A chart is a picture; its data table is what a screen-reader user, or anyone who wants the exact
figures, reads instead. The first row holds the column headings and the first cell of every other
row names that row.
"""

import csv
from dataclasses import dataclass
from io import StringIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ROWS = 60
MAX_COLUMNS = 12
MAX_CELL_CHARS = 200


@dataclass(frozen=True)
class DataTable:
    headings: list[str]
    rows: list[list[str]]


def data_table_parse(text: str) -> DataTable | None:
    """The table in ``text``, None for an empty text, or a ValidationError naming the first bad row."""
    if not text.strip():
        return None
    try:
        lines = [row for row in csv.reader(StringIO(text.strip())) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ValidationError(_("The data table is not valid CSV: %(error)s.") % {"error": error}) from None
    lines = [[cell.strip() for cell in row] for row in lines]
    _check_shape(lines)
    return DataTable(headings=lines[0], rows=lines[1:])


def data_table_check(text: str) -> None:
    """A model field validator: the text is a valid table or empty."""
    data_table_parse(text)


def _check_shape(lines: list[list[str]]) -> None:
    if len(lines) < 2:
        raise ValidationError(_("A data table needs a row of headings and at least one row of data."))
    if len(lines) > MAX_ROWS + 1:
        raise ValidationError(_("A data table can have at most %(limit)s rows of data.") % {"limit": MAX_ROWS})
    headings = lines[0]
    if len(headings) > MAX_COLUMNS:
        raise ValidationError(_("A data table can have at most %(limit)s columns.") % {"limit": MAX_COLUMNS})
    if not all(headings):
        raise ValidationError(_("Every column needs a heading in the first row."))
    for number, row in enumerate(lines[1:], start=2):
        if len(row) != len(headings):
            raise ValidationError(
                _("Row %(number)s has %(cells)s cells; the heading row has %(columns)s.")
                % {"number": number, "cells": len(row), "columns": len(headings)}
            )
        if not row[0]:
            raise ValidationError(_("Row %(number)s needs a name in its first cell.") % {"number": number})
    if any(len(cell) > MAX_CELL_CHARS for row in lines for cell in row):
        raise ValidationError(_("Cells can hold at most %(limit)s characters.") % {"limit": MAX_CELL_CHARS})
