"""The hidden `_planwatch` sheet: what a template is, so a filled one maps back to indicators exactly.

Layout (column A key, column B value, then a table):

    template_version | 1
    department_id    | zhongwei.agriculture_rural_bureau
    period           | 2024-03
    milestone_sheet  | 重点项目进展          (empty when the department leads no milestone)
    (empty row)
    sheet_index | sheet_name | indicator_code | canonical_unit | measures | region_codes
    1           | 农产品加工业产值 | agri_processing_output_value | 亿元 | month_value,ytd_value,… | 640500,640502

`sheet_index` is the 0-based position of the data sheet in the workbook (0 is 填报说明), so a sheet a
clerk renamed is still found by position; `region_codes` lists the data rows in order, so a row
whose 地区编码 was blanked is still found by position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from planwatch.forms.cells import set_text
from planwatch.forms.layout import TemplateLayout
from planwatch.template_format import META_SHEET, MILESTONE_SHEET, TEMPLATE_VERSION, Measure

TABLE_HEADER = ("sheet_index", "sheet_name", "indicator_code", "canonical_unit", "measures", "region_codes")


@dataclass(frozen=True)
class MetaSheetRow:
    sheet_index: int
    sheet_name: str
    indicator_code: str
    canonical_unit: str
    measures: tuple[Measure, ...]
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class TemplateMeta:
    template_version: str
    department_id: str
    period: str
    milestone_sheet: str | None
    sheets: tuple[MetaSheetRow, ...]


class MetaSheetError(ValueError):
    pass


def write_meta(sheet: Worksheet, layout: TemplateLayout) -> None:
    rows: list[Sequence[object]] = [
        ("template_version", TEMPLATE_VERSION),
        ("department_id", layout.department_id),
        ("period", layout.period),
        ("milestone_sheet", MILESTONE_SHEET if layout.milestones else ""),
        (),
        TABLE_HEADER,
    ]
    for data_sheet in layout.data_sheets:
        rows.append(
            (
                data_sheet.sheet_index,
                data_sheet.sheet_name,
                data_sheet.indicator_code,
                data_sheet.canonical_unit,
                ",".join(measure.value for measure in data_sheet.measures),
                ",".join(data_sheet.region_codes),
            )
        )
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                set_text(cell, value)
            else:
                cell.value = value
    sheet.sheet_state = "hidden"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # .xls stores every number as a float
    return str(value).strip()


def parse_meta(rows: Iterable[Sequence[object]], where: str = META_SHEET) -> TemplateMeta:
    """The meta sheet from its rows of cell values (from openpyxl, calamine or a CSV)."""
    keys: dict[str, str] = {}
    sheets: list[MetaSheetRow] = []
    in_table = False
    for number, row in enumerate(rows, start=1):
        cells = [value.strip() if value.__class__ is str else _text(value) for value in row]  # text, mostly
        if not any(cells):
            continue
        if tuple(cells[: len(TABLE_HEADER)]) == TABLE_HEADER:
            in_table = True
            continue
        if not in_table:
            keys[cells[0]] = cells[1] if len(cells) > 1 else ""
            continue
        cells += [""] * (len(TABLE_HEADER) - len(cells))
        try:
            sheets.append(
                MetaSheetRow(
                    sheet_index=int(cells[0]),
                    sheet_name=cells[1],
                    indicator_code=cells[2],
                    canonical_unit=cells[3],
                    measures=tuple(Measure(part) for part in cells[4].split(",") if part),
                    region_codes=tuple(part for part in cells[5].split(",") if part),
                )
            )
        except ValueError as error:
            raise MetaSheetError(
                f"{where}: row {number}: not a data-sheet row ({error}); the hidden sheet was edited, "
                "ask the department to fill a fresh template"
            ) from None
    missing = [key for key in ("template_version", "department_id", "period") if not keys.get(key)]
    if missing:
        raise MetaSheetError(f"{where}: missing {', '.join(missing)}; this is not a planwatch template")
    return TemplateMeta(
        template_version=keys["template_version"],
        department_id=keys["department_id"],
        period=keys["period"],
        milestone_sheet=keys.get("milestone_sheet") or None,
        sheets=tuple(sheets),
    )


def read_meta(workbook: Workbook) -> TemplateMeta:
    """The meta sheet of an openpyxl workbook; MetaSheetError when it is missing or edited."""
    if META_SHEET not in workbook.sheetnames:
        raise MetaSheetError(f"no hidden sheet {META_SHEET!r}: this is not a planwatch template")
    return parse_meta(workbook[META_SHEET].iter_rows(values_only=True))
