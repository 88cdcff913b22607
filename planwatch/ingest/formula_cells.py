"""Cells python-calamine reads as blank although they are not: Excel errors and formulas never computed.

calamine gives "" for a cell holding #DIV/0! or #N/A and leaves out a formula saved without its
result (a file a program wrote and nobody opened in Excel). Read as blank, such a cell would count
as "not reported" without a word to the clerk. The sheets' XML says what they are: an error cell
has t="e", an uncomputed formula an <f> and no value. They are put back into the rows as
`ErrorCell` and `FormulaCell`, which no number parser accepts, so each is quarantined with its reason.
read.py inflates each worksheet once (its zip checks need it too) and asks `hidden_cells` of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from planwatch.ingest.values import (
    ErrorCell,
    FormulaCell,
    HiddenRowCell,
    NotANumberError,
    column_index,
    column_letter,
    display,
    number_with_unit,
    parse_number,
)

_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REFERENCE = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
# the elements inside a cell, with or without a namespace prefix (<x:f>, <x:v>)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", re.DOTALL)
# a row's start (its attributes, and / when it is empty), a row's end, or a cell (its attributes and content),
# whatever namespace prefix the writer gave them
_ROW_OR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?(?:row\b([^>]*?)(/?)>|c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>))|</(?:[\w.-]+:)?row>",
    re.DOTALL,
)
PREFIXED_CELL = re.compile(rb":c[\s/>]")
_ROW_NUMBER = re.compile(rb'\br="(\d{1,7})"')
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_RELATIONSHIP_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
# XML's five named entities and its character references (&#28857; &#x70B9;): no other name is XML
_REFERENCE_OR_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class SheetCell(NamedTuple):
    row_index: int  # zero-based, where calamine puts the cell
    column_index: int
    attributes: bytes  # r="C4" s="3" t="e"
    body: bytes  # <f>1/0</f><v>…</v>


class HiddenCell(NamedTuple):
    row_index: int  # zero-based
    column_index: int
    cell: ErrorCell | FormulaCell


def _character(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _ENTITIES[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    return match.group(0)  # no character XML allows: left as written


def _text(value: bytes) -> str:
    """XML text as it reads: &lt; and &#28857; decoded once each (&amp;lt; is the text &lt;)."""
    return _REFERENCE_OR_ENTITY.sub(_character, value.decode("utf-8", "replace"))


def cells_in_order(xml: bytes) -> Iterator[SheetCell]:
    """Each cell of one worksheet's XML where calamine puts it, whatever namespace prefix its elements carry
    (<x:c>, as .NET's OpenXML SDK writes). A cell's r="C4" is optional: without it the cell follows the one
    before it in its row, and a row without r="4" follows the row before it (some generators write neither).
    Slower than reading the references alone: for the sheets that need it."""
    row, column = 0, 0
    for match in _ROW_OR_CELL.finditer(xml):
        row_attributes, empty_row, attributes = match.group(1), match.group(2), match.group(3)
        if attributes is not None:
            reference = _REFERENCE.search(attributes)
            place = (int(reference.group(2)) - 1, column_index(reference.group(1))) if reference else (row, column)
            yield SheetCell(*place, attributes, match.group(4) or b"")
            column = place[1] + 1
            continue
        if row_attributes is not None and (number := _ROW_NUMBER.search(row_attributes)):
            row = int(number.group(1)) - 1
        if row_attributes is None or empty_row:  # the row's end: the next one follows it
            row, column = row + 1, 0


def _hidden(attributes: bytes, body: bytes) -> ErrorCell | FormulaCell | None:
    value = _VALUE.search(body)
    if _ERROR_TYPE.search(attributes):
        return ErrorCell(_text(value.group(1)) if value else "#ERROR")
    formula = _FORMULA.search(body)
    if formula is not None and (value is None or not value.group(1).strip()):
        return FormulaCell("=" + _text(formula.group(1) or b""))
    return None


def hidden_cells(xml: bytes) -> list[HiddenCell]:
    """The error cells and uncomputed formulas of one worksheet's XML (none, in almost every sheet)."""
    if b' t="e"' not in xml and b"<f>" not in xml and b"<f " not in xml and b":f>" not in xml and b":f " not in xml:
        return []  # the common case, found by byte search (faster than any one regex here)
    if PREFIXED_CELL.search(xml):
        return _hidden_cells_in_order(xml)
    found = []
    for match in _CELL.finditer(xml):  # the common sheet: each cell's reference says where it stands
        attributes, body = match.group(1), match.group(2) or b""
        if (cell := _hidden(attributes, body)) is None:
            continue
        reference = _REFERENCE.search(attributes)
        if reference is None:  # placed by its order in its row
            return _hidden_cells_in_order(xml)
        found.append(HiddenCell(int(reference.group(2)) - 1, column_index(reference.group(1)), cell))
    return found


def _hidden_cells_in_order(xml: bytes) -> list[HiddenCell]:
    return [
        HiddenCell(cell.row_index, cell.column_index, hidden)
        for cell in cells_in_order(xml)
        if (hidden := _hidden(cell.attributes, cell.body)) is not None
    ]


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_START_OR_END = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*?)(/?)>|</(?:[\w.-]+:)?row>")


