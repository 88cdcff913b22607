"""Checking a compound file (CFB/OLE2: an .xls, or a workbook saved with a password) before calamine reads it.

calamine trusts the sizes a compound file declares: a FAT, a directory or a stream it is told is huge is
allocated whole, and so is a sheet whose cells span 65,536 rows by 65,536 columns, or a shared-string
table that claims two billion strings. A failed allocation aborts the process, with no exception to
catch (and a reading worker that dies stops the whole run). So the container is walked here first,
every sector, chain and size checked against the file's own length, and the workbook stream's records
scanned for what calamine would allocate from them. A file that fails is rejected with a reason and
never handed to calamine. A workbook with an open password is named as such: an .xlsx with one is a
compound file holding `EncryptionInfo` and `EncryptedPackage`, an .xls with one has a FilePass record.

The same walk finds what calamine reads as shown or as blank although it is not, as read.py does for
an .xlsx: rows a clerk hid (a ROW record's fDyZero, unless the sheet has a filter), Excel errors
(#DIV/0!, #N/A: a BoolErr record, or a formula whose saved result is an error), formulas saved with
no result (an empty-string result, as a program writes it without computing) and numbers shown as
percentages (a cell whose XF's number format scales by 100: see `percent_cells`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import NamedTuple

from planwatch.ingest.formula_cells import HiddenCell
from planwatch.ingest.percent_cells import BUILT_IN_PERCENT, scales_by_100
from planwatch.ingest.values import ErrorCell, FormulaCell

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
_MINI_SECTOR = 64
_MINI_STREAM_CUTOFF = 4096  # calamine's, whatever the header says

DAMAGED = "文件已损坏（Excel 97-2003 文件的内部结构不完整或有误），无法读取，请重新导出后报送"
ENCRYPTED = (
    "文件设置了打开密码（已加密），平台无法读取其中的数据；请在Excel中取消密码"
    "（文件→信息→保护工作簿→用密码进行加密，清空密码后保存）再报送"
)
NOT_A_WORKBOOK = "文件不是Excel表格（可能是Word文档等其他Office文件），请报送Excel（.xlsx/.xls）或CSV文件"

# BIFF records calamine turns into cells (row and column in the first four bytes)
_CELL_RECORDS = {0x0203, 0x0204, 0x0205, 0x0006, 0x027E, 0x00FD}
_MULRK, _DIMENSIONS, _SST, _FILEPASS, _BOUNDSHEET, _EOF = 0x00BD, 0x0200, 0x00FC, 0x002F, 0x0085, 0x000A
_FORMULA, _BOOLERR, _ROW, _AUTOFILTERINFO, _FILTERMODE = 0x0006, 0x0205, 0x0208, 0x009D, 0x009B
_NUMBER, _RK, _XF, _FORMAT = 0x0203, 0x027E, 0x00E0, 0x041E
_GLOBALS = frozenset({_FILEPASS, _SST, _BOUNDSHEET, _XF, _FORMAT})
_NUMBER_RECORDS = frozenset({_NUMBER, _RK, _MULRK, _FORMULA})
_SHEET_RECORDS = frozenset({*_CELL_RECORDS, _MULRK, _DIMENSIONS, _ROW, _AUTOFILTERINFO, _FILTERMODE})
_ROW_HIDDEN = 0x0020  # a ROW record's fDyZero: the row is hidden
# BErr codes ([MS-XLS] 2.5.10), as Excel shows them
_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}
# an .xls keeps a formula compiled, not as typed: the clerk is told it is a formula, not which
XLS_FORMULA = FormulaCell("=…")


class CompoundSheets(NamedTuple):
    """What calamine must not read (`problem`), or the cells and rows it would misread, by sheet name."""

    problem: str | None
    hidden: dict[str, list[HiddenCell]]  # errors and formulas without a result, which calamine reads as blank
    hidden_rows: dict[str, frozenset[int]]  # rows a clerk hid, which calamine reads as shown
    percent: dict[str, list[tuple[int, int]]]  # numbers shown as percentages (calamine: 0.8 for 80%)

    @classmethod
    def refused(cls, problem: str) -> CompoundSheets:
        return cls(problem, {}, {}, {})


def _unicode_string(record: bytes, flags: int, length: int) -> str:
    """A BIFF8 string whose option byte is at `flags` and whose characters follow it: Latin-1, or UTF-16
    when the option's fHighByte is set."""
    if len(record) <= flags:
        return ""
    wide = record[flags] & 1
    text = record[flags + 1 : flags + 1 + length * (2 if wide else 1)]
    return text.decode("utf-16-le" if wide else "latin-1", "replace")


