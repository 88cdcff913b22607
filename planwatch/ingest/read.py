"""Reading a submitted file into sheets of raw cell values: xlsx, xls, xlsb, ods and csv.

python-calamine reads every spreadsheet format (5–9× faster than openpyxl). A CSV is decoded as
strict UTF-8 first, then GB 18030 (a superset of GBK): the other order silently garbles UTF-8. Before
calamine touches a zip-based workbook, its members' sizes and compression ratios are checked,
because calamine has no decompression limit.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import python_calamine

from planwatch.ingest.formula_cells import HiddenCell, hidden_cells, put_back, sheet_names_by_member
from planwatch.ingest.values import column_index

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_SHEET_CELLS = 5_000_000  # a sheet's used range (rows × columns) calamine may allocate

Cell = str | float | int | bool | object


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
        signature, method, compressed, uncompressed, name_length, extra_length, comment_length, local = unpack(
            data, position
        )
        if signature != 0x02014B50 or 0xFFFFFFFF in (compressed, uncompressed, local):
            return None
        name = data[position + 46 : position + 46 + name_length].decode("utf-8", "replace")
        members.append(_ZipMember(name, method, compressed, uncompressed, local))
        position += 46 + name_length + extra_length + comment_length
    return members if position == end else None


# signature, (version ×2, flags), method, (time, date, crc), compressed, uncompressed, name/extra/comment
# lengths, (disk, internal and external attributes), local header offset
_CENTRAL_ENTRY = struct.Struct("<I6xH8xIIHHH8xI")


def _zip_members(data: bytes) -> tuple[list[_ZipMember], zipfile.ZipFile | None]:
    members = _zip_members_fast(data)
    if members is not None:
        return members, None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFileError("文件已损坏或不是有效的Excel文件（无法解压），请重新导出后报送") from None
    listed = [_ZipMember(m.filename, m.compress_type, m.compress_size, m.file_size, None) for m in archive.infolist()]
    return listed, archive


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\"")


def _member_bytes(data: bytes, member: _ZipMember, archive: zipfile.ZipFile | None) -> bytes:
    """A member inflated, never past the size the archive declares for it (a lying size is a bomb)."""
    limit = min(member.uncompressed, MAX_UNCOMPRESSED_BYTES)
    try:
        if archive is not None:
            with archive.open(member.name) as handle:
                inflated = handle.read(limit + 1)
        else:
            local = member.local_header
            if local is None or local + 30 > len(data) or data[local : local + 4] != b"PK\x03\x04":
                return b""
            name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
            start = local + 30 + name_length + extra_length
            raw = data[start : start + member.compressed]
            if member.method == 0:
                inflated = raw
            elif member.method == 8:
                inflated = zlib.decompressobj(-15).decompress(raw, limit + 1)
            else:
                return b""
    except (zlib.error, zipfile.BadZipFile, KeyError, NotImplementedError, RuntimeError, OSError):
        return b""
    if len(inflated) > limit:
        raise UnreadableFileError(f"文件内部数据异常（{member.name} 解压后大于其声明的大小），已拒收，请重新导出后报送")
    return inflated


def _inspect_zip(data: bytes) -> dict[str, list[HiddenCell]]:
    """Refuse before calamine reads: a decompression bomb, and a sheet whose used range is absurd; and
    find the cells calamine would read as blank (Excel errors, formulas saved without their result).

    calamine has no decompression limit, and it allocates a sheet's whole used range at once: one
    stray cell at XFD1048576 in a 5 KB file asks for hundreds of GB and kills the process. Each
    worksheet is inflated once, here, within the size its archive declares.
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
    for member in members:
        if not (member.name.startswith("xl/worksheets/") and member.name.endswith(".xml")):
            continue
        xml = _member_bytes(data, member, archive)
        found = _DIMENSION.search(xml, 0, 2048)  # a sheet's <dimension> comes first
        if found and found.group(3):
            rows, columns = int(found.group(4)), column_index(found.group(3)) + 1
            if rows * columns > MAX_SHEET_CELLS:
                used = f"A1:{found.group(3).decode()}{rows}"
                raise UnreadableFileError(
                    f"工作表的已用范围异常（{used}），远超填报表格的大小，可能在很远的单元格里误填了内容；"
                    "请删除表格以外的行和列后重新报送"
                )
        if cells := hidden_cells(xml):
            hidden[member.name] = cells
    if not hidden:
        return {}
    by_name = {member.name: member for member in members}
    workbook, rels = by_name.get("xl/workbook.xml"), by_name.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    names = sheet_names_by_member(_member_bytes(data, workbook, archive), _member_bytes(data, rels, archive))
    return {names[member]: cells for member, cells in hidden.items() if member in names}


def decode_text(data: bytes) -> tuple[str, str]:
    """Strict UTF-8 (with or without BOM) first, then GB 18030; returns (text, encoding)."""
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
    rows: list[list[Cell]] = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    return [Sheet(name=path.stem, index=0, hidden=False, rows=rows, merged=[])], encoding


def _read_workbook(path: Path, data: bytes) -> list[Sheet]:
    hidden: dict[str, list[HiddenCell]] = {}
    if data[:2] == b"PK" or b"PK\x05\x06" in data[-65_557:]:  # a zip, even with bytes put before it
        hidden = _inspect_zip(data)
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
            sheets.append(
                Sheet(
                    name=metadata.name,
                    index=index,
                    hidden=metadata.visible != python_calamine.SheetVisibleEnum.Visible,
                    rows=rows,
                    merged=merged,
                )
            )
    except Exception as error:  # calamine raises several types for damaged files and sheets
        raise UnreadableFileError(
            f"Excel文件无法打开（{type(error).__name__}），请确认文件未损坏、未加密后重新报送"
        ) from None
    return sheets


_OS_ERRORS = {
    errno.ENOENT: "文件不存在（可能已被移走）",
    errno.EACCES: "没有读取权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
}


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
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
    if suffix in CSV_SUFFIXES:
        sheets, encoding = _read_csv(path, data)
    elif suffix in SPREADSHEET_SUFFIXES:
        sheets = _read_workbook(path, data)
    else:
        raise UnreadableFileError(f"不支持的文件类型“{path.suffix}”，请报送Excel（.xlsx/.xls）或CSV文件")
    return SourceFile(path=path, size=len(data), sheets=sheets, encoding=encoding)
