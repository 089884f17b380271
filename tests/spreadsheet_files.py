"""Hostile and oversized xlsx files, written part by part with zipfile (small and fast)."""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        '<sheets><sheet name="企业台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"


def _text(reference: str, value: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def write_xlsx(path: Path, rows_xml: str) -> Path:
    """An xlsx whose first sheet's <sheetData> is `rows_xml`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + rows_xml + SHEET_TAIL)
    return path


def far_corner_xlsx(path: Path) -> Path:
    """Cells at A1 and XFD1048576: a few KB that a dense reader makes 549,755,813,888 bytes."""
    return write_xlsx(
        path,
        f'<row r="1">{_text("A1", "企业名称")}</row>'
        f'<row r="1048576">{_text("XFD1048576", "x")}</row>',
    )


def bomb_xlsx(path: Path, megabytes: int = 300) -> Path:
    """One cell whose text is `megabytes` MB of "0": streamed, it deflates to a few hundred KB."""
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((SHEET_HEAD + '<row r="1"><c r="A1" t="inlineStr"><is><t>').encode())
            for _ in range(megabytes):
                sheet.write(chunk)
            sheet.write(("</t></is></c></row>" + SHEET_TAIL).encode())
    return path


def shared_string_xlsx(path: Path, text: str, cells: int, columns: int = 20) -> Path:
    """`cells` cells that all refer to one shared string `text`: the file holds the text
    once, a reader that copies it into every cell holds it `cells` times."""
    rows = []
    for first in range(0, cells, columns):
        number = first // columns + 1
        row = "".join(
            f'<c r="{chr(65 + column)}{number}" t="s"><v>0</v></c>'
            for column in range(min(columns, cells - first))
        )
        rows.append(f'<row r="{number}">{row}</row>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in PARTS.items():
            if name == "[Content_Types].xml":
                part = part.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif name == "xl/_rels/workbook.xml.rels":
                part = part.replace(
                    "</Relationships>",
                    f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" '
                    'Target="sharedStrings.xml"/></Relationships>',
                )
            archive.writestr(name, part)
        # The sheet before the strings: the scan cannot rely on knowing them first.
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + "".join(rows) + SHEET_TAIL)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{cells}" '
            f'uniqueCount="1"><si><t>{text}</t></si></sst>',
        )
    return path
