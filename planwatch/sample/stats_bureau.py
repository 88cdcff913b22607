"""A statistics bureau's monthly table (统计月报) in the `stats_bureau_regions_as_columns` layout.

One sheet named for the month ("2024年3月"), a title saying whose table it is and the period it
covers ("1-3月"), a unit line, the header 指标 | 计量单位 | 全市 | <county> …, one row per indicator
labelled with the catalogue's Chinese name, and notes ("注：…") under the table. A flow's figure is
its year-to-date total, a stock's its level at the end of the month (the notes say so); the bureau's
own region is the column 全市 when it is a city.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from planwatch.forms.cells import number_format_for, set_text
from planwatch.periods import Period
from planwatch.registry.load import Registry
from planwatch.registry.schema import Nature
from planwatch.reporting import ReportingDuty
from planwatch.sample.mess import (
    VALUE_KINDS,
    MessContext,
    MessKind,
    alternative_unit,
    quarantine_values,
    region_alias,
    scaled,
)
from planwatch.sample.records import Expected, Observation
from planwatch.template_format import Measure

HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
FIRST_REGION_COLUMN = 3


@dataclass(frozen=True)
class BureauRow:
    row: int
    indicator_code: str
    name: str
    unit: str
    decimals: int
    measure: Measure
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class BureauLayout:
    department_id: str
    department_name: str
    period: str
    sheet_name: str
    title: str
    region_columns: tuple[tuple[str, str], ...]  # (region_code, column label) from column C on
    rows: tuple[BureauRow, ...]

    def column_of(self, region_code: str) -> int:
        codes = [code for code, _ in self.region_columns]
        return FIRST_REGION_COLUMN + codes.index(region_code)

    def cell(self, row: BureauRow, region_code: str) -> str:
        return f"{get_column_letter(self.column_of(region_code))}{row.row}"

    @property
    def last_column(self) -> int:
        return FIRST_REGION_COLUMN + len(self.region_columns) - 1

    @property
    def last_row(self) -> int:
        return FIRST_ROW + len(self.rows) - 1


def bureau_filename(department_name: str, period: str, suffix: str = "", extension: str = ".xlsx") -> str:
    return f"{department_name}_统计月报_{period}{suffix}{extension}"


def bureau_layout(
    registry: Registry, department_id: str, period: str, duties: Sequence[ReportingDuty], decimals: Mapping[str, int]
) -> BureauLayout:
    reference = registry.reference
    department = reference.departments[department_id]
    month = Period.parse(period).month_start
    own = [duty for duty in duties if duty.department_id == department_id]
    codes = sorted(
        {code for duty in own for code in duty.region_codes}, key=lambda code: (code != department.region, code)
    )
    columns = []
    for code in codes:
        region = reference.regions.get(code)
        if code == department.region and region is not None and region.level == "city":
            label = "全市"
        else:
            label = region.name if region is not None else code
        columns.append((code, label))
    rows = []
    for duty in own:
        indicator = reference.indicators[duty.indicator_code]
        measure = Measure.period_end_value if indicator.nature is Nature.stock else Measure.ytd_value
        rows.append(
            BureauRow(
                row=FIRST_ROW + len(rows),
                indicator_code=indicator.indicator_code,
                name=indicator.name,
                unit=indicator.canonical_unit,
                decimals=decimals[indicator.indicator_code],
                measure=measure,
                region_codes=duty.region_codes,
            )
        )
    span = f"1-{month.month}月" if month.month > 1 else "1月"
    return BureauLayout(
        department_id=department_id,
        department_name=department.name,
        period=period,
        sheet_name=f"{month.year}年{month.month}月",
        title=f"{department.name}主要指标统计月报（{month.year}年{span}）",
        region_columns=tuple(columns),
        rows=tuple(rows),
    )


def build_bureau_workbook(
    layout: BureauLayout, values: Mapping[tuple[str, str, Measure], float | None]
) -> tuple[Workbook, list[Observation]]:
    """The bureau's table with its figures, and the observations it holds (cell by cell)."""
    month = Period.parse(layout.period).month_start
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = layout.sheet_name
    set_text(sheet.cell(row=1, column=1), layout.title)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=layout.last_column)
    set_text(sheet.cell(row=2, column=1), "单位：见计量单位栏")
    headers = ["指标", "计量单位", *(label for _, label in layout.region_columns)]
    for column, text in enumerate(headers, start=1):
        set_text(sheet.cell(row=HEADER_ROW, column=column), text)
        sheet.cell(row=HEADER_ROW, column=column).font = Font(bold=True)
    observations = []
    for row in layout.rows:
        set_text(sheet.cell(row=row.row, column=1), row.name)
        set_text(sheet.cell(row=row.row, column=2), row.unit)
        for region_code in row.region_codes:
            value = values.get((row.indicator_code, region_code, row.measure))
            cell = sheet.cell(row=row.row, column=layout.column_of(region_code))
            cell.value = value
            cell.number_format = number_format_for(row.decimals)
            if value is not None:
                observations.append(
                    Observation(
                        layout.sheet_name,
                        cell.coordinate,
                        row.indicator_code,
                        region_code,
                        layout.period,
                        row.measure,
                        value,
                    )
                )
    span = f"1-{month.month}月" if month.month > 1 else "1月"
    notes_row = layout.last_row + 2
    set_text(
        sheet.cell(row=notes_row, column=1),
        f"注：1. 流量指标为{month.year}年{span}累计数，存量指标为{month.month}月末数。2. 本表为快报数据，以年报为准。",
    )
    set_text(sheet.cell(row=notes_row + 1, column=1), f"资料来源：{layout.department_name}")
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 10
    for column in range(FIRST_REGION_COLUMN, layout.last_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    return workbook, observations


def mess_bureau(context: MessContext, workbook: Workbook, layout: BureauLayout, kinds: list[MessKind]) -> None:
    """The kinds a bureau's table shows: other units, region aliases, single figures, rows to quarantine."""
    sheet = workbook[layout.sheet_name]
    name = layout.sheet_name
    if not layout.rows:
        return
    if MessKind.unit_changed in kinds:
        rows = [row for row in layout.rows if alternative_unit(context.reference, row.unit)]
        if rows:
            row = context.rng.choice(rows)
            other_unit = alternative_unit(context.reference, row.unit) or row.unit
            set_text(sheet.cell(row=row.row, column=2), other_unit)
            context.record(MessKind.unit_changed, Expected.read, name, f"B{row.row}", indicator_code=row.indicator_code)
            for observation in context.untouched():
                if observation.indicator_code != row.indicator_code:
                    continue
                value = context.grid.get(name, observation.cell)
                if isinstance(value, int | float):
                    context.grid.set(
                        name, observation.cell, scaled(context.reference, float(value), row.unit, other_unit)
                    )
                    sheet[observation.cell].number_format = "General"
                context.record(
                    MessKind.unit_changed, Expected.read, name, observation.cell, observation, observation.value
                )
    if MessKind.region_alias in kinds:
        region_code, _ = context.rng.choice(layout.region_columns)
        column = layout.column_of(region_code)
        region = context.reference.regions.get(region_code)
        alias = region_alias(context.reference, region_code, context.rng)
        if region is not None and region.code == context.reference.departments[layout.department_id].region:
            alias = region.name + "  "  # a city bureau writing its own name instead of 全市
        set_text(sheet.cell(row=HEADER_ROW, column=column), alias)
        context.record(
            MessKind.region_alias,
            Expected.read,
            name,
            f"{get_column_letter(column)}{HEADER_ROW}",
            region_code=region_code,
        )
    for kind, apply in VALUE_KINDS.items():
        if kind in kinds:
            apply(context)
    if MessKind.quarantine_rows in kinds:
        # Only figures: an unknown region here is a column header, which ingestion ignores, not a row.
        quarantine_values(context)
    if MessKind.merged_title in kinds:
        for merged in [str(span) for span in sheet.merged_cells.ranges if span.min_row == 1]:
            sheet.unmerge_cells(merged)
        end = context.rng.choice([column for column in (2, 4, layout.last_column + 2) if column != layout.last_column])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=end)
        context.record(MessKind.merged_title, Expected.ignored, name, "A1")
