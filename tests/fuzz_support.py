"""A seeded mutator of the project's own submission files, for fuzzing ingestion (tests/test_fuzz_ingest.py).

Seeds are files the project writes itself: the sample generator's filled templates, statistics-bureau
tables and long CSVs (`planwatch sample`), and the statistics tables of tests/ingest_support.py. A
workbook seed is opened once into a `Book`: its zip members, and each worksheet's cells, merges and
hidden rows as its XML holds them. A mutant is a copy of the book with a few edits (a cell's type,
text or number; rows and columns deleted, inserted or repeated; merges; sheets renamed, deleted, added,
hidden or reordered; the hidden `_planwatch` sheet edited), written back as .xlsx with the parts it
does not model (styles, theme, properties) kept byte for byte (or, now and then, as .xls with xlwt),
and sometimes damaged afterwards as bytes (truncated, bits flipped, junk before or after). A CSV seed
is a grid of text, mutated the same way and written in one of the encodings and delimiters clerks send.

Each mutant carries its oracle: what each of its cells holds, read back from the bytes written by
this module's own reader (zipfile's directory, each member checked against its CRC, lxml; the csv
module), never by the ingest's. An .xls damaged as bytes has no independent reader here: its oracle
is None and only the invariants that need no oracle are checked for it.
"""

from __future__ import annotations

import csv
import io
import math
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from planwatch.ingest.values import column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
META_SHEET = "_planwatch"
_Q = f"{{{MAIN}}}"
VALUE_PARTS = ("xl/workbook.xml", "xl/_rels/", "xl/sharedStrings", "xl/worksheets/")  # where a workbook keeps values


class XCell(NamedTuple):
    """A cell as a worksheet's XML holds it.

    kind: n (number), s (text), b (boolean), e (Excel error), f (formula saved without its result),
    fn (formula with a cached number), fs (formula with a cached text), d (ISO date).
    """

    kind: str
    value: str
    style: str | None = None


# ---------------------------------------------------------------------------------------------
# The oracle: what a cell holds, as the ingest writes it into original_value (display of the cell)


def number_text(value: float) -> str:
    """A number as the ingest displays it (planwatch.ingest.values.display)."""
    return str(int(value)) if value.is_integer() else str(value)


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """_x0007_ → the character (how Excel writes control characters in text)."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def oracle_texts(cell: XCell) -> set[str]:
    """What the cell's original_value may be when a figure is loaded from it (empty: no figure can be).

    A number cell's <v> that is no number a reader parses (' 12 ') may come back as its text."""
    if cell.kind in ("n", "fn"):
        try:
            number = float(cell.value)
        except ValueError:
            return {cell.value}
        return {number_text(number), cell.value} if math.isfinite(number) else {cell.value}
    if cell.kind in ("s", "fs"):
        return {cell.value}
    return set()


# ---------------------------------------------------------------------------------------------
# Workbooks: parsing a seed, mutating the model, writing it back


@dataclass
class XSheet:
    name: str
    state: str  # visible | hidden | veryHidden
    member: str  # xl/worksheets/sheetN.xml
    rid: str
    head: str  # the XML before <sheetData>, its <dimension> taken out
    tail: str  # the XML after </sheetData>, its <mergeCells> taken out
    cells: dict[tuple[int, int], XCell]  # (row, column), zero-based
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, col, last row, col
    hidden_rows: set[int] = field(default_factory=set)
    dimension: str | None = None  # None: computed from the cells when written

    def copy(self) -> XSheet:
        return XSheet(
            self.name,
            self.state,
            self.member,
            self.rid,
            self.head,
            self.tail,
            dict(self.cells),
            list(self.merges),
            set(self.hidden_rows),
            self.dimension,
        )

    def used(self) -> tuple[int, int]:
        """(rows, columns) of the used range, at least 1 × 1."""
        if not self.cells:
            return 1, 1
        return max(r for r, _ in self.cells) + 1, max(c for _, c in self.cells) + 1


@dataclass
class Book:
    members: dict[str, bytes]  # every zip member, in the seed's order (worksheets rewritten on write)
    sheets: list[XSheet]
    workbook_xml: str

    def copy(self) -> Book:
        return Book(dict(self.members), [sheet.copy() for sheet in self.sheets], self.workbook_xml)

    def sheet(self, name: str) -> XSheet | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


def address(row: int, column: int) -> str:
    return f"{column_letter(column)}{row + 1}"


_ADDRESS = re.compile(r"^([A-Z]{1,3})(\d+)$")


def parse_address(text: str) -> tuple[int, int] | None:
    match = _ADDRESS.match(text)
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1