def hidden_rows(xml: bytes) -> frozenset[int]:
    """The rows (zero-based) of one worksheet's XML a clerk hid; none when a filter is set on the sheet,
    whose hidden rows are only filtered out of view (none, in almost every sheet)."""
    if b'hidden="' not in xml or b"autoFilter" in xml:
        return frozenset()  # byte searches: the common case costs no regex
    found = set()
    for match in _ROW.finditer(xml):
        attributes = match.group(1)
        if _HIDDEN.search(attributes):
            number = _ROW_NUMBER.search(attributes)
            if number is None:  # a row without r="4" follows the row before it
                return _hidden_rows_in_order(xml)
            found.add(int(number.group(1)) - 1)
    return frozenset(found)


def _hidden_rows_in_order(xml: bytes) -> frozenset[int]:
    found, row = set(), 0
    for match in _ROW_START_OR_END.finditer(xml):
        attributes, empty = match.group(1), match.group(2)
        if attributes is not None:
            if number := _ROW_NUMBER.search(attributes):
                row = int(number.group(1)) - 1
            if _HIDDEN.search(attributes):
                found.add(row)
        if attributes is None or empty:
            row += 1
    return frozenset(found)


def _is_figure(value: object) -> bool:
    """A number, or text that reads as one (with its unit: 12.5万吨, 80%)."""
    if isinstance(value, bool) or value is None or value == "":
        return False
    if isinstance(value, int | float):
        return True
    try:
        return isinstance(value, str) and parse_number(value) is not None
    except NotANumberError:
        return number_with_unit(value) is not None


def hide_figures(rows: list[list], hidden: frozenset[int]) -> None:
    """Mark the figures of hidden rows so that no parser takes them (labels stay as they are)."""
    for index in hidden:
        row = rows[index] if index < len(rows) else []
        for column, value in enumerate(row):
            if _is_figure(value):
                row[column] = HiddenRowCell(display(value))


def sheet_names_by_member(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """worksheet member (xl/worksheets/sheet3.xml) → the sheet's name, from workbook.xml and its rels."""
    if not workbook_xml or not rels_xml:
        return {}
    targets = {rid: target for rid, target in _RELATIONSHIP.findall(rels_xml)}
    targets |= {rid: target for target, rid in _RELATIONSHIP_REVERSED.findall(rels_xml)}
    names = {}
    for name, rid in _SHEET.findall(workbook_xml):
        target = targets.get(rid)
        if target is None:
            continue
        path = target.decode().lstrip("/")
        names[path if path.startswith("xl/") else f"xl/{path}"] = _text(name)
    return names


def put_back(rows: list[list], cells: list[HiddenCell]) -> None:
    """Write the hidden cells into a sheet's rows (as calamine returned them), growing them as needed."""
    for hidden in cells:
        while len(rows) <= hidden.row_index:
            rows.append([])
        row = rows[hidden.row_index]
        if len(row) <= hidden.column_index:
            row.extend([""] * (hidden.column_index + 1 - len(row)))
        if row[hidden.column_index] in ("", None):
            row[hidden.column_index] = hidden.cell


_ODS_TOKEN = re.compile(
    rb"<table:table(?=[\s>])([^>]*)>"
    rb"|<table:table-row(?=[\s/>])([^>]*?)(/?)>"
    rb"|<table:(?:covered-)?table-cell(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_NAME = re.compile(rb'\btable:name="([^"]*)"')
_ODS_ROWS_REPEATED = re.compile(rb'\btable:number-rows-repeated="(\d+)"')
_ODS_COLUMNS_REPEATED = re.compile(rb'\btable:number-columns-repeated="(\d+)"')


def ods_formulas_without_value(content_xml: bytes) -> list[tuple[str, str]]:
    """(sheet, cell address) of each formula an OpenDocument spreadsheet saved without its result
    (table:formula and no office:value-type): calamine reads such a cell as blank, not reported."""
    if b"table:formula=" not in content_xml:
        return []
    found: list[tuple[str, str]] = []
    sheet, row, column, more_rows = "", -1, 0, 0
    for match in _ODS_TOKEN.finditer(content_xml):
        table, row_attributes, cell_attributes = match.group(1), match.group(2), match.group(4)
        if table is not None:
            named = _ODS_NAME.search(table)
            sheet, row, column, more_rows = (_text(named.group(1)) if named else ""), -1, 0, 0
        elif row_attributes is not None:  # a row repeated N times takes N rows: the next row starts after them
            repeated = _ODS_ROWS_REPEATED.search(row_attributes)
            row, column = row + 1 + more_rows, 0
            more_rows = int(repeated.group(1)) - 1 if repeated else 0
        elif cell_attributes is not None:
            if b"table:formula=" in cell_attributes and b"office:value-type=" not in cell_attributes:
                found.append((sheet, f"{column_letter(column)}{row + 1}"))
            repeated = _ODS_COLUMNS_REPEATED.search(cell_attributes)
            column += int(repeated.group(1)) if repeated else 1
    return found
