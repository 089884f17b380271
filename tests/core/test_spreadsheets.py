"""The bounded spreadsheet reader: a file is measured before it is parsed, and refused
with a Chinese message past any limit, without the parser ever seeing it."""

import resource
import zipfile

import pytest

from anjian.core import spreadsheets
from anjian.core.spreadsheets import SpreadsheetRefused, inspect_xlsx, read_xlsx_rows
from tests.spreadsheet_files import (
    MAIN,
    PARTS,
    _text,
    bomb_xlsx,
    far_corner_xlsx,
    shared_string_xlsx,
    write_xlsx,
)


@pytest.fixture
def parser_calls(monkeypatch):
    """Records every file handed to calamine: a refused file must never get there."""
    from python_calamine import CalamineWorkbook

    calls = []
    original = CalamineWorkbook.from_path

    def spy(path, *args, **kwargs):
        calls.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(CalamineWorkbook, "from_path", spy)
    return calls


def rows_xml(count, columns=3):
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(
        f'<row r="{n}">'
        + "".join(_text(f"{letters[c]}{n}", f"v{n}") for c in range(columns))
        + "</row>"
        for n in range(1, count + 1)
    )


def refused(path):
    with pytest.raises(SpreadsheetRefused) as caught:
        list(read_xlsx_rows(path))
    return str(caught.value)


def test_a_cell_at_the_far_corner_is_refused_before_parsing(tmp_path, parser_calls):
    path = far_corner_xlsx(tmp_path / "far.xlsx")
    assert path.stat().st_size < 5000
    assert refused(path) == "文件过大：超过 200000 行。请分成多个文件上传。"
    assert parser_calls == []


def test_a_cell_beyond_the_last_column_is_refused(tmp_path, parser_calls):
    path = write_xlsx(
        tmp_path / "wide.xlsx", f'<row r="1">{_text("A1", "a")}{_text("XFD1", "b")}</row>'
    )
    assert refused(path) == "文件过大：超过 200 列。请只保留模板中的列后重新上传。"
    assert parser_calls == []


def test_too_many_rows_is_refused(tmp_path, settings, parser_calls):
    settings.ANJIAN_SPREADSHEET_MAX_ROWS = 50
    assert len(list(read_xlsx_rows(write_xlsx(tmp_path / "ok.xlsx", rows_xml(50))))) == 50
    assert refused(write_xlsx(tmp_path / "long.xlsx", rows_xml(51))) == (
        "文件过大：超过 50 行。请分成多个文件上传。"
    )
    assert len(parser_calls) == 1  # only the file within the limit


def test_the_area_up_to_the_furthest_cell_counts_not_only_the_cells(tmp_path, settings):
    """Two cells far apart make the parser allocate the whole rectangle between them."""
    settings.ANJIAN_SPREADSHEET_MAX_CELLS = 10_000
    path = write_xlsx(
        tmp_path / "sparse.xlsx",
        f'<row r="1">{_text("A1", "a")}</row><row r="1000">{_text("K1000", "b")}</row>',
    )
    assert refused(path) == "文件过大：超过 10000 个单元格。请分成多个文件上传。"


def test_each_sheet_is_its_own_rectangle(tmp_path, settings):
    settings.ANJIAN_SPREADSHEET_MAX_CELLS = 10_000
    path = write_xlsx(tmp_path / "two.xlsx", rows_xml(1))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(
            "xl/worksheets/sheet2.xml", f"<sheetData>{rows_xml(1).replace('A1', 'CV1')}</sheetData>"
        )
        archive.writestr("xl/worksheets/sheet3.xml", f"<sheetData>{rows_xml(9000, 1)}</sheetData>")
    shape = inspect_xlsx(path, spreadsheets.SpreadsheetLimits.from_settings())
    assert (shape.rows, shape.columns) == (9000, 100)  # 900,000 if it were one rectangle


def test_cells_without_a_reference_are_placed_after_the_previous_one(tmp_path, settings):
    """A row or cell without `r` cannot hide where it lands (calamine counts on)."""
    settings.ANJIAN_SPREADSHEET_MAX_COLUMNS = 5
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(6))
    assert "超过 5 列" in refused(write_xlsx(tmp_path / "implicit.xlsx", f"<row>{cells}</row>"))
    settings.ANJIAN_SPREADSHEET_MAX_ROWS = 3
    rows = "<row><c><v>1</v></c></row>" * 4
    assert "超过 3 行" in refused(write_xlsx(tmp_path / "rows.xlsx", rows))


def test_prefixed_and_odd_tags_are_measured_like_plain_ones(tmp_path, settings):
    """The bulk path and the tag-by-tag path agree; a second `r` (calamine takes the
    last) or a prefixed name cannot slip a far cell past the scan."""
    settings.ANJIAN_SPREADSHEET_MAX_ROWS = 100
    prefixed = (
        f'<x:row xmlns:x="{MAIN}" r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="500"><x:c r="A500"><x:v>2</x:v></x:c></x:row>'
    )
    assert "超过 100 行" in refused(write_xlsx(tmp_path / "prefixed.xlsx", prefixed))
    twice = '<row r="1"><c r="A1" r="A500"><v>1</v></c></row>'
    assert refused(write_xlsx(tmp_path / "twice.xlsx", twice)) == spreadsheets.UNREADABLE
    spaced = "<row r=\"1\"><c  r = 'A500' ><v>1</v></c></row>"
    assert "超过 100 行" in refused(write_xlsx(tmp_path / "spaced.xlsx", spaced))
    assert inspect_xlsx(
        write_xlsx(tmp_path / "plain.xlsx", rows_xml(40, 4)),
        spreadsheets.SpreadsheetLimits.from_settings(),
    ) == inspect_xlsx(
        write_xlsx(tmp_path / "odd.xlsx", rows_xml(40, 4).replace("<c r=", "<c\tr=")),
        spreadsheets.SpreadsheetLimits.from_settings(),
    )


