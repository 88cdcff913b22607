"""Writing a department's fill-in template (填报模板) for a month, empty or filled with figures.

`build_template` is the one writer: `planwatch templates` calls it without values, the sample
generator with the figures a department would have sent. The format is the contract in
`planwatch.template_format`; where each figure goes is the `TemplateLayout`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planwatch.forms.cells import number_format_for, set_text
from planwatch.forms.files import save_workbook
from planwatch.forms.instructions import instruction_lines, period_label
from planwatch.forms.layout import (
    FIRST_DATA_ROW,
    FIRST_MEASURE_COLUMN,
    REGION_CODE_COLUMN,
    REGION_COLUMN,
    DataSheetLayout,
    TemplateLayout,
    reporting_departments,
    template_layout,
)
from planwatch.forms.meta import write_meta
from planwatch.forms.printing import fit_row_heights, set_up_printing, text_width
from planwatch.forms.validation import figure_validation, milestone_percent_validation, milestone_state_validation
from planwatch.periods import Period
from planwatch.registry.load import Registry
from planwatch.reporting import milestone_duties, reporting_duties
from planwatch.template_format import (
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    MILESTONE_HEADERS,
    MILESTONE_SHEET,
    MILESTONE_STATE_LABELS,
    REGION_CODE_HEADER,
    REGION_HEADER,
    REMARK_HEADER,
    Measure,
    MilestoneState,
)

FigureKey = tuple[str, str, Measure]  # (indicator_code, region_code, measure)

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAPPED = Alignment(wrap_text=True, vertical="top")
_HEADER_HEIGHT = 30.0
# 项目编码 … 情况说明 and 工作表 | 指标 | 计量单位 | 填报地区 | 填报口径: long texts wrap, and the tables fit an A4
# landscape page unscaled (planwatch.forms.printing.printable_width)
_MILESTONE_WIDTHS = (26, 22, 34, 11, 10, 11, 28)
_INSTRUCTION_WIDTHS = (24, 30, 10, 34, 40)
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|]')


@dataclass(frozen=True)
class MilestoneReport:
    """A department's report on one milestone in a month, as the 重点项目进展 row says it."""

    state: MilestoneState
    percent: float | None
    remark: str = ""


def template_filename(department_name: str, period: str, suffix: str = "", extension: str = ".xlsx") -> str:
    """`<department>_<YYYY-MM>_填报模板<suffix>.xlsx`, with characters no file system accepts replaced."""
    safe_name = _UNSAFE_IN_FILE_NAMES.sub("_", department_name)
    return f"{safe_name}_{period}_填报模板{suffix}{extension}"


def template_timestamp(period: str) -> dt.datetime:
    """The created/modified time templates of a period carry: the first day after the period.

    A fixed time rather than the clock keeps files reproducible (see `planwatch.forms.files`).
    """
    month = Period.parse(period).month_start
    year, next_month = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    return dt.datetime(year, next_month, 1, 8, 0, 0)


def _header_cell(sheet: Worksheet, row: int, column: int, text: str) -> None:
    cell = sheet.cell(row=row, column=column)
    set_text(cell, text)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.border = _BORDER
    cell.alignment = _CENTRE


def _fitting_width(texts: Sequence[str], least: float, most: float) -> float:
    """A column width that shows the longest of `texts` on one line, within `least` and `most`."""
    return round(min(max([least, *(text_width(text) + 2 for text in texts)]), most), 1)


def _title(sheet: Worksheet, text: str, last_column: int, period: str, unit: str | None) -> None:
    set_text(sheet.cell(row=1, column=1), text)
    sheet.cell(row=1, column=1).font = _TITLE_FONT
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_column)
    set_text(sheet.cell(row=2, column=1), f"报送期：{period}")
    if unit is not None:
        set_text(sheet.cell(row=2, column=FIRST_MEASURE_COLUMN), f"计量单位：{unit}")


