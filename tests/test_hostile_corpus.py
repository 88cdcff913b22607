"""A hostile corpus: each kind of bad file a department (or a broken program) can send, built from a real
template or statistics table, mutated, and what ingestion must make of it: the rows loaded, quarantined
and ignored (or the file rejected), and the words of the Chinese reason the clerk reads.

Every kind is ingested alone, with its receipt, and holds the invariants besides: rows read = loaded +
quarantined + ignored, cells likewise; every quarantined row has a reason; no receipt cell is a
formula. Kinds pinned in detail elsewhere (test_ingest_files, test_ingest_no_guessing, test_ingest_cells,
test_ingest_receipts) reuse their builders and are checked here only for their outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from planwatch.ingest.receipt import FORMULA_TRIGGERS
from planwatch.ingest.store import FileResult
from planwatch.sample.xls import xls_bytes
from planwatch.template_format import META_SHEET

from .fuzz_support import XCell, book_bytes, read_book
from .ingest_support import ingest, ods_bytes, pingliang_table, query, statistics_workbook
from .test_ingest_files import _bomb_workbook
from .test_ingest_no_guessing import DEPARTMENT, PERIOD, _template

# ---------------------------------------------------------------------------------------------
# Builders: a real fill-in template of PERIOD (14 data sheets of one region row each), a statistics
# table of 平凉 (regions as columns), a long CSV export; each then broken one way.

FIRST_SHEET = "农业总产值（农林牧渔业总产值）"  # C4 本年累计（亿元） = 9.37, D4 上年同期累计 = 8.78
LONG_HEADER = ["指标名称", "地区", "时期", "数值", "单位", "口径"]
GOOD_LONG_ROWS = [
    ["苹果产量", "庄浪县", "2024-03", "12.5", "万吨", "累计"],
    ["苹果产量", "静宁县", "2024-03", "30", "万吨", "累计"],
]
LONGEST_NAME = "平凉市统计局_" + "长" * 77 + "x.csv"  # 255 bytes, all a file system allows (not 300 characters)
INJECTIONS = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)")


def _template_with(edit: Callable[[Workbook], object] | None = None, name: str = "") -> Callable[[Path], Path]:
    """A filled template of PERIOD, edited with openpyxl."""

    def build(folder: Path) -> Path:
        path, _ = _template(folder / (name or f"呼和浩特市农牧局_{PERIOD}_填报模板.xlsx"))
        if edit is not None:
            workbook = load_workbook(path)
            edit(workbook)
            workbook.save(path)
        return path

    return build


def _typed(value: object, header: str | None = None, as_text: bool = False) -> Callable[[Path], Path]:
    """The template with `value` typed into the first data sheet's 本年累计 cell (and its header changed)."""

    def edit(workbook: Workbook) -> None:
        sheet = workbook[FIRST_SHEET]
        sheet["C4"] = value
        if as_text:
            sheet["C4"].data_type = "s"  # openpyxl would store '#N/A' as an error, '=…' as a formula
        if header is not None:
            sheet["C3"] = header

    return _template_with(edit)


def _template_xml(edit: Callable[..., object]) -> Callable[[Path], Path]:
    """The template with its sheets' XML edited (what openpyxl cannot write: a formula's cached value, a
    merge over a value, a stale used range)."""

    def build(folder: Path) -> Path:
        path, _ = _template(folder / f"呼和浩特市农牧局_{PERIOD}_填报模板.xlsx")
        book = read_book(path.read_bytes())
        edit(book)
        path.write_bytes(book_bytes(book))
        return path

    return build


def _set_meta(key: str, value: str) -> Callable[[Workbook], None]:
    def edit(workbook: Workbook) -> None:
        for row in workbook[META_SHEET].iter_rows():
            if row[0].value == key:
                row[1].value = value

    return edit


def _long_csv(
    name: str, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",", header: list[str] | None = None
) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header or LONG_HEADER, *rows])
        path = folder / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    return build