def _sheet_name(record: bytes) -> str | None:
    """A BoundSheet8 record's name: a ShortXLUnicodeString after the stream position, state and type."""
    return _unicode_string(record, 7, record[6]) if len(record) >= 8 else None


def _format_code(record: bytes) -> str:
    """A Format record's code: an XLUnicodeString after the format's number."""
    return _unicode_string(record, 4, struct.unpack_from("<H", record, 2)[0]) if len(record) >= 5 else ""


def _percent_formats(formats: list[int], codes: dict[int, str]) -> frozenset[int]:
    """The XF indices whose number format scales by 100."""
    percent_ids = BUILT_IN_PERCENT | {number for number, code in codes.items() if scales_by_100(code)}
    return frozenset(index for index, number in enumerate(formats) if number in percent_ids)


def _numbers_formatted(kind: int, record: bytes) -> Iterator[tuple[int, int, int]]:
    """(row, column, XF index) of each number a cell record holds (a formula's only when its result is one)."""
    number_formula = kind == _FORMULA and len(record) >= 14 and record[12:14] != b"\xff\xff"
    if number_formula or (kind in (_NUMBER, _RK) and len(record) >= 6):
        yield struct.unpack_from("<HHH", record)
    elif kind == _MULRK and len(record) >= 6:
        row, first = struct.unpack_from("<HH", record)
        for index in range((len(record) - 6) // 6):
            yield row, first + index, struct.unpack_from("<H", record, 4 + 6 * index)[0]


def _misread_cell(kind: int, record: bytes) -> HiddenCell | None:
    """An error cell, or a formula whose saved result is an error or nothing, where calamine reads a blank."""
    if kind == _BOOLERR and len(record) >= 8 and record[7] == 1:
        error = _ERRORS.get(record[6], "#ERROR")
    elif kind == _FORMULA and len(record) >= 14 and record[12:14] == b"\xff\xff" and record[6] in (2, 3):
        error = _ERRORS.get(record[8], "#ERROR") if record[6] == 2 else None
    else:
        return None
    row, column = struct.unpack_from("<HH", record)
    return HiddenCell(row, column, ErrorCell(error) if error else XLS_FORMULA)


class _Damaged(Exception):
    pass


def is_compound_file(data: bytes) -> bool:
    return data[:8] == MAGIC


class _Container:
    """The sectors, FAT, directory and streams of a compound file, each checked against the file's length."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise _Damaged
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _Damaged
        self.shift = shift
        self.size = 1 << shift
        self.count = len(data) // self.size - 1  # whole sectors after the header's
        directory_sectors, fat_sectors, directory_start = struct.unpack_from("<III", data, 40)
        mini_fat_start, mini_fat_sectors, difat_start, difat_sectors = struct.unpack_from("<IIII", data, 60)
        # calamine reserves each of these × the sector size before reading a byte of them
        if max(directory_sectors, fat_sectors, mini_fat_sectors, difat_sectors) > self.count:
            raise _Damaged
        fat_ids = [sector for sector in struct.unpack_from("<109I", data, 76) if sector != _FREE]
        sector, seen = difat_start, set()
        while sector not in (_FREE, _END_OF_CHAIN):
            if sector in seen:
                raise _Damaged
            seen.add(sector)
            entries = struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
            fat_ids += [entry for entry in entries[:-1] if entry != _FREE]
            sector = entries[-1]
        self.fat: list[int] = []
        for sector in fat_ids:
            self.fat += struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
        directory = self._chain(directory_start, self.fat, self._sector)
        self.entries = []
        for offset in range(0, len(directory) - 127, 128):
            entry = directory[offset : offset + 128]
            name_bytes = min(struct.unpack_from("<H", entry, 64)[0], 64)
            name = entry[:name_bytes].decode("utf-16-le", "ignore").split("\0")[0]
            start = struct.unpack_from("<I", entry, 116)[0]
            length = struct.unpack_from("<Q" if self.size == 4096 else "<I", entry, 120)[0]
            self.entries.append((name, entry[66], start, length))
        if not self.entries:
            raise _Damaged
        _, _, root_start, root_length = self.entries[0]
        if root_length > len(data):
            raise _Damaged
        # calamine follows both chains whatever the header's counts say
        self.mini_stream = self._chain(root_start, self.fat, self._sector)[:root_length] if root_start != _FREE else b""
        mini_fat = self._chain(mini_fat_start, self.fat, self._sector) if mini_fat_start != _FREE else b""
        self.mini_fat = list(struct.unpack_from(f"<{len(mini_fat) // 4}I", mini_fat))

    def _sector(self, sector: int) -> bytes:
        if sector >= self.count:
            raise _Damaged
        start = (sector + 1) << self.shift
        return self.data[start : start + self.size]

    def _mini_sector(self, sector: int) -> bytes:
        start = sector * _MINI_SECTOR
        if start + _MINI_SECTOR > len(self.mini_stream):
            raise _Damaged
        return self.mini_stream[start : start + _MINI_SECTOR]

    def _chain(self, start: int, fat: list[int], read: Callable[[int], bytes]) -> bytes:
        parts, sector, steps = [], start, 0
        while sector != _END_OF_CHAIN:
            if sector >= len(fat) or steps > len(fat):  # past the table, or a loop
                raise _Damaged
            parts.append(read(sector))
            sector, steps = fat[sector], steps + 1
        return b"".join(parts)

    def names(self) -> set[str]:
        return {name for name, kind, _, _ in self.entries if kind in (1, 2)}

    def stream(self, name: str) -> bytes | None:
        for entry_name, kind, start, length in self.entries:
            if entry_name == name and kind == 2:
                if length > len(self.data):
                    raise _Damaged
                if length < _MINI_STREAM_CUTOFF:
                    return self._chain(start, self.mini_fat, self._mini_sector)[:length]
                return self._chain(start, self.fat, self._sector)[:length]
        return None


def _used_range(rows: int, columns: int) -> str:
    letters, index = "", columns
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"A1:{letters or 'A'}{rows}"


def _records(stream: bytes, position: int, kinds: frozenset[int]) -> Iterator[tuple[int, bytes]]:
    """The records of `kinds` from `position` to the substream's EOF record (included), as calamine walks them."""
    unpack, size = struct.unpack_from, len(stream)
    while position + 4 <= size:
        kind, length = unpack("<HH", stream, position)
        start, position = position + 4, position + 4 + length
        if kind in kinds:
            yield kind, stream[start:position]
        if kind == _EOF:
            return


def _walk_workbook(stream: bytes, max_sheet_cells: int, absurd_range: str) -> CompoundSheets:
    """What in the workbook stream calamine would choke on (a password, a huge SST or used range), and
    what it would misread, per sheet.

    calamine reads the workbook's globals from the start of the stream and each sheet from where its
    BoundSheet record says it begins (a damaged record length shifts the one walk, not the other)."""
    sheets: list[tuple[int, str | None]] = []
    hidden: dict[str, list[HiddenCell]] = {}
    hidden_rows: dict[str, frozenset[int]] = {}
    percent: dict[str, list[tuple[int, int]]] = {}
    formats: list[int] = []  # each XF's number format
    codes: dict[int, str] = {}
    for kind, record in _records(stream, 0, _GLOBALS):
        if kind == _FILEPASS:
            return CompoundSheets.refused(ENCRYPTED)
        if kind == _XF and len(record) >= 4:
            formats.append(struct.unpack_from("<H", record, 2)[0])
        elif kind == _FORMAT and len(record) >= 2:
            codes[struct.unpack_from("<H", record)[0]] = _format_code(record)
        if kind == _SST and len(record) >= 8:
            unique = struct.unpack_from("<i", record, 4)[0]
            if unique < 0 or unique * 3 > len(stream):  # calamine reserves them all: a string takes 3 bytes at least
                return CompoundSheets.refused(DAMAGED)
        elif kind == _BOUNDSHEET and len(record) >= 4:
            sheets.append((struct.unpack_from("<I", record)[0], _sheet_name(record)))
    shown_as_percent = _percent_formats(formats, codes)
    for position, name in sheets:
        last_row = last_column = -1
        misread: list[HiddenCell] = []
        percentages: list[tuple[int, int]] = []
        rows_hidden: set[int] = set()
        filtered = False
        for kind, record in _records(stream, position, _SHEET_RECORDS):
            if shown_as_percent and kind in _NUMBER_RECORDS:
                percentages += [(r, c) for r, c, xf in _numbers_formatted(kind, record) if xf in shown_as_percent]
            if kind == _DIMENSIONS and len(record) in (10, 14):
                layout = "<IIHH" if len(record) == 14 else "<HHHH"
                first_row, end_row, first_column, end_column = struct.unpack_from(layout, record)
                last = (end_row - 1, end_column - 1) if end_row >= 1 and end_column >= 1 else (first_row, first_column)
                if last[0] < first_row or last[1] < first_column:
                    return CompoundSheets.refused(DAMAGED)  # calamine's u32 arithmetic would wrap round to billions
                if (last[0] + 1) * (last[1] + 1) > max_sheet_cells:  # from A1: rows above, columns to the left
                    return CompoundSheets.refused(absurd_range.format(used=_used_range(last[0] + 1, last[1] + 1)))
            elif kind in _CELL_RECORDS and len(record) >= 4:
                row, column = struct.unpack_from("<HH", record)
                last_row, last_column = max(last_row, row), max(last_column, column)
                if cell := _misread_cell(kind, record):
                    misread.append(cell)
            elif kind == _MULRK and len(record) >= 6:
                (row,), (column,) = struct.unpack_from("<H", record), struct.unpack_from("<H", record, len(record) - 2)
                last_row, last_column = max(last_row, row), max(last_column, column)
            elif kind == _ROW and len(record) >= 16 and struct.unpack_from("<H", record, 12)[0] & _ROW_HIDDEN:
                rows_hidden.add(struct.unpack_from("<H", record)[0])
            elif kind in (_AUTOFILTERINFO, _FILTERMODE):
                filtered = True  # rows a filter hides are only out of view
        if (last_row + 1) * (last_column + 1) > max_sheet_cells:
            return CompoundSheets.refused(absurd_range.format(used=_used_range(last_row + 1, last_column + 1)))
        if name is not None and misread:
            hidden[name] = misread
        if name is not None and rows_hidden and not filtered:
            hidden_rows[name] = frozenset(rows_hidden)
        if name is not None and percentages:
            percent[name] = percentages
    return CompoundSheets(None, hidden, hidden_rows, percent)


def inspect_compound_file(data: bytes, max_sheet_cells: int, absurd_range: str) -> CompoundSheets:
    """Why calamine must not read this compound file (damaged, encrypted, not a workbook, a sheet's used
    range absurd: `absurd_range` with {used}) as `problem`, or, when it may, what it would misread."""
    try:
        container = _Container(data)
        names = container.names()
        if {"EncryptionInfo", "EncryptedPackage"} & names:
            return CompoundSheets.refused(ENCRYPTED)
        stream = container.stream("Workbook")
        if stream is None:
            stream = container.stream("Book")
        if stream is None:
            return CompoundSheets.refused(NOT_A_WORKBOOK)
    except (_Damaged, struct.error):
        return CompoundSheets.refused(DAMAGED)
    return _walk_workbook(stream, max_sheet_cells, absurd_range)
