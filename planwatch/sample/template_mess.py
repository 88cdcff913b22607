"""Mess a filled template the way clerks do: other units, aliases, 合计 rows, extra columns, renamed sheets.

Kinds are applied in a fixed order so that each one sees the workbook as a clerk would have left it:
units first (the figures are then in the unit the header says), added rows and columns, region
names, single figures, rows to quarantine, the title, and the sheet name last (it renames what the
earlier kinds recorded).
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from planwatch.forms.cells import set_text
from planwatch.forms.layout import FIRST_DATA_ROW, REGION_CODE_COLUMN, REGION_COLUMN, DataSheetLayout, TemplateLayout
from planwatch.sample.mess import (
    UNKNOWN_REGIONS,
    VALUE_KINDS,
    MessContext,
    MessKind,
    alternative_unit,
    clean_rows,
    numeric,
    quarantine_values,
    region_alias,
    scaled,
    set_aside,
)
from planwatch.sample.records import Expected
from planwatch.template_format import HEADER_ROW, REGION_HEADER

CLERKS = ("张伟", "李娜", "王芳", "刘洋", "陈静", "马丽", "杨帆")
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!")


def _pick_sheet(
    context: MessContext, layout: TemplateLayout, wanted: list[DataSheetLayout] | None = None
) -> DataSheetLayout:
    candidates = wanted if wanted else list(layout.data_sheets)
    return context.rng.choice(candidates)


def _unit_changed(context: MessContext, workbook: Workbook, layout: TemplateLayout) -> None:
    reference = context.reference
    sheets = [sheet for sheet in layout.data_sheets if alternative_unit(reference, sheet.canonical_unit)]
    if not sheets:
        return
    data_sheet = _pick_sheet(context, layout, sheets)
    other_unit = alternative_unit(reference, data_sheet.canonical_unit) or data_sheet.canonical_unit
    measure = context.rng.choice(data_sheet.measures)
    column = data_sheet.measure_column(measure)
    header = f"{get_column_letter(column)}{HEADER_ROW}"
    context.grid.set(data_sheet.sheet_name, header, data_sheet.measure_header(measure, other_unit))
    context.record(MessKind.unit_changed, Expected.read, data_sheet.sheet_name, header)
    for observation in context.untouched():
        if observation.sheet != data_sheet.sheet_name or observation.measure is not measure:
            continue
        value = context.grid.get(observation.sheet, observation.cell)
        if isinstance(value, int | float):
            context.grid.set(
                observation.sheet,
                observation.cell,
                scaled(reference, float(value), data_sheet.canonical_unit, other_unit),
            )
            workbook[observation.sheet][observation.cell].number_format = "General"
        context.record(
            MessKind.unit_changed, Expected.read, observation.sheet, observation.cell, observation, observation.value
        )


def _total_row(context: MessContext, workbook: Workbook, layout: TemplateLayout, next_row: dict[str, int]) -> None:
    several = [sheet for sheet in layout.data_sheets if len(sheet.region_codes) > 1]
    data_sheet = _pick_sheet(context, layout, several)
    sheet = workbook[data_sheet.sheet_name]
    row = next_row[data_sheet.sheet_name]
    next_row[data_sheet.sheet_name] += 1
    set_text(sheet.cell(row=row, column=REGION_COLUMN), "合计")
    context.record(MessKind.total_row, Expected.ignored, data_sheet.sheet_name, f"A{row}")
    for measure in data_sheet.measures:
        column = data_sheet.measure_column(measure)
        figures = [
            sheet.cell(row=data_row, column=column).value
            for data_row in range(FIRST_DATA_ROW, data_sheet.last_data_row + 1)
        ]
        total = round(sum(value for value in figures if isinstance(value, int | float)), 6)
        sheet.cell(row=row, column=column).value = total
        context.record(
            MessKind.total_row,
            Expected.ignored,
            data_sheet.sheet_name,
            f"{get_column_letter(column)}{row}",
            clean_value=None,
        )


def _extra_columns(context: MessContext, workbook: Workbook, layout: TemplateLayout) -> None:
    data_sheet = _pick_sheet(context, layout)
    sheet = workbook[data_sheet.sheet_name]
    clerk = context.rng.choice(CLERKS)
    phone = f"0{context.rng.randint(470, 951)}-{context.rng.randint(2000000, 8999999)}"
    for offset, (header, value) in enumerate((("填报人", clerk), ("联系电话", phone)), start=1):
        column = data_sheet.remark_column + offset
        letter = get_column_letter(column)
        set_text(sheet.cell(row=HEADER_ROW, column=column), header)
        context.record(MessKind.extra_columns, Expected.ignored, data_sheet.sheet_name, f"{letter}{HEADER_ROW}")
        for region_code in data_sheet.region_codes:
            row = data_sheet.region_row(region_code)
            set_text(sheet.cell(row=row, column=column), value)
            context.record(
                MessKind.extra_columns,
                Expected.ignored,
                data_sheet.sheet_name,
                f"{letter}{row}",
                region_code=region_code,
            )


def _region_alias(context: MessContext, workbook: Workbook, layout: TemplateLayout) -> None:
    pairs = [(sheet, code) for sheet in layout.data_sheets for code in sheet.region_codes]
    for data_sheet, region_code in context.rng.sample(pairs, min(len(pairs), context.rng.randint(1, 2))):
        sheet = workbook[data_sheet.sheet_name]
        row = data_sheet.region_row(region_code)
        set_text(sheet.cell(row=row, column=REGION_COLUMN), region_alias(context.reference, region_code, context.rng))
        sheet.cell(row=row, column=REGION_CODE_COLUMN).value = None
        context.record(MessKind.region_alias, Expected.read, data_sheet.sheet_name, f"A{row}", region_code=region_code)
        context.record(
            MessKind.region_alias, Expected.ignored, data_sheet.sheet_name, f"B{row}", region_code=region_code
        )


def _unknown_region_row(
    context: MessContext, workbook: Workbook, layout: TemplateLayout, next_row: dict[str, int]
) -> None:
    data_sheet = _pick_sheet(context, layout)
    sheet = workbook[data_sheet.sheet_name]
    row = next_row[data_sheet.sheet_name]
    next_row[data_sheet.sheet_name] += 1
    set_text(sheet.cell(row=row, column=REGION_COLUMN), context.rng.choice(UNKNOWN_REGIONS))
    context.record(MessKind.quarantine_rows, Expected.quarantine, data_sheet.sheet_name, f"A{row}")
    first_row = data_sheet.region_row(data_sheet.region_codes[0])
    for measure in data_sheet.measures:
        column = data_sheet.measure_column(measure)
        like = sheet.cell(row=first_row, column=column).value
        value = (
            round(float(like) * context.rng.uniform(0.05, 0.3), data_sheet.decimals)
            if isinstance(like, int | float)
            else 1.0
        )
        sheet.cell(row=row, column=column).value = value
        context.record(
            MessKind.quarantine_rows,
            Expected.quarantine,
            data_sheet.sheet_name,
            f"{get_column_letter(column)}{row}",
            indicator_code=data_sheet.indicator_code,
            measure=measure.value,
        )


def _percent_typed(context: MessContext, workbook: Workbook, layout: TemplateLayout) -> None:
    """A rate typed as "72.34%" into a % column: Excel stores 0.7234 and shows it with a percentage format
    (the column's 0–100 validation lets it through); ingestion reads it as shown, 72.34."""
    sheets = [sheet for sheet in layout.data_sheets if sheet.percent]
    if not sheets:
        return
    data_sheet = _pick_sheet(context, layout, sheets)
    candidates = [
        observation
        for observation in context.untouched()
        if observation.sheet == data_sheet.sheet_name and numeric(context, observation) is not None
    ]
    for observation in context.rng.sample(candidates, min(len(candidates), context.rng.randint(1, 3))):
        cell = workbook[observation.sheet][observation.cell]
        cell.value = float(cell.value) / 100
        cell.number_format = f"0.{'0' * data_sheet.decimals}%" if data_sheet.decimals else "0%"
        context.record(
            MessKind.percent_typed, Expected.read, observation.sheet, observation.cell, observation, observation.value
        )


def _hidden_row(context: MessContext, workbook: Workbook) -> None:
    """A region's row the clerk hid (a draft, a figure not yet checked): its figures are not taken."""
    rows = clean_rows(context)
    if not rows:
        return
    sheet, row = context.rng.choice(list(rows))
    workbook[sheet].row_dimensions[row].hidden = True
    set_aside(context, MessKind.hidden_row, rows[(sheet, row)])


def _excel_error(context: MessContext, workbook: Workbook) -> None:
    """A figure left as an Excel error (#DIV/0!) or as a formula saved without its result (as a program
    that writes formulas saves them): the file does not hold the figure, so its row is set aside."""
    rows = clean_rows(context)
    if not rows:
        return
    key = context.rng.choice(list(rows))
    spoiled = context.rng.choice(rows[key])
    cell = workbook[spoiled.sheet][spoiled.cell]
    if context.rng.random() < 0.6:
        cell.value = context.rng.choice(EXCEL_ERRORS)  # openpyxl stores an error code as an error cell
    else:
        cell.value = f"=ROUND({get_column_letter(cell.column)}{cell.row + 1}*1.05,2)"  # a formula, no result saved
    set_aside(context, MessKind.excel_error, rows[key])


def _merged_title(context: MessContext, workbook: Workbook, layout: TemplateLayout) -> None:
    data_sheet = _pick_sheet(context, layout)
    sheet = workbook[data_sheet.sheet_name]
    for merged in [str(span) for span in sheet.merged_cells.ranges if span.min_row == 1]:
        sheet.unmerge_cells(merged)
    last = data_sheet.remark_column
    end = context.rng.choice([column for column in (2, last - 1, last + 2) if column != last and column >= 2])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=end)
    context.record(MessKind.merged_title, Expected.ignored, data_sheet.sheet_name, "A1")


