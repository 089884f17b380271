"""The one way the system reads an uploaded spreadsheet: measured first, parsed second.

An xlsx is a zip of XML parts. Its parser (python-calamine) builds the whole sheet
as a dense rows × columns array, so a 5 KB file with cells at A1 and XFD1048576
asks for 549,755,813,888 bytes, and a part of a few hundred MB of zeros inflates
from a few hundred KB. Before calamine sees a file, `inspect_xlsx` therefore:

1. reads the zip's end record (not the directory) and refuses too many parts;
2. refuses a declared uncompressed size or compression ratio over the limits;
3. streams every part through a byte counter and a lenient scan of its cell
   (`<c>`), row and shared-string (`<si>`) tags, and refuses a file whose
   furthest cell lies beyond the row or column limit, or whose area or count of
   cells or strings exceeds the cell limit;
4. refuses a text longer than a cell may hold in Excel (32,767 characters), and a
   file whose cells would expand to more text than ANJIAN_SPREADSHEET_MAX_TEXT_MB:
   calamine copies a shared string into every cell that refers to it, so one 4 MB
   string used by 400 cells is 1.6 GB read from a 2 MB file.

The scan counts the way calamine places cells (a cell without `r` follows the one
before it; a row without `r` follows the furthest row) and errs on the high side:
every part is scanned, not only the first sheet, and a tag it cannot parse counts
as a cell. Declared sizes can be trusted as bounds because both readers stop at
them: Python's zipfile reads no further, and calamine's zip reader fails.

The limits are settings (ANJIAN_SPREADSHEET_*); a refusal is a `SpreadsheetRefused`
whose text is the Chinese message for the user.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

UNREADABLE = "无法读取该文件，请上传 .xlsx 格式的 Excel 文件。"
_CHUNK = 1 << 20
_MAX_TAG = 4096  # a cell or row start tag longer than this is not from a spreadsheet program
_RATIO_FROM = 1 << 20  # small parts (styles, rels) may compress well; only large ones are judged
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF


class SpreadsheetRefused(ValueError):
    """The file may not or cannot be read; the text is the Chinese message for the user."""


@dataclass(frozen=True)
class SpreadsheetLimits:
    rows: int
    columns: int
    cells: int
    uncompressed_bytes: int
    compression_ratio: int
    members: int
    text_bytes: int = 256 * 1024 * 1024

    @classmethod
    def from_settings(cls) -> SpreadsheetLimits:
        return cls(
            rows=settings.ANJIAN_SPREADSHEET_MAX_ROWS,
            columns=settings.ANJIAN_SPREADSHEET_MAX_COLUMNS,
            cells=settings.ANJIAN_SPREADSHEET_MAX_CELLS,
            uncompressed_bytes=settings.ANJIAN_SPREADSHEET_MAX_UNCOMPRESSED_MB * 1024 * 1024,
            compression_ratio=settings.ANJIAN_SPREADSHEET_MAX_COMPRESSION_RATIO,
            members=settings.ANJIAN_SPREADSHEET_MAX_MEMBERS,
            text_bytes=settings.ANJIAN_SPREADSHEET_MAX_TEXT_MB * 1024 * 1024,
        )


@dataclass(frozen=True)
class SheetShape:
    """What the scan found: the furthest cell with content and how many there are."""

    rows: int
    columns: int
    cells: int
    strings: int
    uncompressed_bytes: int


def read_xlsx_rows(
    path: str | Path, limits: SpreadsheetLimits | None = None
) -> Iterator[list[Any]]:
    """The rows of the first sheet, as calamine gives them, once the file has passed
    `inspect_xlsx`. Raises SpreadsheetRefused before the first row if it does not."""
    from python_calamine import CalamineWorkbook

    inspect_xlsx(path, limits or SpreadsheetLimits.from_settings())
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).iter_rows()
    except Exception as exc:  # calamine raises its own error types for broken files
        raise SpreadsheetRefused(UNREADABLE) from exc
    return rows


def inspect_xlsx(path: str | Path, limits: SpreadsheetLimits) -> SheetShape:
    """Measure the file without building it; raise SpreadsheetRefused past any limit."""
    _check_member_count(Path(path), limits)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetRefused(UNREADABLE) from exc
    with archive:
        members = archive.infolist()
        declared = sum(m.file_size for m in members)
        if declared > limits.uncompressed_bytes:
            raise _too_big_unpacked(limits)
        for member in members:
            if (
                member.file_size > _RATIO_FROM
                and member.file_size > member.compress_size * limits.compression_ratio
            ):
                raise SpreadsheetRefused(
                    f"文件异常：压缩比超过 {limits.compression_ratio} 倍（疑似压缩炸弹），已拒绝读取。"
                )
        scan, text = _CellScan(limits), _TextScan(limits)
        total = 0
        try:
            for member in members:
                scan.start_part()
                text.start_part()
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > limits.uncompressed_bytes:
                            raise _too_big_unpacked(limits)
                        scan.feed(chunk)
                        text.feed(chunk)
                scan.end_part()
                text.end_part()
            text.check_expansion()
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ) as exc:
            # CRC mismatch, truncated or encrypted part, unknown compression
            raise SpreadsheetRefused(UNREADABLE) from exc
    return SheetShape(
        rows=scan.max_row,
        columns=scan.max_column,
        cells=scan.cells,
        strings=scan.strings,
        uncompressed_bytes=total,
    )


def _too_big_unpacked(limits: SpreadsheetLimits) -> SpreadsheetRefused:
    megabytes = limits.uncompressed_bytes // (1024 * 1024)
    return SpreadsheetRefused(f"文件过大：解压后超过 {megabytes} MB。请分成多个文件上传。")


def _check_member_count(path: Path, limits: SpreadsheetLimits) -> None:
    """Refuse a zip with too many parts from its end record, before Python's zipfile
    builds an object for every entry of the central directory."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            start = max(0, size - _EOCD_SIZE - _MAX_COMMENT)
            fh.seek(start)
            tail = fh.read()
    except OSError as exc:
        raise SpreadsheetRefused(UNREADABLE) from exc
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        raise SpreadsheetRefused(UNREADABLE)
    _, _, _, _, entries, directory_size, _, _ = struct.unpack(
        "<4s4H2LH", tail[at : at + _EOCD_SIZE]
    )
    # 0xFFFF means a zip64 directory: no spreadsheet within the limits needs one.
    if entries > limits.members or directory_size > limits.members * 1024:
        raise SpreadsheetRefused("文件异常：压缩包内的文件过多，已拒绝读取。")


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(c|row|si)(?=[\s/>])")
_ATTRIBUTES = rb"""((?:\s+[^\s=/>"']+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(?:c|row|si)" + _ATTRIBUTES)
# What spreadsheet programs write: no namespace prefix, `r` first and written `r="…"`, a
# row number without leading zeros, and no other `r` attribute (calamine takes the
# last `r` of a tag). A chunk made only of these is measured by expressions led by a
# literal and by bytes operations, all in C, instead of a Python loop per cell.
_PREFIXED_NAME = re.compile(rb":(?:c|row|si)[\s/>]")
_ODD_CELL = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="))')
_ODD_ROW = re.compile(rb'<row(?:[\t\n\r/>]| (?!r="))')
_SPACED_R = re.compile(rb"r[ \t\r\n]+=")
_STRING_NAME = re.compile(rb"<si[\s/>]")
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"')
_PLAIN_ROW = re.compile(rb'<row r="([1-9][0-9]{0,6})"')
_DIGITS, _LETTERS = b"0123456789", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# `r` as an attribute of its own, not the tail of a prefixed one (`x:r`), which calamine ignores.
_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REFERENCE = re.compile(rb"([A-Za-z]+)([0-9]+)")


def _column_number(letters: bytes) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - 64
    return column


def _highest(numbers: list[bytes]) -> int:
    """The largest of row numbers written without leading zeros (at most 7 digits)."""
    return int(max(map(bytes.zfill, numbers, [7] * len(numbers))))


class _CellScan:
    """Streaming over-estimate of where calamine will put cells."""

    def __init__(self, limits: SpreadsheetLimits) -> None:
        self.limits = limits
        self.max_row = self.max_column = self.cells = self.strings = 0
        self.start_part()

    def start_part(self) -> None:
        self.tail = b""
        self.row = 0  # current row, 1-based
        self.column = 0  # column of the last cell in the current row
        self.highest_row = 0
        self.part_row = self.part_column = 0  # furthest cell of this part

    def end_part(self) -> None:
        self._scan(final=True)

    def feed(self, chunk: bytes) -> None:
        self.tail += chunk
        self._scan(final=False)

    def _scan(self, *, final: bool) -> None:
        data = self.tail
        # Up to the last "<", which may open a tag that ends in the next chunk (tags longer
        # than _MAX_TAG are not waited for: they count as cells of their own).
        cut = len(data) if final else max(data.rfind(b"<"), len(data) - _MAX_TAG)
        if cut > 0 and self._scan_plain(data, cut):
            self.tail = data[cut:]
        else:
            self._scan_tags(data, final=final)

    def _scan_plain(self, data: bytes, cut: int) -> bool:
        """Measure data[:cut] in bulk if every row and cell tag in it is a plain one."""
        region = data[:cut]
        if (
            _PREFIXED_NAME.search(region)
            or _ODD_CELL.search(region)
            or _ODD_ROW.search(region)
            or _SPACED_R.search(region)
            or b"\tr" in region
            or b"\nr" in region
            or b"\rr" in region
        ):
            return False
        cells = _PLAIN_CELL.findall(region)
        rows = _PLAIN_ROW.findall(region)
        if (
            len(cells) != region.count(b'<c r="')
            or len(rows) != region.count(b'<row r="')
            or len(cells) + len(rows) != region.count(b" r=")  # no second `r` anywhere
        ):
            return False
        self.strings += len(_STRING_NAME.findall(region))
        if self.strings > self.limits.cells:
            raise self._too_many_cells()
        if rows:
            self.highest_row = max(self.highest_row, _highest(rows))
            self.row, self.column = self.highest_row, 0
        if cells:
            joined = b",".join(cells)
            row = _highest(joined.translate(None, _LETTERS).split(b","))
            letters = set(joined.translate(None, _DIGITS).split(b","))
            self.highest_row = self.row = max(self.highest_row, row)
            if region.rfind(b"<c ") > region.rfind(b"<row "):
                self.column = _column_number(cells[-1].translate(None, _DIGITS))
            self._count(row, max(map(_column_number, letters)), len(cells))
        return True

    def _scan_tags(self, data: bytes, *, final: bool) -> None:
        position, keep_from = 0, None
        while match := _TAG.search(data, position):
            name, start = match.group(1), match.start()
            if name == b"si":  # only counted: a string calamine keeps whatever its attributes
                position = match.end()
                self.strings += 1
                if self.strings > self.limits.cells:
                    raise self._too_many_cells()
                continue
            tag = _START_TAG.match(data, start, min(len(data), start + _MAX_TAG))
            if tag is None and not final and len(data) - start < _MAX_TAG:
                keep_from = start  # the tag may end in the next chunk
                break
            # A tag that does not parse still counts, at the next position.
            attributes = tag.group(1) if tag else b""
            position = tag.end() if tag else match.end()
            if name == b"row":
                self._row(attributes)
            else:
                self._cell(attributes)
        if final:
            self.tail = b""
        elif keep_from is not None:
            self.tail = data[keep_from:]
        else:  # a tag name cut at the end of the chunk is matched again with the next one
            self.tail = data[max(position, len(data) - _MAX_TAG) :]

    def _row(self, attributes: bytes) -> None:
        references = _R.findall(attributes)
        if len(references) > 1:
            raise SpreadsheetRefused(UNREADABLE)
        if references:
            value = references[0][0] or references[0][1]
            if not value.isdigit():
                raise SpreadsheetRefused(UNREADABLE)
            self.row = int(value) if len(value) < 10 else self.limits.rows + 1
        else:
            self.row = self.highest_row + 1
        self.highest_row = max(self.highest_row, self.row)
        self.column = 0

    def _cell(self, attributes: bytes) -> None:
        references = _R.findall(attributes)
        if len(references) > 1:
            raise SpreadsheetRefused(UNREADABLE)  # an attribute twice is not XML
        if references:
            parsed = _REFERENCE.fullmatch(references[0][0] or references[0][1])
            if parsed is None:
                raise SpreadsheetRefused(UNREADABLE)
            letters, digits = parsed.groups()
            self.column = _column_number(letters) if len(letters) <= 5 else self.limits.columns + 1
            self.row = int(digits) if len(digits) < 10 else self.limits.rows + 1
        else:
            self.row = max(self.row, 1)
            self.column += 1
        self.highest_row = max(self.highest_row, self.row)
        # An empty `<c r="…"/>` counts too: calamine leaves it out, but the scan stays simple
        # and on the safe side (spreadsheet programs write them only near the data).
        self._count(self.row, self.column, 1)

    def _count(self, row: int, column: int, cells: int) -> None:
        """Add `cells` cells whose furthest lies at (row, column)."""
        if row > self.limits.rows:
            raise SpreadsheetRefused(f"文件过大：超过 {self.limits.rows} 行。请分成多个文件上传。")
        if column > self.limits.columns:
            raise SpreadsheetRefused(
                f"文件过大：超过 {self.limits.columns} 列。请只保留模板中的列后重新上传。"
            )
        self.cells += cells
        self.part_row, self.part_column = max(self.part_row, row), max(self.part_column, column)
        self.max_row, self.max_column = max(self.max_row, row), max(self.max_column, column)
        # calamine allocates the whole rectangle up to the furthest cell, not only the cells
        # (per sheet: a long narrow sheet and a short wide one are two small rectangles)
        if self.cells > self.limits.cells or self.part_row * self.part_column > self.limits.cells:
            raise self._too_many_cells()

    def _too_many_cells(self) -> SpreadsheetRefused:
        return SpreadsheetRefused(
            f"文件过大：超过 {self.limits.cells} 个单元格。请分成多个文件上传。"
        )


# Text -----------------------------------------------------------------------------

CELL_CHARACTERS = 32767  # Excel's own limit for the text of one cell
TOO_LONG = f"单元格内容过长：超过 {CELL_CHARACTERS} 个字符。请检查文件后重新上传。"
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))
_MAX_RUN_BYTES = 4 * CELL_CHARACTERS
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
_SHARED_STRING = re.compile(rb"<" + _PREFIX + rb"si(?:[\s/>].*?</" + _PREFIX + rb"si\s*>|/>)", re.S)


def _string_cell(prefix: bytes) -> re.Pattern[bytes]:
    """A cell of type "s" and the index of its shared string: the <v> that follows
    before the cell (or another cell) ends."""
    return re.compile(
        # led by the type attribute (a literal the expression engine looks for fast);
        # an attribute that only ends in t, or one in a tag that is not a cell, counts on the
        # safe side
        rb"t\s*=\s*[\"']s[\"'][^>]*>"
        rb"(?:(?!</?" + prefix + rb"c[\s/>]).)*?"
        rb"<" + prefix + rb"v(?:\s[^>]*)?>\s*([0-9]+)\s*<",
        re.S,
    )


_STRING_CELL, _PREFIXED_STRING_CELL = _string_cell(b""), _string_cell(_PREFIX)
_TAG_END = b" \t\r\n/>"


def _last_start(data: bytes, name: bytes, start: int = 0) -> int:
    """Where the last `<name` (or `<prefix:name`) tag of data[start:] begins, or -1."""
    if b":" + name in data:  # prefixed names: rare, by expression
        pattern = rb".*(<" + _PREFIX + re.escape(name) + rb"[\s/>])"
        found = re.compile(pattern, re.S).match(data, start)
        return found.start(1) if found else -1
    opening = b"<" + name
    return max(data.rfind(opening + bytes([end]), start) for end in _TAG_END)


_CELL_WINDOW = 1 << 18  # a cell is looked for this far back; one that is longer is not waited for
_MAX_STRING_ELEMENT = 16 << 20  # markup included (rich text formats run by run)


class _TextScan:
    """Streaming check of how much text calamine will build: no text longer than a cell
    may hold, and at most `limits.text_bytes` for all cells that refer to a shared
    string (each gets its own copy). Keeps one number per shared string and per index
    referred to, both bounded by the cell limit."""

    def __init__(self, limits: SpreadsheetLimits) -> None:
        self.limits = limits
        self.lengths = array("Q")  # bytes of each shared string's element, in order
        self.references = array("I")  # cells referring to each index
        self.start_part()

    def start_part(self) -> None:
        self.tail = b""
        self.xml: bool | None = None  # binary parts (images) are not text

    def end_part(self) -> None:
        if self.xml:
            self._scan(self.tail, final=True)
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        if self.xml is None:
            self.xml = chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        if self.xml:
            self._scan(self.tail + chunk, final=False)

    def _scan(self, data: bytes, *, final: bool) -> None:
        cut = len(data)
        if not final:
            cut = data.rfind(b"<") if b"<" in data else len(data)
            if len(data) - cut > _MAX_RUN_BYTES:
                raise SpreadsheetRefused(TOO_LONG)
            cell = _last_start(data, b"c", max(0, len(data) - _CELL_WINDOW))
            if cell >= 0:
                cut = min(cut, cell)
            string = _last_start(data, b"si")
            if string >= 0 and not _SHARED_STRING.match(data, string):  # ends in a later chunk
                if len(data) - string > _MAX_STRING_ELEMENT:
                    raise SpreadsheetRefused(TOO_LONG)
                cut = min(cut, string)
        region, self.tail = data[:cut], data[cut:]
        # Text between two tags longer than a cell may hold: in bytes first (at most 4 a
        # character), then in characters.
        if len(region) > CELL_CHARACTERS:
            runs = region.split(b"<")
            if max(map(len, runs)) > CELL_CHARACTERS:
                for run in runs:
                    text = run[run.find(b">") + 1 :]  # a run starts with the rest of its tag
                    if len(text.translate(None, _CONTINUATION_BYTES)) > CELL_CHARACTERS:
                        raise SpreadsheetRefused(TOO_LONG)
        if b"<si" in region or b":si" in region:
            self.lengths.extend(len(m) for m in _SHARED_STRING.findall(region))
        references = self.references
        cells = _PREFIXED_STRING_CELL if b":c" in region else _STRING_CELL
        for index_text, count in Counter(cells.findall(region)).items():
            if len(index_text) > 9 or (index := int(index_text)) >= self.limits.cells:
                continue  # no such string (there are at most as many as cells)
            if index >= len(references):
                references.frombytes(bytes(references.itemsize * (index + 1 - len(references))))
            references[index] += count

    def check_expansion(self) -> None:
        """Refuse when the cells referring to shared strings add up to too much text."""
        total = sum(map(int.__mul__, self.lengths, self.references))
        if total > self.limits.text_bytes:
            megabytes = self.limits.text_bytes // (1024 * 1024)
            raise SpreadsheetRefused(
                f"文件过大：单元格文字合计超过 {megabytes} MB。请分成多个文件上传。"
            )
