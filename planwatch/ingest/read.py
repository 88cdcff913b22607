"""Reading a submitted file into sheets of raw cell values: xlsx, xls, xlsb, ods and csv.

python-calamine reads every spreadsheet format (5–9× faster than openpyxl). What a file is, is told
by its first bytes, not its name: a workbook renamed .csv is still read as one, and a PDF, an image,
a web page or a text renamed .xlsx is refused naming what it is. A CSV is decoded by its byte-order
mark (UTF-8, UTF-16 as Excel's 'Unicode text' writes it), else as strict UTF-8, then GB 18030 (a
superset of GBK): the other order silently garbles UTF-8. calamine trusts the sizes and checksums a
file declares, so before it touches a workbook the container is checked here: a zip's members'
sizes, compression ratios and CRCs, each sheet's used range; a compound file (.xls, or a workbook
encrypted with a password) in `compound_file`.
"""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import python_calamine
from isal import isal_zlib

from planwatch.ingest.compound_file import inspect_compound_file, is_compound_file
from planwatch.ingest.formula_cells import (
    PREFIXED_CELL,
    HiddenCell,
    cells_in_order,
    hidden_cells,
    hidden_rows,
    hide_figures,
    ods_formulas_without_value,
    put_back,
    sheet_names_by_member,
)
from planwatch.ingest.percent_cells import percent_cells, percent_styles, show_percentages
from planwatch.ingest.values import column_index, column_letter

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_SHEET_CELLS = 5_000_000  # a sheet's used range (rows × columns) calamine may allocate

Cell = str | float | int | bool | object


# an .ods cell shown as a percentage (80%) stores 0.8, as Excel does; its cell positions are not read here
_ODS_PERCENTAGE = b'office:value-type="percentage"'
# an .ods formula saved without its result reads as blank: the file is refused naming the cells
ODS_FORMULAS = (
    "文件（ODS格式）中有{count}个公式单元格没有保存计算结果（{where}），读取时会被当作未填写；"
    "请在WPS或LibreOffice中打开文件、重新计算并保存（或另存为xlsx格式）后重新报送"
)
ODS_PERCENTAGE = (
    "文件（ODS格式）中有以百分比格式显示的数字（如80%），其存储值为0.8，无法确认应读为80还是0.8；"
    "请另存为xlsx格式后重新报送，或将百分比直接填写为数字（如80）"
)


class UnreadableFileError(Exception):
    """The file as a whole cannot be read; `reason` is written for the department (Chinese)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Sheet:
    name: str
    index: int
    hidden: bool
    rows: list[list[Cell]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]


@dataclass
class SourceFile:
    path: Path
    size: int
    sheets: list[Sheet]
    encoding: str | None = None  # for CSV


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _ZipMember(NamedTuple):
    name: str
    method: int  # 0 stored, 8 deflated
    crc: int
    compressed: int
    uncompressed: int
    local_header: int | None  # where its local header is, when the fast reader found it


def _zip_members_fast(data: bytes) -> list[_ZipMember] | None:
    """Every member from the central directory alone: what `zipfile` reads, without its objects.

    None when the archive needs `zipfile`'s full reading: ZIP64, bytes before the archive (the
    directory's offsets are then relative, and zipfile and calamine shift them), anything unexpected.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 20 or end + 22 > len(data) or data[end - 20 : end - 16] == b"PK\x06\x07":  # ZIP64 locator
        return None
    entries, size, offset = struct.unpack_from("<HII", data, end + 10)
    if entries == 0xFFFF or offset == 0xFFFFFFFF or offset + size != end:
        return None
    members = []
    position = offset
    unpack = _CENTRAL_ENTRY.unpack_from
    for _ in range(entries):
        if position + 46 > end:
            return None
        signature, method, crc, compressed, uncompressed, name_length, extra_length, comment_length, local = unpack(
            data, position
        )
        if signature != 0x02014B50 or 0xFFFFFFFF in (compressed, uncompressed, local):
            return None
        name = data[position + 46 : position + 46 + name_length].decode("utf-8", "replace")
        members.append(_ZipMember(name, method, crc, compressed, uncompressed, local))
        position += 46 + name_length + extra_length + comment_length
    return members if position == end else None


