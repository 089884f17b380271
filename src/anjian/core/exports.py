"""Excel export of a list, with the same columns, filters and scope as the page.

Every workbook the product hands out is written here: a text that a spreadsheet would
read as a formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`, `+`, `-`, `@`, a leading tab
or carriage return) is written as plain text, so an export never runs what a user typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A single export is capped; larger ones belong in a background export.
MAX_EXPORT_ROWS = 100_000


#: What a spreadsheet program reads as the start of a formula or a DDE command (OWASP
#: "CSV injection"); a text starting with one of them is written as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _value(value: Any) -> Any:
    if isinstance(value, Cell):  # a styled cell made by the caller
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return str(value)


def _neutralise(cell: Any) -> None:
    # openpyxl reads a string starting with "=" as a formula: force the string type, and
    # Excel's quote prefix keeps it text even when someone edits the cell later.
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


def safe_append(sheet: Any, row: Iterable[Any]) -> None:
    """Append a row to any worksheet, write-only or not: numbers (negative ones too) and
    dates as such, every text as text, never as a formula."""
    values = [_value(v) for v in row]
    if isinstance(sheet, WriteOnlyWorksheet):
        cells = []
        for value in values:
            cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value)
            _neutralise(cell)
            cells.append(cell)
        sheet.append(cells)
        return
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        _neutralise(cell)


def xlsx_response(
    *, title: str, headers: list[str], rows: Iterable[list[Any]], filename: str
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    safe_append(sheet, header_cells)
    for count, row in enumerate(rows, start=1):
        if count > MAX_EXPORT_ROWS:
            break
        safe_append(sheet, row)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.xlsx')}"
    )
    return response


def rows_from(objects: Iterable[Any], getters: list[Callable[[Any], Any]]) -> Iterable[list[Any]]:
    for obj in objects:
        yield [get(obj) for get in getters]