def test_a_compression_bomb_is_refused_without_inflating_it(tmp_path, parser_calls):
    path = bomb_xlsx(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 2 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert refused(path) == "文件异常：压缩比超过 100 倍（疑似压缩炸弹），已拒绝读取。"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50
    assert parser_calls == []


def test_the_unpacked_size_is_bounded_even_at_an_ordinary_ratio(tmp_path, settings):
    settings.ANJIAN_SPREADSHEET_MAX_UNCOMPRESSED_MB = 1
    assert refused(write_xlsx(tmp_path / "big.xlsx", rows_xml(3000, 10))) == (
        "文件过大：解压后超过 1 MB。请分成多个文件上传。"
    )


TOO_LONG = "单元格内容过长：超过 32767 个字符。请检查文件后重新上传。"


@pytest.mark.parametrize("where", ["shared", "inline", "value"])
def test_a_text_longer_than_a_cell_may_hold_is_refused(tmp_path, parser_calls, where):
    long = "危" * 32768  # characters, not bytes: 98,304 bytes in UTF-8
    if where == "shared":
        path = shared_string_xlsx(tmp_path / "long.xlsx", long, cells=1)
    elif where == "inline":
        path = write_xlsx(tmp_path / "long.xlsx", f'<row r="1">{_text("A1", long)}</row>')
    else:
        path = write_xlsx(
            tmp_path / "long.xlsx", f'<row r="1"><c r="A1" t="str"><v>{long}</v></c></row>'
        )
    assert refused(path) == TOO_LONG
    assert parser_calls == []


def test_a_text_as_long_as_a_cell_may_hold_reads(tmp_path):
    longest = "危" * 32767
    path = shared_string_xlsx(tmp_path / "longest.xlsx", longest, cells=2)
    assert list(read_xlsx_rows(path)) == [[longest, longest]]


def test_a_shared_string_copied_into_many_cells_is_refused(tmp_path, settings, parser_calls):
    # The review's file, scaled down: one string referred to by many cells is copied
    # into each by the parser (4 MB × 400 cells took 1,758 MB to read from 2.2 MB).
    settings.ANJIAN_SPREADSHEET_MAX_TEXT_MB = 1
    path = shared_string_xlsx(tmp_path / "amplified.xlsx", "x" * 30000, cells=40)
    assert path.stat().st_size < 10_000
    assert refused(path) == "文件过大：单元格文字合计超过 1 MB。请分成多个文件上传。"
    assert parser_calls == []
    fewer = shared_string_xlsx(tmp_path / "fewer.xlsx", "x" * 30000, cells=30)  # 0.9 MB
    assert len(list(read_xlsx_rows(fewer))) == 2


@pytest.mark.parametrize("chunk", [97, 4096])
def test_texts_and_references_cut_by_a_chunk_are_measured_whole(
    tmp_path, settings, monkeypatch, chunk
):
    monkeypatch.setattr(spreadsheets, "_CHUNK", chunk)
    settings.ANJIAN_SPREADSHEET_MAX_TEXT_MB = 1
    long = shared_string_xlsx(tmp_path / "long.xlsx", "危" * 32768, cells=1)
    assert refused(long) == TOO_LONG
    amplified = shared_string_xlsx(tmp_path / "amplified.xlsx", "x" * 30000, cells=40)
    assert refused(amplified) == "文件过大：单元格文字合计超过 1 MB。请分成多个文件上传。"
    fewer = shared_string_xlsx(tmp_path / "fewer.xlsx", "危" * 32767, cells=10)
    assert len(list(read_xlsx_rows(fewer))) == 1


def test_too_many_parts_are_refused_from_the_end_record(tmp_path, settings):
    settings.ANJIAN_SPREADSHEET_MAX_MEMBERS = 20
    path = write_xlsx(tmp_path / "many.xlsx", rows_xml(1))
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(30):
            archive.writestr(f"xl/media/{n}.xml", "<a/>")
    assert refused(path) == "文件异常：压缩包内的文件过多，已拒绝读取。"


def test_not_a_zip_or_a_lying_part_is_unreadable(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip at all")
    assert refused(junk) == spreadsheets.UNREADABLE
    path = write_xlsx(tmp_path / "crc.xlsx", rows_xml(20))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name_and_extra = int.from_bytes(
        data[info.header_offset + 26 : info.header_offset + 28], "little"
    )
    name_and_extra += int.from_bytes(
        data[info.header_offset + 28 : info.header_offset + 30], "little"
    )
    middle = info.header_offset + 30 + name_and_extra + info.compress_size // 2
    data[middle : middle + 8] = bytes(8)  # the deflated stream is damaged
    path.write_bytes(bytes(data))
    assert refused(path) == spreadsheets.UNREADABLE


def test_an_ordinary_workbook_reads_as_before(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", rows_xml(3, 2))
    assert list(read_xlsx_rows(path)) == [["v1", "v1"], ["v2", "v2"], ["v3", "v3"]]
    assert set(PARTS) < set(zipfile.ZipFile(path).namelist())