# signature, (version ×2, flags), method, (time, date), crc, compressed, uncompressed, name/extra/comment
# lengths, (disk, internal and external attributes), local header offset
_CENTRAL_ENTRY = struct.Struct("<I6xH4xIIIHHH8xI")


def _zip_members(data: bytes) -> tuple[list[_ZipMember], zipfile.ZipFile | None]:
    members = _zip_members_fast(data)
    if members is not None:
        return members, None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, UnicodeDecodeError):
        # a damaged directory makes zipfile raise more than BadZipFile (a negative seek: ValueError)
        raise UnreadableFileError(UNZIP_FAILED) from None
    listed = [
        _ZipMember(m.filename, m.compress_type, m.CRC, m.compress_size, m.file_size, None) for m in archive.infolist()
    ]
    return listed, archive


UNZIP_FAILED = "文件已损坏或不是有效的Excel文件（无法解压），请重新导出后报送"
_PRINTABLE_NAME = re.compile(r"[^\w./\[\]-]")


def _damaged_member(member: _ZipMember) -> UnreadableFileError:
    """A member that does not inflate, or not to what its checksum says: its values could be anything."""
    name = _PRINTABLE_NAME.sub("?", member.name)[:60]
    return UnreadableFileError(f"文件已损坏（其中的“{name}”校验失败，内容可能有误），已拒收，请重新导出后报送")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\"")


def _member_span(data: bytes, member: _ZipMember) -> tuple[int, int] | None:
    """Where a member's compressed bytes are, from its local header; None when that header is not there."""
    local = member.local_header
    if local is None or local + 30 > len(data) or data[local : local + 4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_length + extra_length
    return start, start + member.compressed


def _member_bytes(data: bytes, member: _ZipMember, archive: zipfile.ZipFile | None) -> bytes:
    """A member inflated, never past the size the archive declares for it (a lying size is a bomb), and
    checked against its CRC: calamine reads a damaged member as it comes, a flipped digit and all.

    Inflated and checked with ISA-L (isal), 2.5× faster than zlib.
    """
    limit = min(member.uncompressed, MAX_UNCOMPRESSED_BYTES)
    try:
        if archive is not None:
            with archive.open(member.name) as handle:
                inflated = handle.read(limit + 1)
        else:
            span = _member_span(data, member)
            if span is None:
                raise _damaged_member(member)
            raw = data[span[0] : span[1]]
            if member.method == 0:
                inflated = raw
            elif member.method == 8:
                inflated = isal_zlib.decompressobj(-15).decompress(raw, limit + 1)
            else:
                raise _damaged_member(member)
    except (
        zlib.error,
        isal_zlib.error,
        zipfile.BadZipFile,
        KeyError,
        NotImplementedError,
        RuntimeError,
        OSError,
        ValueError,
        EOFError,
    ):
        raise _damaged_member(member) from None
    if len(inflated) > limit:
        raise UnreadableFileError(
            f"文件内部数据异常（{_PRINTABLE_NAME.sub('?', member.name)[:60]} 解压后大于其声明的大小），"
            "已拒收，请重新导出后报送"
        )
    if len(inflated) != member.uncompressed or isal_zlib.crc32(inflated) != member.crc:
        raise _damaged_member(member)
    return inflated


# signature, version needed, flags, method, time and date, crc, compressed, uncompressed, name and extra lengths
_LOCAL_ENTRY = struct.Struct("<IHHHIIIIHH")
# signature, versions made by and needed, flags, method, time and date, crc, compressed, uncompressed, name,
# extra and comment lengths, disk, internal and external attributes, local header offset
_CENTRAL_ENTRY_OUT = struct.Struct("<IHHHHIIIIHHHHHII")
_UTF8_NAMES = 0x800


def _stored_archive(data: bytes, members: list[_ZipMember], inflated: dict[int, bytes]) -> bytes | None:
    """The archive again with the members inflated here stored as they are: calamine inflates nothing twice.

    Every worksheet is inflated here to be checked; handing calamine those very bytes, uncompressed,
    takes a third off its reading (the time it spent inflating them again), and it reads exactly what
    was checked. The other members are copied as they are. None when the archive cannot be rebuilt
    faithfully (a member's local header missing, a name that is not UTF-8): calamine then reads the
    original.
    """
    parts: list[bytes | memoryview] = []
    directory: list[bytes] = []
    original = memoryview(data)  # the members copied as they are: no copy until the one join
    offset = 0
    for position, member in enumerate(members):
        name = member.name.encode()
        if "\ufffd" in member.name:
            return None
        body = inflated.get(position)
        method = 0
        if body is None:
            span = _member_span(data, member)
            if span is None or span[1] > len(data):
                return None
            body, method = original[span[0] : span[1]], member.method
        flags = 0 if name.isascii() else _UTF8_NAMES
        parts.append(
            _LOCAL_ENTRY.pack(
                0x04034B50, 20, flags, method, 0, member.crc, len(body), member.uncompressed, len(name), 0
            )
        )
        parts += (name, body)
        directory.append(
            _CENTRAL_ENTRY_OUT.pack(
                0x02014B50,
                20,
                20,
                flags,
                method,
                0,  # time and date
                member.crc,
                len(body),
                member.uncompressed,
                len(name),
                0,  # extra
                0,  # comment
                0,  # disk
                0,  # internal attributes
                0,  # external attributes
                offset,
            )
        )
        directory.append(name)
        offset += _LOCAL_ENTRY.size + len(name) + len(body)
    central = b"".join(directory)
    if offset + len(central) >= 0xFFFFFFFF or len(members) >= 0xFFFF:
        return None
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), offset, 0)
    return b"".join((*parts, central, end))