def _texts(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{_Q}t"))


def _member_name(target: str) -> str:
    target = target.lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"


def _member(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes as its directory entry describes them, inflated here and checked against its CRC.

    Not zipfile's read: it also refuses fields no value depends on (a flipped bit in a local header's copy
    of the name or flags), which calamine ignores; the CRC is what vouches for the data."""
    start = info.header_offset
    if data[start : start + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename}: no local header")
    name_length, extra_length = struct.unpack_from("<HH", data, start + 26)
    raw = data[start + 30 + name_length + extra_length :][: info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        body = raw
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        body = zlib.decompress(raw, -15)
    else:
        raise zipfile.BadZipFile(f"{info.filename}: compression {info.compress_type}")
    if len(body) != info.file_size or zlib.crc32(body) != info.CRC:
        raise zipfile.BadZipFile(f"{info.filename}: CRC")
    return body


def _directory_reset(data: bytes) -> bytes:
    """The archive with each central directory entry's "version needed to extract" set to 2.0 and its
    encryption flags cleared: what zipfile refuses to open, and calamine ignores (the CRC vouches for the data)."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        return data
    entries, size = struct.unpack_from("<HI", data, end + 10)
    patched = bytearray(data)
    position = end - size  # the directory ends where the end record begins (whatever bytes precede the archive)
    for _ in range(entries):
        if patched[position : position + 4] != b"PK\x01\x02":
            break
        flags = struct.unpack_from("<H", patched, position + 8)[0] & ~0x41
        patched[position + 6 : position + 10] = struct.pack("<HH", 20, flags)
        lengths = struct.unpack_from("<HHH", patched, position + 28)
        position += 46 + sum(lengths)
    return bytes(patched)


def read_book(data: bytes, every_member: bool = True) -> Book:
    """A workbook's zip members and sheets; raises (zipfile.BadZipFile, KeyError, lxml errors…) when unreadable.

    Each member is inflated and checked against its CRC: a damaged member is an error here, never a value.
    Without `every_member`, only the parts that hold values are read (a damaged docProps/app.xml changes none).
    """
    try:
        return _read_book(data, every_member)
    except NotImplementedError:  # a flipped bit in a directory field no value depends on (version, encryption flags)
        return _read_book(_directory_reset(data), every_member)


def _read_book(data: bytes, every_member: bool) -> Book:
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = [info for info in archive.infolist() if every_member or info.filename.startswith(VALUE_PARTS)]
    members = {info.filename: _member(data, info) for info in infos}
    workbook = etree.fromstring(members["xl/workbook.xml"])
    rels = etree.fromstring(members["xl/_rels/workbook.xml.rels"])
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    shared: list[str] = []
    if "xl/sharedStrings.xml" in members:
        shared = [_texts(si) for si in etree.fromstring(members["xl/sharedStrings.xml"])]
    sheets = []
    for entry in workbook.find(f"{_Q}sheets"):
        rid = entry.get(f"{{{RELS}}}id")
        member = _member_name(targets[rid])
        sheets.append(_read_sheet(entry.get("name"), entry.get("state") or "visible", member, rid, members, shared))
    return Book(members, sheets, members["xl/workbook.xml"].decode("utf-8"))


_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*</sheetData>", re.DOTALL)
_MERGE_CELLS = re.compile(r"<mergeCells\b.*?</mergeCells>|<mergeCells\b[^>]*/>", re.DOTALL)
_DIMENSION = re.compile(r"<dimension\b[^>]*/>")


def _read_sheet(name: str, state: str, member: str, rid: str, members: dict[str, bytes], shared: list[str]) -> XSheet:
    xml = members[member]
    root = etree.fromstring(xml)
    cells: dict[tuple[int, int], XCell] = {}
    hidden_rows: set[int] = set()
    data = root.find(f"{_Q}sheetData")
    for row in data if data is not None else []:
        if row.get("hidden") in ("1", "true"):
            hidden_rows.add(int(row.get("r")) - 1)
        for c in row:
            position = parse_address(c.get("r") or "")
            if position is None:
                continue
            kind, style = c.get("t") or "n", c.get("s")
            value = c.find(f"{_Q}v")
            formula = c.find(f"{_Q}f")
            v = value.text if value is not None and value.text is not None else None
            if kind == "s" and v is not None:
                cells[position] = XCell("s", unescape_ooxml(shared[int(v)]), style)
            elif kind == "inlineStr":
                inline = c.find(f"{_Q}is")
                if inline is not None:
                    cells[position] = XCell("s", unescape_ooxml(_texts(inline)), style)
            elif formula is not None:
                text = formula.text or ""
                if v is None or v == "":
                    cells[position] = XCell("f", text, style)
                else:
                    cells[position] = XCell("fs" if kind == "str" else "fn", v, style)
            elif kind in ("b", "e", "d") and v is not None:
                cells[position] = XCell(kind, v, style)
            elif v is not None:
                cells[position] = XCell("n", v, style)
    merges = []
    found = root.find(f"{_Q}mergeCells")
    for merge in found if found is not None else []:
        first, _, last = (merge.get("ref") or "").partition(":")
        a, b = parse_address(first), parse_address(last or first)
        if a and b:
            merges.append((a[0], a[1], b[0], b[1]))
    text = xml.decode("utf-8")
    span = _SHEET_DATA.search(text)
    if span is None:
        head, tail = text.replace("</worksheet>", ""), "</worksheet>"
    else:
        head, tail = text[: span.start()], text[span.end() :]
    return XSheet(
        name, state, member, rid, _DIMENSION.sub("", head), _MERGE_CELLS.sub("", tail), cells, merges, hidden_rows
    )


def _escape_text(text: str) -> str:
    # XML 1.0 cannot hold most control characters: Excel writes them as _xHHHH_
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text)
    return escape(text)


