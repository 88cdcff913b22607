"""Where every figure of a department's template goes: sheets, rows and columns, from its duties.

The template writer and the sample generator both place figures through a `TemplateLayout`, so a
cell address the sample records is exactly where the writer put the figure. The layout follows
`planwatch.template_format`: header in row `HEADER_ROW`, one data row per region below it,
地区 | 地区编码 | one column per measure | 备注.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from planwatch.forms.cells import decimals_for, excel_sheet_name
from planwatch.plausibility.expectations import counts_one_by_one
from planwatch.registry.load import Registry
from planwatch.registry.reference import UnitTable
from planwatch.reporting import MilestoneDuty, ReportingDuty, milestone_duties, reporting_duties
from planwatch.template_format import (
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    MEASURE_LABELS,
    META_SHEET,
    MILESTONE_SHEET,
    Measure,
)

FIRST_DATA_ROW = HEADER_ROW + 1
REGION_COLUMN = 1
REGION_CODE_COLUMN = 2
FIRST_MEASURE_COLUMN = 3


@dataclass(frozen=True)
class DataSheetLayout:
    """One indicator's sheet: its position, name, unit, measures (columns) and regions (rows)."""

    sheet_index: int  # 0-based position among the workbook's sheets
    sheet_name: str
    indicator_code: str
    indicator_name: str
    canonical_unit: str
    decimals: int
    measures: tuple[Measure, ...]
    region_codes: tuple[str, ...]
    region_names: tuple[str, ...]
    plan_ids: tuple[str, ...]
    plausible_min: float | None
    plausible_max: float | None
    counted: bool  # things counted one by one (个, 家, 头): a figure is a whole number
    percent: bool  # the canonical unit is a percentage (its catalogue bounds are what a share can be)

    def measure_column(self, measure: Measure) -> int:
        return FIRST_MEASURE_COLUMN + self.measures.index(measure)

    @property
    def remark_column(self) -> int:
        return FIRST_MEASURE_COLUMN + len(self.measures)

    @property
    def last_data_row(self) -> int:
        return FIRST_DATA_ROW + len(self.region_codes) - 1

    def region_row(self, region_code: str) -> int:
        return FIRST_DATA_ROW + self.region_codes.index(region_code)

    def cell(self, region_code: str, measure: Measure) -> str:
        """A1 address of the figure of a region and measure."""
        return f"{get_column_letter(self.measure_column(measure))}{self.region_row(region_code)}"

    def measure_header(self, measure: Measure, unit: str | None = None) -> str:
        return f"{MEASURE_LABELS[measure]}（{unit or self.canonical_unit}）"


@dataclass(frozen=True)
class MilestoneRowLayout:
    row: int
    milestone_id: str
    plan_id: str
    project: str
    description: str
    deadline: dt.date
    region_code: str | None


@dataclass(frozen=True)
class TemplateLayout:
    department_id: str
    department_name: str
    period: str
    data_sheets: tuple[DataSheetLayout, ...]
    milestones: tuple[MilestoneRowLayout, ...]

    @property
    def sheet_names(self) -> list[str]:
        """Every sheet in workbook order, the hidden meta sheet last."""
        names = [INSTRUCTIONS_SHEET, *(sheet.sheet_name for sheet in self.data_sheets)]
        if self.milestones:
            names.append(MILESTONE_SHEET)
        return [*names, META_SHEET]

    def sheet_for(self, indicator_code: str) -> DataSheetLayout:
        for sheet in self.data_sheets:
            if sheet.indicator_code == indicator_code:
                return sheet
        raise KeyError(f"{self.department_id} reports no {indicator_code} in {self.period}")


def _dimension(unit_table: UnitTable, unit: str) -> str | None:
    return unit_table.lookup(unit).dimension if unit_table.knows(unit) else None


def reporting_departments(
    registry: Registry,
    period: str,
    duties: Sequence[ReportingDuty] | None = None,
    milestones: Sequence[MilestoneDuty] | None = None,
) -> list[str]:
    """Departments with anything to report in the month, in id order."""
    duties = reporting_duties(registry, period) if duties is None else duties
    milestones = milestone_duties(registry, period) if milestones is None else milestones
    return sorted({duty.department_id for duty in duties} | {duty.department_id for duty in milestones})


def template_layout(
    registry: Registry,
    department_id: str,
    period: str,
    duties: Sequence[ReportingDuty] | None = None,
    milestones: Sequence[MilestoneDuty] | None = None,
) -> TemplateLayout:
    """The layout of a department's template for the month; pass the month's duties to save work."""
    reference = registry.reference
    duties = reporting_duties(registry, period) if duties is None else duties
    milestones = milestone_duties(registry, period) if milestones is None else milestones
    taken = {INSTRUCTIONS_SHEET, MILESTONE_SHEET, META_SHEET}
    sheets = []
    for duty in (duty for duty in duties if duty.department_id == department_id):
        indicator = reference.indicators[duty.indicator_code]
        name = excel_sheet_name(indicator.name, taken)
        taken.add(name)
        sheets.append(
            DataSheetLayout(
                sheet_index=len(sheets) + 1,
                sheet_name=name,
                indicator_code=indicator.indicator_code,
                indicator_name=indicator.name,
                canonical_unit=indicator.canonical_unit,
                decimals=decimals_for(reference.unit_table, indicator.canonical_unit),
                measures=duty.measures,
                region_codes=duty.region_codes,
                region_names=tuple(
                    reference.regions[code].name if code in reference.regions else code for code in duty.region_codes
                ),
                plan_ids=duty.plan_ids,
                plausible_min=indicator.plausible_min,
                plausible_max=indicator.plausible_max,
                counted=counts_one_by_one(reference, indicator),
                percent=_dimension(reference.unit_table, indicator.canonical_unit) == "percent",
            )
        )
    rows = []
    for duty in (duty for duty in milestones if duty.department_id == department_id):
        milestone = next(m for m in registry.plans[duty.plan_id].milestones if m.milestone_id == duty.milestone_id)
        rows.append(
            MilestoneRowLayout(
                row=FIRST_DATA_ROW + len(rows),
                milestone_id=milestone.milestone_id,
                plan_id=duty.plan_id,
                project=milestone.project,
                description=milestone.description,
                deadline=milestone.deadline,
                region_code=milestone.region,
            )
        )
    department = reference.departments[department_id]
    return TemplateLayout(department_id, department.name, period, tuple(sheets), tuple(rows))