def _data_sheet(
    sheet: Worksheet,
    layout: TemplateLayout,
    data_sheet: DataSheetLayout,
    values: Mapping[FigureKey, float | None],
) -> None:
    last_column = data_sheet.remark_column
    _title(
        sheet,
        f"{layout.department_name} {period_label(layout.period)} {data_sheet.indicator_name}",
        last_column,
        layout.period,
        data_sheet.canonical_unit,
    )
    headers = [REGION_HEADER, REGION_CODE_HEADER]
    headers += [data_sheet.measure_header(measure) for measure in data_sheet.measures]
    headers.append(REMARK_HEADER)
    for column, text in enumerate(headers, start=1):
        _header_cell(sheet, HEADER_ROW, column, text)
    number_format = number_format_for(data_sheet.decimals)
    for region_code, region_name in zip(data_sheet.region_codes, data_sheet.region_names, strict=True):
        row = data_sheet.region_row(region_code)
        set_text(sheet.cell(row=row, column=REGION_COLUMN), region_name)
        set_text(sheet.cell(row=row, column=REGION_CODE_COLUMN), region_code)
        for measure in data_sheet.measures:
            cell = sheet.cell(row=row, column=data_sheet.measure_column(measure))
            cell.value = values.get((data_sheet.indicator_code, region_code, measure))
            cell.number_format = number_format
        for column in range(1, last_column + 1):
            sheet.cell(row=row, column=column).border = _BORDER
    validation = figure_validation(data_sheet)
    first = f"{get_column_letter(FIRST_MEASURE_COLUMN)}{FIRST_DATA_ROW}"
    last = f"{get_column_letter(last_column - 1)}{data_sheet.last_data_row}"
    validation.add(f"{first}:{last}")
    sheet.add_data_validation(validation)
    # the region columns fit their longest entry: a name or code cut off is a row a clerk cannot identify
    sheet.column_dimensions["A"].width = _fitting_width(data_sheet.region_names, 12, 40)
    sheet.column_dimensions["B"].width = _fitting_width(data_sheet.region_codes, 14, 48)
    for column in range(FIRST_MEASURE_COLUMN, last_column):
        sheet.column_dimensions[get_column_letter(column)].width = 20
    sheet.column_dimensions[get_column_letter(last_column)].width = 30
    fit_row_heights(sheet, range(1, data_sheet.last_data_row + 1))
    sheet.row_dimensions[HEADER_ROW].height = max(sheet.row_dimensions[HEADER_ROW].height, _HEADER_HEIGHT)
    set_up_printing(sheet, last_column, data_sheet.last_data_row, title_rows=HEADER_ROW)
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=FIRST_MEASURE_COLUMN)


def _milestone_sheet(sheet: Worksheet, layout: TemplateLayout, reports: Mapping[str, MilestoneReport]) -> None:
    last_column = len(MILESTONE_HEADERS)
    _title(
        sheet, f"{layout.department_name} {period_label(layout.period)} 重点项目进展", last_column, layout.period, None
    )
    for column, text in enumerate(MILESTONE_HEADERS, start=1):
        _header_cell(sheet, HEADER_ROW, column, text)
    labels = list(MILESTONE_STATE_LABELS.values())
    for row in layout.milestones:
        report = reports.get(row.milestone_id)
        set_text(sheet.cell(row=row.row, column=1), row.milestone_id)
        set_text(sheet.cell(row=row.row, column=2), row.project)
        set_text(sheet.cell(row=row.row, column=3), row.description)
        deadline = sheet.cell(row=row.row, column=4)
        deadline.value = row.deadline
        deadline.number_format = "yyyy-mm-dd"
        if report is not None:
            set_text(sheet.cell(row=row.row, column=5), MILESTONE_STATE_LABELS[report.state])
            sheet.cell(row=row.row, column=6).value = report.percent
            if report.remark:
                set_text(sheet.cell(row=row.row, column=7), report.remark)
        sheet.cell(row=row.row, column=6).number_format = "0"
        for column in range(1, last_column + 1):
            sheet.cell(row=row.row, column=column).border = _BORDER
            sheet.cell(row=row.row, column=column).alignment = _WRAPPED
    first, last = layout.milestones[0].row, layout.milestones[-1].row
    states = milestone_state_validation(labels)
    states.add(f"E{first}:E{last}")
    percent = milestone_percent_validation()
    percent.add(f"F{first}:F{last}")
    sheet.add_data_validation(states)
    sheet.add_data_validation(percent)
    for column, width in zip("ABCDEFG", _MILESTONE_WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    fit_row_heights(sheet, range(1, last + 1))
    sheet.row_dimensions[HEADER_ROW].height = max(sheet.row_dimensions[HEADER_ROW].height, _HEADER_HEIGHT)
    set_up_printing(sheet, last_column, last, title_rows=HEADER_ROW)
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=3)