def _bytes(name: str, data: bytes | Callable[[Path], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data(folder) if callable(data) else data)
        return path

    return build


def _stats(name: str, rows: list[list[object]], header: list[object] | None = None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        table = pingliang_table(rows)
        if header is not None:
            table["2024年3月"][1] = header
        return statistics_workbook(folder / name, table)

    return build


def _template_bytes(folder: Path) -> bytes:
    path, _ = _template(folder / "source.xlsx")
    data = path.read_bytes()
    path.unlink()
    return data


def _template_xls(folder: Path) -> bytes:
    path, _ = _template(folder / "source.xlsx")
    data = xls_bytes(load_workbook(path))
    path.unlink()
    return data


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (CFB version 3) holding `streams`, each padded into whole 512-byte sectors
    of at least 4096 bytes (no mini stream): what an .xlsx saved with a password is, with its streams."""
    end, free, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    padded = {name: data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for name, data in streams.items()}
    fat = [0xFFFFFFFD, end]  # sector 0: the FAT, sector 1: the directory
    starts = {}
    for name, data in padded.items():
        starts[name] = len(fat)
        count = len(data) // 512
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = no_stream, right: int = no_stream) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream, right, child)
            + b"\0" * 36
            + struct.pack("<IQ", start, size)
        )

    names = list(padded)
    directory = entry("Root Entry", 5, end, 0, child=1)
    for index, name in enumerate(names):
        following = index + 2 if index + 1 < len(names) else no_stream
        directory += entry(name, 2, starts[name], len(padded[name]), right=following)
    directory = directory.ljust(512, b"\0")
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *[free] * 108)
    )
    return header + struct.pack("<128I", *fat) + directory + b"".join(padded.values())


def _encrypted_xls(folder: Path) -> bytes:
    """An .xls whose workbook stream says it has an open password (a FilePass record in place of its CODEPAGE)."""
    data = bytearray(_template_xls(folder))
    at = data.find(b"\x42\x00\x02\x00", 512)
    data[at : at + 6] = b"\x2f\x00\x02\x00\x01\x00"
    return bytes(data)


def _stored_with_a_digit_flipped(folder: Path) -> bytes:
    """The template re-zipped without compression, one figure's digit changed in place: its CRC no longer matches."""
    original = zipfile.ZipFile(io.BytesIO(_template_bytes(folder)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for info in original.infolist():
            archive.writestr(info.filename, original.read(info.filename))
    data = bytearray(buffer.getvalue())
    at = re.search(rb'<c r="C4"[^>]*><v>9', data).end() - 1  # the first data sheet's 本年累计 (9.37)
    data[at] = ord("8")  # 9.37 → 8.37, nothing else changed
    return bytes(data)


def _far_cell_with_a_stale_dimension(book) -> None:
    sheet = book.sheet(FIRST_SHEET)
    sheet.cells[(1048575, 16383)] = XCell("n", "1")
    sheet.dimension = "A1:E4"  # what the sheet says its used range is: the reader allocates to the far cell anyway


def _cached_formula(book) -> None:
    book.sheet(FIRST_SHEET).cells[(3, 2)] = XCell("fn", "9.37")  # =1+1, saved with the result 9.37


def _merge_over_a_value(workbook: Workbook) -> None:
    sheet = workbook[FIRST_SHEET]
    sheet.merge_cells("C4:D4")  # as Excel merges: only the first cell's value stays


def _hide_data_row(workbook: Workbook) -> None:
    workbook[FIRST_SHEET].row_dimensions[4].hidden = True


def _extra_column(workbook: Workbook) -> None:
    sheet = workbook[FIRST_SHEET]
    sheet["F3"], sheet["F4"] = "自填说明", "数据为估算"


def _without_code_column(workbook: Workbook) -> None:
    workbook[FIRST_SHEET].delete_cols(2)  # 地区编码 gone: the region is still found by its name


def _without_region_header(workbook: Workbook) -> None:
    workbook[FIRST_SHEET]["A3"] = None  # the header row has no 地区 any more


def _duplicate_row(workbook: Workbook) -> None:
    sheet = workbook[FIRST_SHEET]
    for column in "ABCDE":
        sheet[f"{column}5"] = sheet[f"{column}4"].value
    sheet["C5"] = 9.5  # the same region again, another figure


def _swap_sheets(workbook: Workbook) -> None:
    first, second = workbook[FIRST_SHEET], workbook["肉牛存栏"]
    first.title, second.title = "swap", FIRST_SHEET
    first.title = "肉牛存栏"


def _foreign_region(workbook: Workbook) -> None:
    sheet = workbook[FIRST_SHEET]
    sheet["A5"], sheet["B5"], sheet["C5"] = "中卫市", "640500", 3.2


def _extra_sheet(workbook: Workbook) -> None:
    workbook.create_sheet("补充数据").append(["赛罕区", 12.5])


def _signature_rows(workbook: Workbook) -> None:
    sheet = workbook[FIRST_SHEET]
    sheet["A6"], sheet["C6"], sheet["D6"] = "填报人：张三", "联系电话：", 13812345678
    sheet["A7"] = "审核人：李四    填报日期：2022年7月5日"


def _total_and_note(workbook: Workbook) -> None:
    sheet = workbook[FIRST_SHEET]
    sheet["A5"], sheet["C5"] = "合计", 9.37
    sheet["A6"] = "注：本表为快报数"


def _without_meta(workbook: Workbook) -> None:
    del workbook[META_SHEET]


def _unknown_unit(workbook: Workbook) -> None:
    workbook[FIRST_SHEET]["C3"] = "本年累计（万斤两）"


def _huge_csv(folder: Path) -> Path:
    rows = [f"苹果产量,庄浪县,2024-03,{index % 90 + 10},万吨,累计" for index in range(100_000)]
    path = folder / "平凉市统计局_十万行.csv"
    path.write_text("\n".join([",".join(LONG_HEADER), *rows]) + "\n", encoding="utf-8")
    return path


def _injection_csv(folder: Path) -> Path:
    path = folder / "平凉市统计局_注入.csv"
    rows = [
        [*LONG_HEADER, "备注人"],
        [INJECTIONS[0], "庄浪县", "2024-03", "12.5", "万吨", "累计", ""],
        [INJECTIONS[1], "庄浪县", "2024-03", "12.5", "万吨", "累计", ""],
        ["苹果产量", "庄浪县", "2024-03", "12.5", "万吨", "累计", INJECTIONS[2]],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True)
class Rows:
    """Rows loaded, quarantined, ignored; `template=True`: added to the clean template's (14, 0, 99)."""

    loaded: int
    quarantined: int
    ignored: int
    template: bool = False


CLEAN_TEMPLATE = Rows(14, 0, 99)  # 14 region rows; titles, headers, 填报说明, metadata, empty milestone rows


def template(loaded: int = 0, quarantined: int = 0, ignored: int = 0) -> Rows:
    return Rows(loaded, quarantined, ignored, template=True)


REJECTED = None


@dataclass(frozen=True)
class Kind:
    """A kind of bad input: how its file is built, and what ingestion makes of it."""

    name: str
    build: Callable[[Path], Path]  # writes the file into the folder given, returns its path
    rows: Rows | None  # loaded, quarantined, ignored; None: the file is rejected
    reason: str  # words of the reason (the rejection's, or a quarantined or ignored row's or value's); "": none
    check: Callable[[FileResult, Path], None] | None = None  # what else holds (the result, the warehouse)
    max_seconds: float | None = None


def _loads(cell: str, original: str, value: float) -> Callable[[FileResult, Path], None]:
    def check(result: FileResult, warehouse: Path) -> None:
        found = query(
            warehouse,
            f"select original_value, value from raw.observations where sheet = '{FIRST_SHEET}' and cell = '{cell}'",
        )
        assert found and found[0][0] == original and found[0][1] == pytest.approx(value), found

    return check


def _loads_nothing_from(cell: str) -> Callable[[FileResult, Path], None]:
    def check(result: FileResult, warehouse: Path) -> None:
        assert query(
            warehouse, f"select count(*) from raw.observations where sheet = '{FIRST_SHEET}' and cell = '{cell}'"
        ) == [(0,)]

    return check


def _department(expected: str) -> Callable[[FileResult, Path], None]:
    def check(result: FileResult, warehouse: Path) -> None:
        assert result.department_id == expected
        assert query(warehouse, "select distinct department_id from raw.observations") == [(expected,)]

    return check


def _encoding(expected: str) -> Callable[[FileResult, Path], None]:
    def check(result: FileResult, warehouse: Path) -> None:
        assert query(warehouse, "select encoding from raw.file_loads") == [(expected,)]
        read = query(warehouse, "select region_code, value from raw.observations order by 1")
        assert read == [("620825", 12.5), ("620826", 30.0)]

    return check


def _receipt_named(expected: str) -> Callable[[FileResult, Path], None]:
    def check(result: FileResult, warehouse: Path) -> None:
        assert result.receipt_problem is None and result.receipt is not None
        assert Path(result.receipt).name == expected and Path(result.receipt).exists()

    return check


def _receipt_name_fits(result: FileResult, warehouse: Path) -> None:
    assert len(result.file.encode()) <= 255
    assert result.receipt_problem is None and result.receipt is not None
    assert len(Path(result.receipt).name.encode()) <= 255 and Path(result.receipt).exists()


def _injections_stay_text(result: FileResult, warehouse: Path) -> None:
    """Each injected text is on the receipt as a string cell that no spreadsheet runs: quoted with an apostrophe."""
    workbook = load_workbook(result.receipt)
    shown = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    for injection in INJECTIONS:
        holding = [cell for cell in shown if injection in cell.value]
        assert any(cell.value == "'" + injection or cell.value.startswith("'" + injection) for cell in holding), (
            injection
        )
        assert all(cell.data_type == "s" and not cell.value.startswith(FORMULA_TRIGGERS) for cell in holding)


def _no_observation_from_another_city(result: FileResult, warehouse: Path) -> None:
    assert query(warehouse, "select count(*) from raw.observations where region_code = '640500'") == [(0,)]


def _no_figure_loaded(result: FileResult, warehouse: Path) -> None:
    # one figure 100,000 times with 90 values: which row is right is not guessed, none is loaded
    assert result.observations == 0
    codes = query(warehouse, "select reason_code, count(*) from raw.quarantine group by 1 order by 1")
    # the rows that repeat the first row's value exactly are plain repeats of it
    assert codes == [("conflicting_duplicate_in_file", 100_000 - 1111), ("duplicate_in_file", 1111)]


KINDS: tuple[Kind, ...] = (
    # --- whole files that are not what their name says, damaged, encrypted or absurd: rejected alone
    Kind(
        "encrypted_xlsx",
        _bytes(
            "加密.xlsx",
            _compound_file({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 200, "EncryptedPackage": b"\0" * 5000}),
        ),
        REJECTED,
        "设置了打开密码",
    ),
    Kind("encrypted_xls", _bytes("加密.xls", _encrypted_xls), REJECTED, "设置了打开密码"),
    Kind("xls_named_xlsx", _bytes(f"呼和浩特市农牧局_{PERIOD}_填报模板.xlsx", _template_xls), CLEAN_TEMPLATE, ""),
    Kind(
        "ods_named_xlsx",
        _bytes(
            "平凉市统计局_月报.xlsx",
            ods_bytes(
                [
                    ["平凉市主要指标月报（2024年1-3月）"],
                    ["指标", "计量单位", "庄浪县", "静宁县"],
                    ["苹果产量", "万吨", 12.5, 30],
                ]
            ),
        ),
        Rows(1, 0, 2),
        "",
    ),
    Kind("xlsx_named_csv", _bytes(f"呼和浩特市农牧局_{PERIOD}.csv", _template_bytes), CLEAN_TEMPLATE, ""),
    Kind("pdf_named_xlsx", _bytes("报表.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), REJECTED, "内容是PDF文档"),
    Kind("png_named_xlsx", _bytes("截图.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), REJECTED, "内容是PNG图片"),
    Kind("jpeg_named_xls", _bytes("照片.xls", b"\xff\xd8\xff\xe0\0\x10JFIF"), REJECTED, "内容是JPEG图片"),
    Kind(
        "html_named_xls",
        _bytes("系统导出.xls", "<html><body><table><tr><td>指标</td></tr></table></body></html>".encode()),
        REJECTED,
        "内容是网页（HTML）",
    ),
    Kind("csv_named_xlsx", _bytes("导出.xlsx", ",".join(LONG_HEADER).encode()), REJECTED, "内容是文本（如CSV）"),
    Kind("empty_file", _bytes("空.csv", b""), REJECTED, "文件为空"),
    Kind("damaged_zip", _bytes("坏.xlsx", b"PK\x03\x04 this is not a workbook"), REJECTED, "无法解压"),
    Kind(
        "damaged_member_crc",
        _bytes(f"呼和浩特市农牧局_{PERIOD}_填报模板.xlsx", _stored_with_a_digit_flipped),
        REJECTED,
        "“xl/worksheets/sheet2.xml”校验失败",
    ),
    Kind(
        "truncated_xls",
        _bytes("截断.xls", lambda folder: _template_xls(folder)[:3000]),
        REJECTED,
        "已损坏（Excel 97-2003 文件的内部结构",
    ),
    Kind("zip_bomb", _bytes("炸弹.xlsx", _bomb_workbook), REJECTED, "压缩比过高"),
    Kind(
        "far_cell",
        _template_with(lambda w: w[FIRST_SHEET].cell(1048576, 16384, 1)),
        REJECTED,
        "已用范围异常（A1:XFD1048576）",
    ),
    Kind(
        "far_cell_stale_dimension",
        _template_xml(_far_cell_with_a_stale_dimension),
        REJECTED,
        "已用范围异常（A1:XFD1048576）",
    ),
    Kind("unknown_layout", _stats("随便.xlsx", [["一", "二"]], header=["甲", "乙"]), REJECTED, "文件格式无法识别"),
    Kind("unsupported_suffix", _bytes("报表.pdf", b"%PDF-1.4"), REJECTED, "不支持的文件类型"),
    # --- CSV encodings: read as written
    Kind("csv_gbk", _long_csv("平凉市统计局_导出.csv", GOOD_LONG_ROWS, "gbk"), Rows(2, 0, 1), "", _encoding("gb18030")),
    Kind(
        "csv_utf16",
        _long_csv("平凉市统计局_导出.csv", GOOD_LONG_ROWS, "utf-16", "\t"),
        Rows(2, 0, 1),
        "",
        _encoding("utf-16"),
    ),
    Kind(
        "csv_utf8_bom",
        _long_csv("平凉市统计局_导出.csv", GOOD_LONG_ROWS, "utf-8-sig"),
        Rows(2, 0, 1),
        "",
        _encoding("utf-8-sig"),
    ),
    Kind(
        "csv_nul_byte",
        _long_csv(
            "平凉市统计局_导出.csv", [GOOD_LONG_ROWS[0], ["苹果产量", "静宁县", "2024-03", "3\x002", "万吨", "累计"]]
        ),
        Rows(1, 1, 1),
        "不是有效数字",
    ),
    Kind(
        "csv_line_break_in_a_cell",
        _long_csv(
            "平凉市统计局_导出.csv", [GOOD_LONG_ROWS[0], ["苹果产量", "静宁县", "2024-03", "3\r\n0", "万吨", "累计"]]
        ),
        Rows(1, 1, 1),
        "两种读法",
    ),
    # --- what a clerk types into a number cell
    Kind("formula_without_value", _typed("=C5*2"), template(-1, 1), "没有保存计算结果"),
    Kind("formula_with_cached_value", _template_xml(_cached_formula), CLEAN_TEMPLATE, "", _loads("C4", "9.37", 9.37)),
    Kind("excel_error_div0", _typed("#DIV/0!"), template(-1, 1), "Excel错误“#DIV/0!”"),
    Kind("excel_error_na", _typed("#N/A"), template(-1, 1), "Excel错误“#N/A”"),
    Kind("text_na", _typed("#N/A", as_text=True), template(-1, 1), "“#N/A”不是有效数字"),
    Kind("about_five_wan", _typed("约5万"), template(-1, 1), "“约5万”不是有效数字"),
    Kind(
        "thousands_separator",
        _typed("93,700", header="本年累计（万元）"),
        CLEAN_TEMPLATE,
        "",
        _loads("C4", "93,700", 9.37),
    ),
    Kind("full_width_digits", _typed("９．３７"), CLEAN_TEMPLATE, "", _loads("C4", "９．３７", 9.37)),
    Kind("exponent", _typed("9.37e4", header="本年累计（万元）"), CLEAN_TEMPLATE, "", _loads("C4", "9.37e4", 9.37)),
    Kind("dash_not_reported", _typed("—"), CLEAN_TEMPLATE, "按未填报处理", _loads_nothing_from("C4")),
    Kind("ambiguous_separator", _typed("9,37"), template(-1, 1), "两种读法"),
    Kind("beyond_any_number", _typed("1e400"), template(-1, 1), "超出了可以表示的数字范围"),
    Kind("negative", _typed(-9.37), template(-1, 1), "负数"),
    # a boolean cell is quoted as Excel shows it
    Kind("boolean", _typed(True), template(-1, 1), "“TRUE”不是有效数字"),
    Kind("date", _typed(dt.datetime(2022, 6, 30)), template(-1, 1), "不是有效数字"),
    Kind("unknown_unit_in_header", _template_with(_unknown_unit), template(-1, 1), "计量单位“万斤两”无法识别"),
    # --- the shape of the sheet changed
    # one number over two measures' cells: whose it is is not guessed, the row is quarantined naming the range
    Kind(
        "merged_cells_over_data",
        _template_with(_merge_over_a_value),
        template(-1, 1),
        "C4:D4为合并单元格",
        _loads_nothing_from("C4"),
    ),
    # a row the clerk hid holds what they chose not to show: its figures are not taken, and the receipt says why
    Kind("hidden_row", _template_with(_hide_data_row), template(-1, 1), "所在的行在表格中被隐藏"),
    Kind("extra_column", _template_with(_extra_column), CLEAN_TEMPLATE, "“自填说明”不是本表可识别的数据列"),
    Kind("missing_code_column", _template_with(_without_code_column), CLEAN_TEMPLATE, "", _loads("B4", "9.37", 9.37)),
    Kind("missing_region_header", _template_with(_without_region_header), template(-1, 4, -3), "找不到表头（地区）"),
    # which of the two rows is right is not guessed: neither is taken
    Kind("duplicate_row_other_value", _template_with(_duplicate_row), template(-1, 2), "数值不同（另一行为第4行）"),
    Kind("swapped_sheets", _template_with(_swap_sheets), template(-2, 8, -6), "调换或改名"),
    Kind("extra_sheet", _template_with(_extra_sheet), template(0, 1), "不是模板中的填报表"),
    Kind("signature_rows", _template_with(_signature_rows), template(0, 0, 2), "签署行"),
    Kind("total_and_note_rows", _template_with(_total_and_note), template(0, 0, 2), "合计行"),
    Kind("without_hidden_sheet", _template_with(_without_meta), template(0, 0, -19), ""),
    # --- the period, the sender
    Kind("period_in_the_future", _template_with(_set_meta("period", "2030-01")), REJECTED, "报送期“2030-01”尚未到来"),
    Kind(
        "period_in_another_format",
        _template_with(_set_meta("period", "2022年6月")),
        REJECTED,
        "报送期“2022年6月”不是有效的年月",
    ),
    Kind("period_outside_the_plans", _template_with(_set_meta("period", "2019-06")), REJECTED, "不在规划期内"),
    Kind(
        "another_departments_template",
        _template_with(_set_meta("department_id", "zhongwei.agriculture_rural_bureau")),
        REJECTED,
        "不属于报送单位“中卫市农业农村局”所在的中卫市",
    ),
    Kind(
        "unknown_department",
        _template_with(_set_meta("department_id", "hohhot.no_such_bureau")),
        REJECTED,
        "不是平台登记的单位",
    ),
    Kind(
        "named_for_another_department",
        _template_with(name=f"中卫市农业农村局_{PERIOD}_填报模板.xlsx"),
        CLEAN_TEMPLATE,
        "",
        _department(DEPARTMENT),
    ),
    Kind(
        "region_of_another_city",
        _template_with(_foreign_region),
        template(0, 1),
        "不在本表的填报范围内",
        _no_observation_from_another_city,
    ),
    # --- size and names
    Kind(
        "hundred_thousand_rows",
        _huge_csv,
        Rows(0, 100_000, 1),
        "填报了两次且数值不同",
        _no_figure_loaded,
        max_seconds=60,
    ),
    Kind(
        "name_with_backslash",
        _long_csv("平凉市统计局\\导出.csv", GOOD_LONG_ROWS),
        Rows(2, 0, 1),
        "",
        _receipt_named("平凉市统计局_导出_回执.xlsx"),
    ),
    Kind(
        "name_with_control_characters",
        _long_csv("平凉市统计局\x01\x1b.csv", GOOD_LONG_ROWS),
        Rows(2, 0, 1),
        "",
        _receipt_named("平凉市统计局___回执.xlsx"),
    ),
    Kind(
        "name_of_255_bytes",
        _long_csv(LONGEST_NAME, GOOD_LONG_ROWS),
        Rows(2, 0, 1),
        "",
        _receipt_name_fits,
    ),
    Kind(
        "name_like_a_formula",
        _long_csv("=cmd|' calc'!A0 平凉市统计局.csv", GOOD_LONG_ROWS),
        Rows(2, 0, 1),
        "",
        _receipt_name_fits,
    ),
    Kind("formula_injection", _injection_csv, Rows(1, 2, 1), "不是本表可识别的数据列", _injections_stay_text),
)


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_a_hostile_file_is_loaded_quarantined_or_rejected_with_its_reason(tmp_path: Path, kind: Kind) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    path = kind.build(landing)
    warehouse, receipts = tmp_path / "w.duckdb", tmp_path / "receipts"
    started = time.perf_counter()
    [result] = ingest([path], warehouse, receipts)
    seconds = time.perf_counter() - started

    outcome = (result.rows_loaded, result.rows_quarantined, result.rows_ignored)
    if kind.rows is None:
        assert result.status == "rejected", (result.status, outcome)
        assert kind.reason in (result.reason or ""), result.reason
        assert query(warehouse, "select reason_code, reason from raw.quarantine") == [
            ("unreadable_file", result.reason)
        ]
    else:
        assert result.status == "loaded", result.reason
        expected = kind.rows
        if expected.template:
            expected = Rows(*(base + delta for base, delta in zip(
                (CLEAN_TEMPLATE.loaded, CLEAN_TEMPLATE.quarantined, CLEAN_TEMPLATE.ignored),
                (expected.loaded, expected.quarantined, expected.ignored), strict=True,
            )))  # fmt: skip
        assert outcome == (expected.loaded, expected.quarantined, expected.ignored), [
            row for row in query(warehouse, "select sheet, row_number, reason from raw.quarantine")
        ]
        reasons = [
            reason
            for (reason,) in query(
                warehouse, "select reason from raw.quarantine union all select reason from raw.ignored_rows"
            )
        ]
        assert any(kind.reason in reason for reason in reasons), reasons
    # the invariants every file holds
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    assert query(warehouse, "select count(*) from raw.quarantine where coalesce(trim(reason), '') = ''") == [(0,)]
    assert query(warehouse, "select count(*) from raw.observations where not isfinite(value)") == [(0,)]
    assert result.receipt_problem is None and result.receipt is not None
    receipt = load_workbook(result.receipt)
    assert all(cell.data_type != "f" for sheet in receipt for row in sheet.iter_rows() for cell in row)
    if kind.check is not None:
        kind.check(result, warehouse)
    if kind.max_seconds is not None:
        assert seconds < kind.max_seconds, f"{seconds:.1f}s"


def test_the_corpus_covers_at_least_forty_kinds() -> None:
    assert len({kind.name for kind in KINDS}) == len(KINDS) >= 40
