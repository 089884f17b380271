"""Excel export of a list, with the same columns, filters and scope as the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A single export is capped; larger ones belong in a background export.
MAX_EXPORT_ROWS = 100_000


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


def xlsx_response(
    *, title: str, headers: list[str], rows: Iterable[list[Any]], filename: str
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for count, row in enumerate(rows, start=1):
        if count > MAX_EXPORT_ROWS:
            break
        sheet.append([_cell(v) for v in row])
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