_CELL_REFERENCE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]+)(\d+)"')
# a cell whose start tag does not begin with its reference (<c>, <c s="3">: placed by its order in its row,
# or r= after another attribute): its place, and a prefixed sheet's (<x:c>), are counted the slow way
_CELL_NOT_LED_BY_REFERENCE = re.compile(rb'<c(?=[\s/>])(?!\sr=")')


# One literal-led scan each (a regex of alternatives without a common first byte scans ten times slower;
# the two led by "<" share one scan, a third faster than two): a cell beyond column ZZ or row 999 (its
# extent then needs counting; ZZ999 is far below MAX_SHEET_CELLS), whose reference is not its first
# attribute or which has none (<c>, <c s="3">: placed by its order in its row), or a formula (hidden_cells
# looks closer); a namespace-prefixed element (<x:c>, <x:f>: counted the slow way); an error cell
_CLOSER_LOOK = tuple(
    re.compile(pattern) for pattern in (rb'<(?:c(?!\sr="[A-Z]{1,2}\d{1,3}")[\s/>]|f\b)', rb":[cf]\b", rb' t="e"')
)
assert MAX_SHEET_CELLS > 702 * 999  # ZZ999: the scan may skip counting below it


def _needs_closer_look(xml: bytes) -> bool:
    return any(pattern.search(xml) for pattern in _CLOSER_LOOK)


def _cell_extent(xml: bytes) -> tuple[int, bytes, int]:
    """(rows, last column's letters, columns) from A1 to the farthest cell the sheet's XML holds."""
    if _CELL_NOT_LED_BY_REFERENCE.search(xml) or PREFIXED_CELL.search(xml):
        rows = columns = 0  # a cell without r="C4" stands where its order in its row puts it
        for cell in cells_in_order(xml):
            rows, columns = max(rows, cell.row_index + 1), max(columns, cell.column_index + 1)
        return rows, column_letter(max(columns - 1, 0)).encode(), columns
    references = _CELL_REFERENCE.findall(xml)
    if not references:
        return 0, b"A", 0
    letters, digits = zip(*references, strict=True)
    last = max(set(letters), key=lambda column: (len(column), column))  # AA after Z
    return max(map(int, set(digits))), last, column_index(last) + 1


