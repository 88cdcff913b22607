"""The same workbook as an Excel 97-2003 .xls file, as offices still save them (written with xlwt).

Values, Excel errors, formulas (compiled by xlwt, saved without a result, as a program writes them),
merged cells, number formats, column widths, hidden rows and hidden sheets carry over; data validations
and filters do not (xlwt cannot write them), which is what a clerk's "save as .xls" loses too.
"""

from __future__ import annotations

import datetime as dt
import io

import xlwt
from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import column_index_from_string

_HIDDEN = 1  # BOUNDSHEET visibility: 0 visible, 1 hidden, 2 very hidden
# BIFF8 error codes, passed to xlwt as numbers: its own table maps #VALUE! to #NUM!'s code and knows #N/A
# only misspelt as '#N/A!'
ERROR_CODES = {
    "#NULL!": 0x00,
    "#DIV/0!": 0x07,
    "#VALUE!": 0x0F,
    "#REF!": 0x17,
    "#NAME?": 0x1D,
    "#NUM!": 0x24,
    "#N/A": 0x2A,
}


def xls_bytes(workbook: Workbook) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, xlwt.XFStyle] = {}

    def style(number_format: str) -> xlwt.XFStyle:
        if number_format not in styles:
            styles[number_format] = xlwt.easyxf(num_format_str=number_format)
        return styles[number_format]

    for source in workbook.worksheets:
        target = book.add_sheet(source.title, cell_overwrite_ok=True)
        if source.sheet_state != "visible":
            target.visibility = _HIDDEN
        merged_starts = {}
        for span in source.merged_cells.ranges:
            merged_starts[(span.min_row, span.min_col)] = span
        for row in source.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell) or cell.value is None:
                    continue
                value = cell.value
                if cell.data_type == "e":  # an Excel error (#DIV/0!): an error cell, not its text
                    target.row(cell.row - 1).set_cell_error(cell.column - 1, ERROR_CODES[str(value)])
                    continue
                if cell.data_type == "f":
                    value = xlwt.Formula(str(value).removeprefix("="))
                if isinstance(value, dt.datetime | dt.date):
                    cell_style = style("yyyy-mm-dd")
                elif isinstance(value, int | float | xlwt.Formula):
                    cell_style = style(cell.number_format or "General")
                else:
                    value, cell_style = str(value), style("General")
                span = merged_starts.pop((cell.row, cell.column), None)
                if span is not None:
                    target.write_merge(
                        span.min_row - 1, span.max_row - 1, span.min_col - 1, span.max_col - 1, value, cell_style
                    )
                else:
                    target.write(cell.row - 1, cell.column - 1, value, cell_style)
        for span in merged_starts.values():  # merged ranges whose first cell is empty
            target.write_merge(span.min_row - 1, span.max_row - 1, span.min_col - 1, span.max_col - 1, "")
        for number, dimension in source.row_dimensions.items():
            if dimension.hidden:
                target.row(number - 1).hidden = True
        for letter, dimension in source.column_dimensions.items():
            if dimension.width:
                target.col(column_index_from_string(letter) - 1).width = int(dimension.width * 256)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