def _cell_xml(row: int, column: int, cell: XCell) -> str:
    style = f' s="{cell.style}"' if cell.style else ""
    ref = address(row, column)
    if cell.kind == "s":
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_escape_text(cell.value)}</t></is></c>'
    if cell.kind == "b":
        return f'<c r="{ref}"{style} t="b"><v>{escape(cell.value)}</v></c>'
    if cell.kind == "e":
        return f'<c r="{ref}"{style} t="e"><v>{escape(cell.value)}</v></c>'
    if cell.kind == "d":
        return f'<c r="{ref}"{style} t="d"><v>{escape(cell.value)}</v></c>'
    if cell.kind == "f":
        return f'<c r="{ref}"{style}><f>{escape(cell.value)}</f></c>'
    if cell.kind == "fn":
        return f'<c r="{ref}"{style}><f>1+1</f><v>{escape(cell.value)}</v></c>'
    if cell.kind == "fs":
        return f'<c r="{ref}"{style} t="str"><f>"x"</f><v>{_escape_text(cell.value)}</v></c>'
    return f'<c r="{ref}"{style}><v>{escape(cell.value)}</v></c>'


def sheet_xml(sheet: XSheet) -> bytes:
    rows: dict[int, list[int]] = {}
    for row, column in sheet.cells:
        rows.setdefault(row, []).append(column)
    for row in sheet.hidden_rows:
        rows.setdefault(row, [])
    body = []
    for row in sorted(rows):
        hidden = ' hidden="1"' if row in sheet.hidden_rows else ""
        cells = "".join(_cell_xml(row, column, sheet.cells[(row, column)]) for column in sorted(rows[row]))
        body.append(f'<row r="{row + 1}"{hidden}>{cells}</row>')
    last_row, last_column = sheet.used()
    dimension = sheet.dimension or f"A1:{address(last_row - 1, last_column - 1)}"
    head = sheet.head
    position = head.find("<sheetViews")
    if position < 0:
        position = head.find("<sheetFormatPr")
    if position < 0:
        position = len(head)
    head = f'{head[:position]}<dimension ref="{dimension}"/>{head[position:]}'
    merges = ""
    if sheet.merges:
        refs = "".join(f'<mergeCell ref="{address(r1, c1)}:{address(r2, c2)}"/>' for r1, c1, r2, c2 in sheet.merges)
        merges = f'<mergeCells count="{len(sheet.merges)}">{refs}</mergeCells>'
    return f"{head}<sheetData>{''.join(body)}</sheetData>{merges}{sheet.tail}".encode()


_SHEETS = re.compile(r"<sheets>.*</sheets>", re.DOTALL)


