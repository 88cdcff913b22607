"""Reading a submitted file into sheets of raw cell values: xlsx, xls, xlsb, ods and csv.

python-calamine reads every spreadsheet format (5–9× faster than openpyxl). A CSV is decoded as
strict UTF-8 first, then GB 18030 (a superset of GBK): the other order silently garbles UTF-8. Before
calamine touches a zip-based workbook, its members' sizes and compression ratios are checked,
because calamine has no decompression limit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100

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
    sha256: str
    size: int
    sheets: list[Sheet]
    encoding: str | None = None  # for CSV


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _zip_members_fast(data: bytes) -> list[tuple[str, int, int]] | None:
    """(name, compressed, uncompressed) of every member, from the central directory alone.

    The same figures `zipfile` reads, without building its objects (a tenth of the time); None when
    the archive needs `zipfile`'s full reading (ZIP64, anything unexpected).
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    entries, _, offset = struct.unpack_from("<HII", data, end + 10)
    if entries == 0xFFFF or offset == 0xFFFFFFFF:
        return None
    members = []
    for _ in range(entries):
        if data[offset : offset + 4] != b"PK\x01\x02" or offset + 46 > len(data):
            return None
        compressed, uncompressed, name_length, extra_length, comment_length = struct.unpack_from(
            "<IIHHH", data, offset + 20
        )
        if uncompressed == 0xFFFFFFFF or compressed == 0xFFFFFFFF:
            return None
        name = data[offset + 46 : offset + 46 + name_length].decode("utf-8", "replace")
        members.append((name, compressed, uncompressed))
        offset += 46 + name_length + extra_length + comment_length
    return members


def _zip_members(data: bytes) -> list[tuple[str, int, int]]:
    members = _zip_members_fast(data)
    if members is not None:
        return members
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFileError("文件已损坏或不是有效的Excel文件（无法解压），请重新导出后报送") from None
    return [(member.filename, member.compress_size, member.file_size) for member in archive.infolist()]


def _check_zip(data: bytes) -> None:
    total = 0
    for name, compressed, uncompressed in _zip_members(data):
        total += uncompressed
        ratio = uncompressed / max(compressed, 1)
        if ratio > MAX_COMPRESSION_RATIO and uncompressed > 1024 * 1024:
            raise UnreadableFileError(f"文件内部数据异常（{name} 压缩比过高），已拒收，请重新导出后报送")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFileError("文件解压后过大，已拒收；请只保留填报表格后重新报送")


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
    if data[:2] == b"PK":
        _check_zip(data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises several types for damaged files
        raise UnreadableFileError(
            f"Excel文件无法打开（{type(error).__name__}），请确认文件未损坏、未加密后重新报送"
        ) from None
    sheets = []
    for index, metadata in enumerate(workbook.sheets_metadata):
        if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet = workbook.get_sheet_by_name(metadata.name)
        try:
            merged = list(sheet.merged_cell_ranges or [])
        except Exception:  # merged ranges are not available for every format
            merged = []
        sheets.append(
            Sheet(
                name=metadata.name,
                index=index,
                hidden=metadata.visible != python_calamine.SheetVisibleEnum.Visible,
                rows=sheet.to_python(skip_empty_area=False),
                merged=merged,
            )
        )
    return sheets


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnreadableFileError(f"文件无法读取：{error.strerror}") from None


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
    return SourceFile(path=path, sha256=sha256_of(data), size=len(data), sheets=sheets, encoding=encoding)