def _instructions_sheet(sheet: Worksheet, layout: TemplateLayout) -> None:
    set_text(sheet.cell(row=1, column=1), f"{layout.department_name} {period_label(layout.period)} 填报说明")
    sheet.cell(row=1, column=1).font = _TITLE_FONT
    row = 3
    for line in instruction_lines(layout):
        cell = sheet.cell(row=row, column=1)
        set_text(cell, line)
        cell.alignment = _WRAPPED
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_INSTRUCTION_WIDTHS))
        row += 1
    row += 1
    for column, text in enumerate(("工作表", "指标", "计量单位", "填报地区", "填报口径"), start=1):
        _header_cell(sheet, row, column, text)
    for data_sheet in layout.data_sheets:
        row += 1
        cells = (
            data_sheet.sheet_name,
            data_sheet.indicator_name,
            data_sheet.canonical_unit,
            "、".join(data_sheet.region_names),
            "、".join(data_sheet.measure_header(measure) for measure in data_sheet.measures),
        )
        for column, text in enumerate(cells, start=1):
            set_text(sheet.cell(row=row, column=column), text)
            sheet.cell(row=row, column=column).alignment = _WRAPPED
    for column, width in enumerate(_INSTRUCTION_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    fit_row_heights(sheet, range(1, row + 1))
    set_up_printing(sheet, len(_INSTRUCTION_WIDTHS), row, title_rows=1)


def build_template(
    registry: Registry,
    department_id: str,
    period: str,
    values: Mapping[FigureKey, float | None] | None = None,
    milestone_reports: Mapping[str, MilestoneReport] | None = None,
    layout: TemplateLayout | None = None,
) -> Workbook:
    """The department's template for the month, with `values` (canonical units) and reports filled in.

    `values` is keyed by (indicator_code, region_code, measure); a key the department does not report
    is left out. Pass `layout` when you already computed it (the sample generator does).
    """
    layout = layout or template_layout(registry, department_id, period)
    values = values or {}
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    _instructions_sheet(instructions, layout)
    for data_sheet in layout.data_sheets:
        _data_sheet(workbook.create_sheet(data_sheet.sheet_name), layout, data_sheet, values)
    if layout.milestones:
        _milestone_sheet(workbook.create_sheet(MILESTONE_SHEET), layout, milestone_reports or {})
    write_meta(workbook.create_sheet(META_SHEET), layout)
    return workbook


def write_templates(registry: Registry, period: str, out_dir: Path) -> list[Path]:
    """One empty template per department with duties in the month; returns the files written."""
    duties = reporting_duties(registry, period)
    milestones = milestone_duties(registry, period)
    written = []
    for department_id in reporting_departments(registry, period, duties, milestones):
        layout = template_layout(registry, department_id, period, duties, milestones)
        workbook = build_template(registry, department_id, period, layout=layout)
        path = out_dir / template_filename(layout.department_name, period)
        written.append(save_workbook(workbook, path, template_timestamp(period)))
    return written