def book_bytes(book: Book) -> bytes:
    sheets = "".join(
        f'<sheet xmlns:r="{RELS}" name={quoteattr(sheet.name)} sheetId="{index + 1}" '
        f'state="{sheet.state}" r:id="{sheet.rid}"/>'
        for index, sheet in enumerate(book.sheets)
    )
    members = dict(book.members)
    members["xl/workbook.xml"] = _SHEETS.sub(lambda _: f"<sheets>{sheets}</sheets>", book.workbook_xml).encode()
    for sheet in book.sheets:
        members[sheet.member] = sheet_xml(sheet)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def add_sheet(book: Book, name: str, cells: dict[tuple[int, int], XCell]) -> XSheet:
    """A new worksheet part, its relationship and content type, and its entry in the workbook."""
    number = 1
    while f"xl/worksheets/sheet{number}.xml" in book.members:
        number += 1
    member, rid = f"xl/worksheets/sheet{number}.xml", f"rIdFuzz{number}"
    book.members[member] = b""
    rels = book.members["xl/_rels/workbook.xml.rels"].decode()
    relationship = f'<Relationship Type="{WORKSHEET_TYPE}" Target="/{member}" Id="{rid}"/>'
    book.members["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", relationship + "</Relationships>"
    ).encode()
    types = book.members["[Content_Types].xml"].decode()
    override = f'<Override PartName="/{member}" ContentType="{WORKSHEET_CONTENT}"/>'
    book.members["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    head = f'<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    sheet = XSheet(name, "visible", member, rid, head, "</worksheet>", dict(cells))
    book.sheets.append(sheet)
    return sheet


# ---------------------------------------------------------------------------------------------
# Values a clerk (or a broken program) puts in a cell

HOSTILE_TEXTS = (
    "约5万",
    "5,000",
    "１２３",
    "1.2e3",
    "—",
    "-",
    "#N/A",
    "#DIV/0!",
    "3,21",
    "1,2345",
    "3 21",
    "1e400",
    "-1e400",
    "inf",
    "nan",
    "NaN",
    "12.5万吨",
    "125,000吨",
    "85%",
    "0x1F",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: NFKC leaves them
    "²",
    "½",
    "+5",
    "-0",
    ".5",
    "5.",
    "1e-400",
    "合计",
    "注：本表为快报数",
    "填报人：张三",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "",
    " ",
    "\u3000",
    "\x00",
    "a\x01b",
    "\x1b[31m红\x1b[0m",
    "\u202e12",
    "1\u200b2",
    "💯",
    "x" * 300,
    "赛罕区",
    "中卫市",
    "全市",
    "火星县",
    "苹果产量",
    "本月数（亿元）",
    "本年累计（万斤两）",
    "地区",
    "地区编码",
    "备注",
    "报送期：2030-01",
    "报送期：2022年6月",
    "_x0007_",
)

HOSTILE_NUMBERS = (
    "0",
    "-5",
    "-0.0001",
    "1e308",
    "1.7976931348623157e308",
    "1e-320",
    "123456789012345678901234567890",
    "4.18",
    "99999999",
    "0.1",
    "1E3",
    "inf",
    "-inf",
    "NaN",
    "1e400",
    " 12 ",
    "12abc",
    "",
)

PERIODS = ("2030-01", "2022年6月", "", "2022-13", "1999-01", "2022-06", "2021-01", "2024-06", "2026-12", "0000-00")
REGION_CODES = ("150100", "150105", "640500", "620825", "620826", "999999", "", "150100,640500")


def random_cell(rng: random.Random, style: str | None = None) -> XCell:
    pick = rng.random()
    if pick < 0.35:
        return XCell("s", rng.choice(HOSTILE_TEXTS), style)
    if pick < 0.6:
        return XCell("n", rng.choice(HOSTILE_NUMBERS), style)
    if pick < 0.7:
        return XCell("n", repr(rng.choice([rng.uniform(-1e6, 1e6), rng.expovariate(0.01), rng.random()])), style)
    if pick < 0.75:
        return XCell("b", rng.choice(["0", "1"]), style)
    if pick < 0.8:
        return XCell("e", rng.choice(["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]), style)
    if pick < 0.85:
        return XCell("f", rng.choice(["C4*2", "SUM(C4:C9)", 'HYPERLINK("http://x","y")', "1/0"]), style)
    if pick < 0.9:
        return XCell("fn", rng.choice(["2", "4.5", "-1", "1e308"]), style)
    if pick < 0.95:
        return XCell("fs", rng.choice(["12.5", "约5万", "#N/A"]), style)
    return XCell("d", rng.choice(["2024-03-01T00:00:00", "1900-01-01T00:00:00", "garbage"]), style)


# ---------------------------------------------------------------------------------------------
# Mutations of a workbook model


def _some_sheet(book: Book, rng: random.Random, data_only: bool = True) -> XSheet | None:
    sheets = [s for s in book.sheets if not data_only or s.name != META_SHEET] or book.sheets
    return rng.choice(sheets) if sheets else None


def _near(sheet: XSheet, rng: random.Random) -> tuple[int, int]:
    """A cell in or just beside the used range, most often one that holds something."""
    if sheet.cells and rng.random() < 0.7:
        return rng.choice(list(sheet.cells))
    rows, columns = sheet.used()
    return rng.randrange(rows + 2), rng.randrange(columns + 2)


def set_cell(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    position = _near(sheet, rng)
    old = sheet.cells.get(position)
    sheet.cells[position] = random_cell(rng, old.style if old else None)
    return f"set {sheet.name}!{address(*position)} = {sheet.cells[position]}"


def clear_cell(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None or not sheet.cells:
        return "nothing to clear"
    position = rng.choice(list(sheet.cells))
    del sheet.cells[position]
    return f"clear {sheet.name}!{address(*position)}"


def swap_cells(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None or len(sheet.cells) < 2:
        return "nothing to swap"
    a, b = rng.sample(list(sheet.cells), 2)
    sheet.cells[a], sheet.cells[b] = sheet.cells[b], sheet.cells[a]
    return f"swap {sheet.name}!{address(*a)} {address(*b)}"


def _shift(sheet: XSheet, axis: int, at: int, by: int) -> None:
    """Cells, merges and hidden rows at or after `at` on `axis` (0 rows, 1 columns) moved by `by` (±1);
    with by = -1 the line `at` itself is removed."""

    def moved(position: tuple[int, int]) -> tuple[int, int] | None:
        value = position[axis]
        if by < 0 and value == at:
            return None
        if value >= at + (1 if by < 0 else 0):
            value += by
        return (value, position[1]) if axis == 0 else (position[0], value)

    cells = {}
    for position, cell in sheet.cells.items():
        target = moved(position)
        if target is not None:
            cells[target] = cell
    sheet.cells = cells
    merges = []
    for r1, c1, r2, c2 in sheet.merges:
        first, last = (r1, r2) if axis == 0 else (c1, c2)
        if first <= at <= last:
            continue  # a merge across the line: dropped
        if first > at:
            first, last = first + by, last + by
        merges.append((first, c1, last, c2) if axis == 0 else (r1, first, r2, last))
    sheet.merges = merges
    if axis == 0:
        sheet.hidden_rows = {
            row + (by if row > at or (by > 0 and row == at) else 0)
            for row in sheet.hidden_rows
            if not (by < 0 and row == at)
        }


def delete_row(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    row = _near(sheet, rng)[0]
    _shift(sheet, 0, row, -1)
    return f"delete row {row + 1} of {sheet.name}"


def delete_column(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    column = _near(sheet, rng)[1]
    _shift(sheet, 1, column, -1)
    return f"delete column {column_letter(column)} of {sheet.name}"


def insert_row(book: Book, rng: random.Random) -> str:
    """A row inserted: blank, random, or a copy of another row (a duplicate, maybe with a changed figure)."""
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    row = _near(sheet, rng)[0]
    source = _near(sheet, rng)[0]
    copied = {c: cell for (r, c), cell in sheet.cells.items() if r == source}
    _shift(sheet, 0, row, +1)
    how = rng.random()
    if how < 0.5:
        for column, cell in copied.items():
            sheet.cells[(row, column)] = cell
        if copied and rng.random() < 0.5:
            sheet.cells[(row, rng.choice(list(copied)))] = random_cell(rng)
    elif how < 0.8:
        for column in range(rng.randint(1, sheet.used()[1])):
            sheet.cells[(row, column)] = random_cell(rng)
    return f"insert row {row + 1} of {sheet.name} (from row {source + 1})"


def insert_column(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    column = _near(sheet, rng)[1]
    source = _near(sheet, rng)[1]
    copied = {r: cell for (r, c), cell in sheet.cells.items() if c == source}
    _shift(sheet, 1, column, +1)
    if rng.random() < 0.5:
        for row, cell in copied.items():
            sheet.cells[(row, column)] = cell
    else:
        for row in range(sheet.used()[0]):
            if rng.random() < 0.6:
                sheet.cells[(row, column)] = random_cell(rng)
    return f"insert column {column_letter(column)} of {sheet.name}"


def add_merge(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    row, column = _near(sheet, rng)
    merge = (row, column, row + rng.randint(0, 2), column + rng.randint(0, 2))
    if merge[:2] == merge[2:]:
        merge = (row, column, row, column + 1)
    sheet.merges.append(merge)
    return f"merge {sheet.name}!{address(*merge[:2])}:{address(*merge[2:])}"


def hide_row(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    row = _near(sheet, rng)[0]
    sheet.hidden_rows.add(row)
    return f"hide row {row + 1} of {sheet.name}"


SHEET_NAMES = (
    "Sheet1",
    "补充数据",
    "重点项目进展",
    "填报说明",
    META_SHEET,
    "2024年3月",
    "_planwatch_reply",
    "x" * 31,
    "数据'表",
    "a&b<c>",
    "=SUM(1+1)",
    "@cmd",
)


def rename_sheet(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng, data_only=False)
    if sheet is None:
        return "no sheet"
    old = sheet.name
    wanted = rng.choice([*SHEET_NAMES, *(s.name for s in book.sheets), old + "(2)", old[::-1]])
    if book.sheet(wanted) is None:
        sheet.name = wanted
    return f"rename sheet {old} → {sheet.name}"


def delete_sheet(book: Book, rng: random.Random) -> str:
    if len(book.sheets) < 2:
        return "one sheet left"
    sheet = _some_sheet(book, rng, data_only=False)
    book.sheets.remove(sheet)
    return f"delete sheet {sheet.name}"


def new_sheet(book: Book, rng: random.Random) -> str:
    name = rng.choice(SHEET_NAMES)
    if book.sheet(name) is not None:
        name = f"新表{len(book.sheets)}"
    source = _some_sheet(book, rng, data_only=False)
    if source is not None and rng.random() < 0.6:
        cells = dict(source.cells)  # a copy of a sheet: its figures twice
    else:
        cells = {(r, c): random_cell(rng) for r in range(rng.randint(1, 6)) for c in range(rng.randint(1, 5))}
    add_sheet(book, name, cells)
    return f"add sheet {name}"


def reorder_sheets(book: Book, rng: random.Random) -> str:
    rng.shuffle(book.sheets)
    return "reorder sheets"


def sheet_state(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng, data_only=False)
    if sheet is None:
        return "no sheet"
    sheet.state = rng.choice(["visible", "hidden", "veryHidden"])
    return f"sheet {sheet.name} {sheet.state}"


def edit_meta(book: Book, rng: random.Random) -> str:
    """The hidden `_planwatch` sheet: its period, department, version, or a row of its sheet table."""
    meta = book.sheet(META_SHEET)
    if meta is None:
        return "no meta sheet"
    keys = {cell.value: row for (row, column), cell in meta.cells.items() if column == 0 and cell.kind == "s"}
    what = rng.random()
    if what < 0.3 and "period" in keys:
        meta.cells[(keys["period"], 1)] = XCell("s", rng.choice(PERIODS))
        return f"meta period = {meta.cells[(keys['period'], 1)].value}"
    if what < 0.45 and "department_id" in keys:
        value = rng.choice(
            [
                "hohhot.agriculture_animal_husbandry_bureau",
                "zhongwei.agriculture_rural_bureau",
                "pingliang.statistics_bureau",
                "no.such_department",
                "",
            ]
        )
        meta.cells[(keys["department_id"], 1)] = XCell("s", value)
        return f"meta department_id = {value}"
    if what < 0.5 and "template_version" in keys:
        meta.cells[(keys["template_version"], 1)] = XCell("s", rng.choice(["2", "", "1"]))
        return "meta template_version"
    table = sorted(row for (row, column), cell in meta.cells.items() if column == 0 and cell.kind == "n")
    if not table:
        return set_cell(book, rng)
    row = rng.choice(table)
    column = rng.randrange(6)
    value = {
        0: lambda: XCell(rng.choice(["n", "s"]), rng.choice(["0", "1", "99", "-1", "x", "1.5"])),
        1: lambda: XCell("s", rng.choice([s.name for s in book.sheets] + ["不存在的表"])),
        2: lambda: XCell("s", rng.choice(["apple_output", "no_such_indicator", "", "agri_processing_output_value"])),
        3: lambda: XCell("s", rng.choice(["亿元", "万元", "吨", ""])),
        4: lambda: XCell("s", rng.choice(["month_value", "ytd_value,ytd_value", "bogus", ""])),
        5: lambda: XCell("s", rng.choice(REGION_CODES)),
    }[column]()
    meta.cells[(row, column)] = value
    return f"meta {address(row, column)} = {value.value}"


def bad_dimension(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    sheet.dimension = rng.choice(["A1:XFD1048576", "A1", "A1:B2", "Z9:A1", "A1:ZZZ9999999"])
    return f"dimension of {sheet.name} = {sheet.dimension}"


def far_cell(book: Book, rng: random.Random) -> str:
    sheet = _some_sheet(book, rng)
    if sheet is None:
        return "no sheet"
    position = rng.choice([(1048575, 16383), (70000, 3), (5, 700), (9999, 99)])
    sheet.cells[position] = XCell("n", "1")
    return f"far cell {sheet.name}!{address(*position)}"


BookMutation = Callable[[Book, random.Random], str]
BOOK_MUTATIONS: tuple[tuple[BookMutation, float], ...] = (
    (set_cell, 10),
    (clear_cell, 2),
    (swap_cells, 2),
    (delete_row, 2),
    (delete_column, 1.5),
    (insert_row, 2.5),
    (insert_column, 1.5),
    (add_merge, 1.5),
    (hide_row, 1),
    (rename_sheet, 1.5),
    (delete_sheet, 1),
    (new_sheet, 1),
    (reorder_sheets, 0.5),
    (sheet_state, 0.7),
    (edit_meta, 2.5),
    (bad_dimension, 0.3),
    (far_cell, 0.3),
)


# ---------------------------------------------------------------------------------------------
# Writing a book as .xls (xlwt), as offices still save them


def xls_from_book(book: Book) -> tuple[bytes, dict[tuple[str, str], XCell]] | None:
    """The book as an Excel 97-2003 file, and what each cell holds there; None when xlwt cannot write it
    (a sheet name Excel 97 forbids, a column past IV, a row past 65536)."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    written: dict[tuple[str, str], XCell] = {}
    try:
        for sheet in book.sheets:
            target = workbook.add_sheet(sheet.name, cell_overwrite_ok=True)
            if sheet.state != "visible":
                target.visibility = 1
            for (row, column), cell in sheet.cells.items():
                if cell.kind in ("n", "fn"):
                    try:
                        number = float(cell.value)
                    except ValueError:
                        number = math.nan
                    if not math.isfinite(number):
                        continue
                    target.write(row, column, number)
                    written[(sheet.name, address(row, column))] = XCell("n", repr(number))
                elif cell.kind == "b":
                    target.write(row, column, cell.value == "1")
                    written[(sheet.name, address(row, column))] = XCell("b", cell.value)
                else:
                    text = (
                        cell.value
                        if cell.kind in ("s", "fs")
                        else ("=" + cell.value if cell.kind == "f" else cell.value)
                    )
                    if not text or len(text) > 32767:
                        continue
                    target.write(row, column, text)
                    written[(sheet.name, address(row, column))] = XCell("s", text)
            for r1, c1, r2, c2 in sheet.merges:
                if r2 >= r1 and c2 >= c1 and (r1, c1) not in sheet.cells:
                    target.merge(r1, r2, c1, c2)
        buffer = io.BytesIO()
        workbook.save(buffer)
    except Exception:  # xlwt refuses what Excel 97 cannot hold
        return None
    return buffer.getvalue(), written


# ---------------------------------------------------------------------------------------------
# CSV seeds


@dataclass
class Grid:
    rows: list[list[str]]
    encoding: str = "utf-8"
    delimiter: str = ","

    def copy(self) -> Grid:
        return Grid([list(row) for row in self.rows], self.encoding, self.delimiter)


def read_grid(data: bytes) -> Grid:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return Grid([list(row) for row in csv.reader(io.StringIO(text))], "gb18030" if encoding == "gb18030" else "utf-8")


def grid_bytes(grid: Grid) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=grid.delimiter, lineterminator="\r\n").writerows(grid.rows)
    return buffer.getvalue().encode(grid.encoding)


def mutate_grid(grid: Grid, rng: random.Random) -> str:
    rows = grid.rows
    what = rng.random()
    if not rows:
        rows.append([rng.choice(HOSTILE_TEXTS)])
        return "a row into an empty file"
    row = rng.randrange(len(rows))
    if what < 0.45:
        column = rng.randrange(max(1, len(rows[row])) + 1)
        while len(rows[row]) <= column:
            rows[row].append("")
        rows[row][column] = rng.choice(HOSTILE_TEXTS + HOSTILE_NUMBERS + ("a\nb", 'x"y', "1\r\n2"))
        return f"cell {row + 1},{column + 1} = {rows[row][column]!r}"
    if what < 0.55:
        del rows[row]
        return f"delete row {row + 1}"
    if what < 0.7:
        copy = list(rows[rng.randrange(len(rows))])
        if copy and rng.random() < 0.5:
            copy[rng.randrange(len(copy))] = rng.choice(HOSTILE_NUMBERS)
        rows.insert(row, copy)
        return f"insert a copy at row {row + 1}"
    if what < 0.8:
        column = rng.randrange(max(len(r) for r in rows) or 1)
        for r in rows:
            if column < len(r):
                del r[column]
        return f"delete column {column + 1}"
    if what < 0.88:
        column = rng.randrange((max(len(r) for r in rows) or 0) + 1)
        for r in rows:
            while len(r) < column:
                r.append("")
            r.insert(column, rng.choice(HOSTILE_TEXTS))
        return f"insert column {column + 1}"
    if what < 0.96:
        grid.encoding = rng.choice(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "big5"])
        return f"encoding {grid.encoding}"
    grid.delimiter = rng.choice([",", ";", "\t", "|"])
    return f"delimiter {grid.delimiter!r}"


# ---------------------------------------------------------------------------------------------
# Damage as bytes


def damage(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """The bytes truncated, bits flipped, a span overwritten, or junk put before or after them."""
    what = rng.random()
    if not data:
        return b"\x00", "a NUL byte for an empty file"
    if what < 0.3:
        at = rng.randrange(len(data))
        return data[:at], f"truncated at {at}"
    if what < 0.65:
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        return bytes(flipped), "bits flipped"
    if what < 0.8:
        at = rng.randrange(len(data))
        return data[:at] + rng.randbytes(rng.randint(1, 16)) + data[at + rng.randint(0, 16) :], "bytes overwritten"
    if what < 0.9:
        junk = rng.choice([b"junk", b"\xef\xbb\xbf", b"PK", b"\xd0\xcf\x11\xe0"]) * rng.randint(1, 50)
        return junk + data, "junk before"
    return data + rng.randbytes(rng.randint(1, 300)), "junk after"


# ---------------------------------------------------------------------------------------------
# Seeds and mutants


@dataclass
class Seed:
    name: str  # the file name the mutants keep (a statistics bureau is named in it)
    suffix: str
    book: Book | None = None
    grid: Grid | None = None
    data: bytes = b""  # for a seed kept as bytes (.xls)


def load_seed(path: Path) -> Seed:
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return Seed(path.stem, suffix, book=read_book(data))
    if suffix == ".csv":
        return Seed(path.stem, suffix, grid=read_grid(data))
    return Seed(path.stem, suffix, data=data)


Oracle = dict[tuple[str, str], XCell]  # (sheet, cell address) → what the cell holds


@dataclass
class Mutant:
    name: str
    data: bytes
    oracle: Oracle | None  # None: no independent reader could read the bytes
    checkable: bool  # False: an .xls damaged as bytes (no oracle to compare figures to)
    steps: list[str]


def book_oracle(book: Book) -> Oracle:
    return {(sheet.name, address(*position)): cell for sheet in book.sheets for position, cell in sheet.cells.items()}


def xlsx_oracle(data: bytes) -> Oracle | None:
    """What an .xlsx holds, read independently; None when it cannot be read (a damaged member, no workbook)."""
    try:
        return book_oracle(read_book(data, every_member=False))
    except Exception:
        return None


def csv_oracle(data: bytes, name: str, delimiter: str) -> Oracle | None:
    """What a CSV holds, read the way the format is defined here: strict UTF-8 (BOM or not), UTF-16 with
    its BOM, else GB 18030; the delimiter it was written with."""
    text = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return None
    return {(name, address(r, c)): XCell("s", value) for r, row in enumerate(rows) for c, value in enumerate(row)}


def mutate(seed: Seed, index: int, rng: random.Random) -> Mutant:
    """The `index`-th mutant of a seed: one to four edits, now and then written as .xls or damaged as bytes."""
    steps: list[str] = []
    stem = f"{index:05d}_{seed.name}"
    if seed.book is not None:
        book = seed.book.copy()
        mutations, weights = zip(*BOOK_MUTATIONS, strict=True)
        for mutation in rng.choices(mutations, weights, k=rng.randint(1, 4)):
            steps.append(mutation(book, rng))
        suffix, checkable = ".xlsx", True
        if rng.random() < 0.08 and (xls := xls_from_book(book)) is not None:
            data, written = xls
            suffix, oracle = ".xls", written
            steps.append("written as .xls")
        else:
            data = book_bytes(book)
            oracle = None
        if rng.random() < 0.12:
            data, step = damage(data, rng)
            steps.append(step)
            if suffix == ".xls":
                checkable, oracle = False, None
        if suffix == ".xlsx":
            oracle = xlsx_oracle(data)
        if rng.random() < 0.04:
            suffix = rng.choice([".xls", ".ods", ".csv", ".xlsm", ".txt"])
            steps.append(f"renamed {suffix}")
        return Mutant(stem + suffix, data, oracle, checkable, steps)
    if seed.grid is not None:
        grid = seed.grid.copy()
        for _ in range(rng.randint(1, 4)):
            steps.append(mutate_grid(grid, rng))
        try:
            data = grid_bytes(grid)
        except UnicodeEncodeError:
            grid.encoding = "utf-8"
            data = grid_bytes(grid)
            steps.append("(written as utf-8: the encoding cannot hold a character)")
        if rng.random() < 0.1:
            data, step = damage(data, rng)
            steps.append(step)
        suffix = ".csv" if rng.random() < 0.97 else ".xlsx"
        oracle = csv_oracle(data, stem, grid.delimiter) if suffix == ".csv" else None
        return Mutant(stem + suffix, data, oracle, suffix == ".csv", steps)
    data, step = damage(seed.data, rng)
    return Mutant(stem + seed.suffix, data, None, False, [step])
