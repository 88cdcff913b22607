"""How a template prints: A4, one page wide, header rows on every page, numbered pages, nothing cut off.

Departments print the template to have it signed and stamped, so every visible sheet carries its print
setup: the table as print area, scaled to one page wide (landscape when the table is wider than a
portrait page), the title and header rows repeated on every page (they say which table a loose page
belongs to), centred, and a footer 第 N 页，共 M 页. Every printed row gets an explicit height from an
estimate of its text's width: neither Excel nor LibreOffice grows a row to fit a merged cell's wrapped
text (the instructions), and with fixed heights both break the pages at the same rows.
"""

from __future__ import annotations

import functools
import math
import unicodedata

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FOOTER_PAGES = "第 &P 页，共 &N 页"
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.7, "header": 0.3, "footer": 0.3}  # inches
A4_MM = (210.0, 297.0)
PIXELS_PER_WIDTH_UNIT = 7.0  # a column width counts digits of the default 11-pt font, 7 px at 96 dpi
DEFAULT_COLUMN_WIDTH = 8.43
BASE_FONT_SIZE = 11.0
LINE_HEIGHT = 17.0  # points per line of 11-pt text, CJK fonts' line spacing included
ROW_PADDING = 4.0  # points of a row's height around its text
DEFAULT_ROW_HEIGHT = 15.0
# width units a character takes in 11-pt text: CJK and full-width characters twice a digit, the rest a
# little more than a digit (the fonts that stand in for Calibri are wider); kept generous so that text
# wraps in the estimate before it would in Excel or LibreOffice
WIDE_CHARACTER = 2.2
NARROW_CHARACTER = 1.2


@functools.lru_cache(maxsize=8192)  # a template's instructions and headings recur in every file of a sample
def text_width(text: str, font_size: float = BASE_FONT_SIZE) -> float:
    """The width `text` takes on one line, in column-width units."""
    units = sum(WIDE_CHARACTER if unicodedata.east_asian_width(c) in "WF" else NARROW_CHARACTER for c in text)
    return units * font_size / BASE_FONT_SIZE


def lines_needed(text: str, width: float, font_size: float = BASE_FONT_SIZE) -> int:
    """Lines `text` wraps to in a cell `width` units wide (one less unit for the cell's inner margins)."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(text_width(part, font_size) / usable)) for part in text.split("\n"))


def row_height_for(lines: int, font_size: float = BASE_FONT_SIZE) -> float:
    return round(lines * LINE_HEIGHT * font_size / BASE_FONT_SIZE + ROW_PADDING, 1)


def column_width(sheet: Worksheet, column: int) -> float:
    letter = get_column_letter(column)
    dimension = sheet.column_dimensions.get(letter)
    return dimension.width if dimension is not None and dimension.width else DEFAULT_COLUMN_WIDTH


def fit_row_heights(sheet: Worksheet, rows: range, minimum: float = DEFAULT_ROW_HEIGHT) -> None:
    """Each row tall enough for the text of its cells: wrapped text over its cell's width (a merged cell's
    whole width), other text on one line. Every row gets an explicit height, so Excel and LibreOffice
    lay the page out alike."""
    spans = {(r.min_row, r.min_col): (r.min_col, r.max_col) for r in sheet.merged_cells.ranges}
    for row in rows:
        height = minimum
        for cell in sheet[row]:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            size = float(cell.font.sz or BASE_FONT_SIZE)
            lines = 1
            if cell.alignment.wrap_text:
                first, last = spans.get((row, cell.column), (cell.column, cell.column))
                width = sum(column_width(sheet, column) for column in range(first, last + 1))
                lines = lines_needed(cell.value, width, size)
            height = max(height, row_height_for(lines, size))
        sheet.row_dimensions[row].height = height


def printable_width(landscape: bool) -> float:
    """The width between the side margins, in column-width units."""
    paper_mm = A4_MM[1] if landscape else A4_MM[0]
    inches = paper_mm / 25.4 - MARGINS["left"] - MARGINS["right"]
    return inches * 96 / PIXELS_PER_WIDTH_UNIT


def table_width(sheet: Worksheet, last_column: int) -> float:
    return sum(column_width(sheet, column) for column in range(1, last_column + 1))


def set_up_printing(sheet: Worksheet, last_column: int, last_row: int, title_rows: int) -> None:
    """Print the sheet's table (A1 to `last_column`, `last_row`) on A4, one page wide, with its first
    `title_rows` rows on every page; landscape when the table is wider than a portrait page."""
    sheet.print_area = f"A1:{get_column_letter(last_column)}{last_row}"
    sheet.print_title_rows = f"1:{title_rows}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if table_width(sheet, last_column) > printable_width(False) else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(**MARGINS)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = FOOTER_PAGES
