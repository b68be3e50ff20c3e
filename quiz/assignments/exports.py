"""The gradebook as a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel reads the
accents) and XLSX (openpyxl). One row per student, one column per assignment: the
percentage counted, "late" after it where late, "missing" where nothing came in by the due
date; a last column says whether the student is still in the class or a former member.
Text a spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from quiz.assignments.gradebook import Cell, Gradebook, Row
from quiz.classes.views import csv_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell_text(cell: Cell) -> str:
    if cell.percent is not None:
        return f"{cell.percent}%" + (" late" if cell.late else "")
    return cell.label


def _day(moment: datetime) -> str:
    """The date in the school's time zone, as the gradebook page shows it."""
    return f"{timezone.localtime(moment, ZoneInfo(settings.SCHOOL_TIME_ZONE)):%Y-%m-%d}"


def _membership(row: Row) -> str:
    return f"former member (left {_day(row.left_at)})" if row.left_at is not None else "current"


def table(book: Gradebook) -> list[list[object]]:
    header: list[object] = [
        "student",
        *(csv_cell(f"{a.quiz.title} (due {_day(a.due_at)})") for a in book.assignments),
        "membership",
    ]
    rows: list[list[object]] = [header]
    for row in book.rows:
        rows.append(
            [
                csv_cell(row.student.get_username()),
                *(csv_cell(_cell_text(c)) for c in row.cells),
                _membership(row),
            ]
        )
    return rows


def _filename(book: Gradebook, ext: str) -> str:
    return f"gradebook-{slugify(book.classroom.name) or book.classroom.pk}.{ext}"


def csv_response(book: Gradebook) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(book, "csv")}"'
    response.write("\ufeff")
    csv.writer(response).writerows(table(book))
    return response


def xlsx_response(book: Gradebook) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Gradebook"
    for values in table(book):
        sheet.append(values)
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(book, "xlsx")}"'
    return response