# The parts calamine takes values, sheet names and number formats from; a damaged one is not read
_VALUE_PARTS = ("xl/worksheets/", "xl/sharedStrings", "xl/workbook.", "xl/styles.", "xl/_rels/", "content.xml")


def _checked_member(member: _ZipMember) -> bool:
    return member.name.startswith(_VALUE_PARTS) and not member.name.endswith("/")


class InspectedZip(NamedTuple):
    hidden: dict[str, list[HiddenCell]]  # sheet name → the cells calamine reads as blank
    data: bytes  # what calamine is to read: the archive with the members inflated here stored
    hidden_rows: dict[str, frozenset[int]]  # sheet name → the rows a clerk hid (calamine reads them as shown)
    percent: dict[str, list[tuple[int, int]]]  # sheet name → numbers shown as percentages (calamine: 0.8 for 80%)


def _inspect_zip(data: bytes) -> InspectedZip:
    """Refuse before calamine reads: a decompression bomb, and a sheet whose used range is absurd; and
    find the cells calamine would read as blank (Excel errors, formulas saved without their result).

    calamine has no decompression limit, and it allocates a sheet's whole used range at once: one
    stray cell at XFD1048576 in a 5 KB file asks for hundreds of GB and kills the process. Each
    worksheet is inflated once, here, within the size its archive declares, and calamine reads those
    bytes as they are (`_stored_archive`).
    """
    members, archive = _zip_members(data)
    total = 0
    for member in members:
        total += member.uncompressed
        ratio = member.uncompressed / max(member.compressed, 1)
        if ratio > MAX_COMPRESSION_RATIO and member.uncompressed > 1024 * 1024:
            raise UnreadableFileError(f"文件内部数据异常（{member.name} 压缩比过高），已拒收，请重新导出后报送")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFileError("文件解压后过大，已拒收；请只保留填报表格后重新报送")
    hidden: dict[str, list[HiddenCell]] = {}
    rows_hidden: dict[str, frozenset[int]] = {}
    inflated: dict[int, bytes] = {}
    for position, member in enumerate(members):
        if not _checked_member(member):
            continue
        xml = inflated[position] = _member_bytes(data, member, archive)
        if not (member.name.startswith("xl/worksheets/") and member.name.endswith(".xml")):
            continue
        found = _DIMENSION.search(xml, 0, 2048)  # a sheet's <dimension> comes first: calamine reserves it
        if found and found.group(3):
            rows, columns = int(found.group(4)), column_index(found.group(3)) + 1
            if rows * columns > MAX_SHEET_CELLS:
                raise UnreadableFileError(ABSURD_RANGE.format(used=f"A1:{found.group(3).decode()}{rows}"))
        if concealed := hidden_rows(xml):
            rows_hidden[member.name] = concealed
        if not _needs_closer_look(xml):
            continue  # within ZZ999, no error cell, no formula: the common case
        rows, letters, columns = _cell_extent(xml)  # and allocates A1 to the farthest cell, whatever <dimension> said
        if rows * columns > MAX_SHEET_CELLS:
            raise UnreadableFileError(ABSURD_RANGE.format(used=f"A1:{letters.decode()}{rows}"))
        if cells := hidden_cells(xml):
            hidden[member.name] = cells
    readable = (_stored_archive(data, members, inflated) if archive is None else None) or data
    by_name = {member.name: position for position, member in enumerate(members)}
    content = by_name.get("content.xml")  # an OpenDocument spreadsheet (.ods)
    if content in inflated and _ODS_PERCENTAGE in inflated[content]:
        raise UnreadableFileError(ODS_PERCENTAGE)
    if content in inflated and (uncomputed := ods_formulas_without_value(inflated[content])):
        where = "、".join(f"工作表“{sheet}”{cell}" for sheet, cell in uncomputed[:5])
        raise UnreadableFileError(ODS_FORMULAS.format(where=where, count=len(uncomputed)))
    styles = by_name.get("xl/styles.xml")
    shown_as_percent = percent_styles(inflated[styles]) if styles in inflated else frozenset()
    percent = (
        {
            member.name: cells
            for position, member in enumerate(members)
            if member.name.startswith("xl/worksheets/")
            and position in inflated
            and (cells := percent_cells(inflated[position], shown_as_percent))
        }
        if shown_as_percent
        else {}
    )
    if not hidden and not rows_hidden and not percent:
        return InspectedZip({}, readable, {}, {})
    workbook, rels = by_name.get("xl/workbook.xml"), by_name.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return InspectedZip({}, readable, {}, {})
    names = sheet_names_by_member(inflated[workbook], inflated[rels])

    def by_sheet(found: dict[str, object]) -> dict:
        return {names[member]: value for member, value in found.items() if member in names}

    return InspectedZip(by_sheet(hidden), readable, by_sheet(rows_hidden), by_sheet(percent))


