"""Numbers Excel shows as percentages: read as the clerk sees them (80%), not as they are stored (0.8).

A clerk who types "80%" into a cell gets the number 0.8 with a percentage format (Excel and WPS both
do so, and a data validation of 0 to 100 lets it through). calamine returns the stored 0.8, which
would be read as 0.8 (a milestone 0.8 % complete, a pass rate of 0.8 %). The workbook's styles say
which cell formats scale by 100 (the built-in 0% and 0.00%, or a custom format with a % outside quotes);
each numeric cell with such a format is handed to the parsers as the text the cell shows, with its
full precision ("72.34%"), which they read as a number with the unit % (a figure whose unit is not %
is quarantined as the text it shows, as if the clerk had typed the %).

read.py inflates styles.xml and every worksheet anyway (its zip checks); a workbook whose styles hold
no percentage format (every template planwatch writes) costs one search of styles.xml.
"""

from __future__ import annotations

import re

from planwatch.ingest.formula_cells import PREFIXED_CELL, cells_in_order
from planwatch.ingest.values import column_index

BUILT_IN_PERCENT = frozenset({9, 10})  # 0% and 0.00%
_NUMBER_FORMAT = re.compile(rb'<numFmt\b[^>]*?\bnumFmtId="(\d+)"[^>]*?\bformatCode="([^"]*)"')
_CELL_FORMATS = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.DOTALL)
_FORMAT = re.compile(rb"<xf\b([^>]*?)/?>")
_FORMAT_ID = re.compile(rb'\bnumFmtId="(\d+)"')
# a literal in a format code: quoted text (&quot;…&quot; in the XML) or an escaped character (\%)
_LITERAL = re.compile(r'"[^"]*"|\\.')
# a numeric cell with a style: its reference and style; its type and value are read from the rest
_STYLED_CELL = re.compile(rb'<c\b([^>]*?\bs="(\d+)"[^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_REFERENCE = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_TYPE = re.compile(rb'\bt="([a-zA-Z]+)"')
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>\s*([^<]+?)\s*</")


def scales_by_100(format_code: str) -> bool:
    code = format_code.replace("&quot;", '"').replace("&amp;", "&")
    return "%" in _LITERAL.sub("", code)


def percent_styles(styles_xml: bytes) -> frozenset[int]:
    """The indices of the cell formats (cellXfs) whose number format shows a number as a percentage."""
    if b'numFmtId="9"' not in styles_xml and b'numFmtId="10"' not in styles_xml and b"%" not in styles_xml:
        return frozenset()  # the common case: no percentage anywhere
    percent_ids = set(BUILT_IN_PERCENT)
    for number_format, code in _NUMBER_FORMAT.findall(styles_xml):
        if scales_by_100(code.decode("utf-8", "replace")):
            percent_ids.add(int(number_format))
    formats = _CELL_FORMATS.search(styles_xml)
    if formats is None:
        return frozenset()
    return frozenset(
        index
        for index, attributes in enumerate(_FORMAT.findall(formats.group(1)))
        if (found := _FORMAT_ID.search(attributes)) and int(found.group(1)) in percent_ids
    )


def _shown_as_percent(attributes: bytes, body: bytes) -> bool:
    kind = _TYPE.search(attributes)
    return (kind is None or kind.group(1) == b"n") and _VALUE.search(body) is not None  # not text, an error, …


def percent_cells(sheet_xml: bytes, styles: frozenset[int]) -> list[tuple[int, int]]:
    """(row, column), zero-based, of the sheet's numeric cells shown as percentages."""
    if PREFIXED_CELL.search(sheet_xml):
        return _percent_cells_in_order(sheet_xml, styles)
    found = []
    for attributes, style, body in _STYLED_CELL.findall(sheet_xml):
        if int(style) not in styles or not _shown_as_percent(attributes, body):
            continue  # text, an error, a boolean, or no value: shown as it is
        reference = _REFERENCE.search(attributes)
        if reference is None:  # placed by its order in its row (some generators write no r="C4")
            return _percent_cells_in_order(sheet_xml, styles)
        found.append((int(reference.group(2)) - 1, column_index(reference.group(1))))
    return found


def _percent_cells_in_order(sheet_xml: bytes, styles: frozenset[int]) -> list[tuple[int, int]]:
    """percent_cells of a sheet whose cells have a namespace prefix (<x:c>) or no reference: each placed
    where calamine puts it (`cells_in_order`)."""
    return [
        (cell.row_index, cell.column_index)
        for cell in cells_in_order(sheet_xml)
        if (style := _STYLE.search(cell.attributes))
        and int(style.group(1)) in styles
        and _shown_as_percent(cell.attributes, cell.body)
    ]


def as_shown(number: float) -> str:
    """0.7234 → "72.34%": the number times 100 to its full precision, without float noise."""
    return f"{float(f'{number * 100:.12g}'):.15g}%"


def show_percentages(rows: list[list], cells: list[tuple[int, int]]) -> None:
    """Replace each number at `cells` by the percentage the cell shows."""
    for row, column in cells:
        if row < len(rows) and column < len(rows[row]):
            value = rows[row][column]
            if isinstance(value, int | float) and not isinstance(value, bool):
                rows[row][column] = as_shown(value)