def _short_name(name: str) -> str:
    for word in ("农产品", "农业产业化", "（", "("):
        if word in name and not name.startswith(word):
            name = name.split(word)[0] if word in "（(" else name.replace(word, "")
    return name[:6] or "数据"


def _renamed_sheet(context: MessContext, workbook: Workbook, layout: TemplateLayout) -> None:
    data_sheet = _pick_sheet(context, layout)
    taken = {name.casefold() for name in workbook.sheetnames}
    new_name = context.rng.choice(("Sheet1", _short_name(data_sheet.indicator_name), REGION_HEADER + "数据"))
    number = 1
    while new_name.casefold() in taken:
        number += 1
        new_name = f"Sheet{number}"
    old_name = data_sheet.sheet_name
    workbook[old_name].title = new_name
    for observation in context.file.observations:
        if observation.sheet == old_name:
            observation.sheet = new_name
    for cell in context.file.messy_cells:
        if cell.sheet == old_name:
            cell.sheet = new_name
    context.touched = {(new_name if sheet == old_name else sheet, cell) for sheet, cell in context.touched}
    context.record(MessKind.renamed_sheet, Expected.read, new_name, "")


def mess_template(context: MessContext, workbook: Workbook, layout: TemplateLayout, kinds: list[MessKind]) -> None:
    """Apply the structural and value kinds to a filled template (xls and correction are the caller's)."""
    if not layout.data_sheets:
        return
    next_row = {sheet.sheet_name: sheet.last_data_row + 1 for sheet in layout.data_sheets}
    if MessKind.unit_changed in kinds:
        _unit_changed(context, workbook, layout)
    if MessKind.total_row in kinds:
        _total_row(context, workbook, layout, next_row)
    if MessKind.extra_columns in kinds:
        _extra_columns(context, workbook, layout)
    if MessKind.region_alias in kinds:
        _region_alias(context, workbook, layout)
    for kind, apply in VALUE_KINDS.items():
        if kind in kinds:
            apply(context)
    if MessKind.percent_typed in kinds:
        _percent_typed(context, workbook, layout)
    if MessKind.hidden_row in kinds:
        _hidden_row(context, workbook)
    if MessKind.excel_error in kinds:
        _excel_error(context, workbook)
    if MessKind.quarantine_rows in kinds:
        quarantine_values(context)
        _unknown_region_row(context, workbook, layout, next_row)
    if MessKind.merged_title in kinds:
        _merged_title(context, workbook, layout)
    if MessKind.renamed_sheet in kinds:
        _renamed_sheet(context, workbook, layout)