ABSURD_RANGE = (
    "工作表的已用范围异常（{used}），远超填报表格的大小，可能在很远的单元格里误填了内容；"
    "请删除表格以外的行和列后重新报送"
)

# Byte-order marks, the longer first (UTF-32 LE's begins with UTF-16 LE's): Excel's 'Unicode text' is UTF-16
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """By its byte-order mark; else strict UTF-8, then GB 18030; returns (text, encoding)."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise UnreadableFileError(
                    f"文件以{encoding.upper()}编码的标记开头，但内容不是有效的{encoding.upper()}文本（可能已损坏），"
                    "请另存为Excel文件后报送"
                ) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError("文件编码无法识别（既不是UTF-8也不是GBK），请另存为Excel文件后报送")


def _read_csv(path: Path, data: bytes) -> tuple[list[Sheet], str]:
    text, encoding = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)  # newline="": a CR inside a quoted cell is text
    try:
        rows: list[list[Cell]] = [list(row) for row in reader]
    except csv.Error:  # a cell beyond the csv module's limit, a quote or line break the dialect cannot take
        raise UnreadableFileError(
            f"CSV文件第{reader.line_num}行的格式有误（引号或换行不成对，或单元格内容过长），无法读取；"
            "请用Excel打开后另存为Excel工作簿（.xlsx）再报送"
        ) from None
    return [Sheet(name=path.stem, index=0, hidden=False, rows=rows, merged=[])], encoding


def _is_zip(data: bytes) -> bool:
    return data[:2] == b"PK" or b"PK\x05\x06" in data[-65_557:]  # a zip, even with bytes put before it


# What a file that is no workbook is, by its first bytes, in the words of the reason
_OTHER_FORMATS = (
    (b"%PDF", "PDF文档"),
    (b"\x89PNG", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"GIF8", "GIF图片"),
    (b"II*\x00", "TIFF图片"),
    (b"MM\x00*", "TIFF图片"),
    (b"{\\rtf", "RTF文档"),
    (b"Rar!", "RAR压缩包"),
    (b"7z\xbc\xaf", "7z压缩包"),
)


def _not_a_workbook(path: Path, data: bytes) -> str:
    """Why a file named as a spreadsheet that is neither a zip nor a compound file cannot be read, naming what it is."""
    named = f"文件扩展名为“{path.suffix}”，但"
    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            return f"{named}内容是{what}，不是Excel表格；请报送Excel（.xlsx/.xls）或CSV文件，不要报送扫描件、截图或照片"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in head:
        return (
            f"{named}内容是网页（HTML），不是真正的Excel文件（一些系统导出的“Excel”实为网页）；"
            "请用Excel打开后“另存为”Excel工作簿（.xlsx）再报送"
        )
    if head.startswith(b"<?xml"):
        return f"{named}内容是XML文本，不是Excel工作簿；请用Excel打开后“另存为”Excel工作簿（.xlsx）再报送"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or not _BINARY.search(data[:4096]):
        return (
            f"{named}内容是文本（如CSV），不是Excel工作簿；"
            "请将扩展名改为“.csv”，或用Excel另存为Excel工作簿（.xlsx）后报送"
        )
    return f"{named}内容不是任何一种Excel格式（无法识别，可能已损坏），请重新导出后报送"


_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # control bytes no text file holds


def _is_panic(error: BaseException) -> bool:
    """A Rust panic inside calamine: pyo3 raises PanicException, which derives from BaseException."""
    return type(error).__name__ == "PanicException"


def _read_workbook(path: Path, data: bytes) -> list[Sheet]:
    hidden: dict[str, list[HiddenCell]] = {}
    rows_hidden: dict[str, frozenset[int]] = {}
    percent: dict[str, list[tuple[int, int]]] = {}
    if _is_zip(data):
        hidden, data, rows_hidden, percent = _inspect_zip(data)
    elif is_compound_file(data):
        problem, hidden, rows_hidden, percent = inspect_compound_file(data, MAX_SHEET_CELLS, ABSURD_RANGE)
        if problem:
            raise UnreadableFileError(problem)
    else:  # calamine reads only zips (xlsx, xlsb, ods) and compound files (xls)
        raise UnreadableFileError(_not_a_workbook(path, data))
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for index, metadata in enumerate(workbook.sheets_metadata):
            if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.get_sheet_by_name(metadata.name)
            try:
                merged = list(sheet.merged_cell_ranges or [])
            except Exception:  # merged ranges are not available for every format
                merged = []
            rows = sheet.to_python(skip_empty_area=False)
            if metadata.name in hidden:  # errors and uncomputed formulas calamine reads as blank
                put_back(rows, hidden[metadata.name])
            if metadata.name in percent:  # 80% as the cell shows it, not the 0.8 it stores
                show_percentages(rows, percent[metadata.name])
            if metadata.name in rows_hidden:  # figures in rows the clerk hid: not taken, said so
                hide_figures(rows, rows_hidden[metadata.name])
            sheets.append(
                Sheet(
                    name=metadata.name,
                    index=index,
                    hidden=metadata.visible != python_calamine.SheetVisibleEnum.Visible,
                    rows=rows,
                    merged=merged,
                )
            )
    except BaseException as error:  # calamine raises several types for damaged files and sheets, and panics
        if not isinstance(error, Exception) and not _is_panic(error):
            raise  # KeyboardInterrupt, SystemExit
        why = "读取时内部结构出错" if _is_panic(error) else type(error).__name__
        raise UnreadableFileError(f"Excel文件无法打开（{why}），请确认文件未损坏、未加密后重新报送") from None
    return sheets


_OS_ERRORS = {
    errno.ENOENT: "文件不存在（可能已被移走）",
    errno.EACCES: "没有读取权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
}


def read_bytes(path: Path) -> bytes:
    return read_bytes_and_mtime(path)[0]


def read_bytes_and_mtime(path: Path) -> tuple[bytes, float]:
    """A file's bytes and its modification time, both from the one open file (no second look-up of the path)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), os.fstat(handle.fileno()).st_mtime
    except OSError as error:
        why = _OS_ERRORS.get(error.errno or 0, f"系统错误（{error.strerror}）")
        raise UnreadableFileError(f"文件无法读取：{why}，请重新报送") from None


def read_source_file(path: Path, data: bytes | None = None) -> SourceFile:
    """Read every sheet of a submitted file, or raise UnreadableFileError with a reason in Chinese."""
    data = read_bytes(path) if data is None else data
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFileError(f"文件过大（{len(data) // 1024 // 1024} MB），请只报送填报表格")
    if not data:
        raise UnreadableFileError("文件为空，请重新报送")
    suffix = path.suffix.lower()
    encoding = None
    # a workbook renamed .csv is still one: its bytes say so (a zip's full signature: a CSV may begin with "PK")
    workbook = data.startswith(b"PK\x03\x04") or b"PK\x05\x06" in data[-65_557:] or is_compound_file(data)
    if suffix in CSV_SUFFIXES and not workbook:
        sheets, encoding = _read_csv(path, data)
    elif suffix in CSV_SUFFIXES or suffix in SPREADSHEET_SUFFIXES:
        sheets = _read_workbook(path, data)
    else:
        raise UnreadableFileError(f"不支持的文件类型“{path.suffix}”，请报送Excel（.xlsx/.xls）或CSV文件")
    return SourceFile(path=path, size=len(data), sheets=sheets, encoding=encoding)
