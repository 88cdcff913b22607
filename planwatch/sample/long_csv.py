"""A department's figures as a statistics-system export: the `stats_system_long_csv` layout.

One observation per row with the columns 指标名称, 地区, 时期 (YYYY-MM), 数值, 单位, 口径, encoded GBK
(GB18030 when a name has a character GBK lacks) with Windows line ends, as such exports come. The
口径 words are the layout's `measure_labels`; the prior-year measures have none, so the export
carries only the month, year-to-date and period-end figures.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from planwatch.forms.cells import csv_safe
from planwatch.forms.layout import TemplateLayout
from planwatch.registry.reference import ReferenceData
from planwatch.sample.grids import CsvGrid, csv_cell
from planwatch.sample.mess import (
    UNKNOWN_REGIONS,
    VALUE_KINDS,
    MessContext,
    MessKind,
    alternative_unit,
    as_text,
    quarantine_values,
    region_alias,
    scaled,
)
from planwatch.sample.records import Expected, Observation
from planwatch.template_format import Measure

HEADER = ["指标名称", "地区", "时期", "数值", "单位", "口径"]
VALUE_COLUMN = "数值"
MEASURE_WORDS: dict[Measure, str] = {
    Measure.month_value: "当月",
    Measure.ytd_value: "累计",
    Measure.period_end_value: "期末",
}


def csv_filename(department_name: str, period: str, suffix: str = "") -> str:
    return f"{department_name}_{period}_数据导出{suffix}.csv"


def build_long_csv(
    layout: TemplateLayout, values: Mapping[tuple[str, str, Measure], float | str | None]
) -> tuple[CsvGrid, list[Observation]]:
    grid = CsvGrid(list(HEADER))
    observations = []
    for data_sheet in layout.data_sheets:
        for region_code, region_name in zip(data_sheet.region_codes, data_sheet.region_names, strict=True):
            for measure in data_sheet.measures:
                value = values.get((data_sheet.indicator_code, region_code, measure))
                if measure not in MEASURE_WORDS or value is None:
                    continue
                line = grid.append(
                    {
                        "指标名称": data_sheet.indicator_name,
                        "地区": region_name,
                        "时期": layout.period,
                        # a clerk's mistake typed as words (约三百, planwatch.sample.mistakes) stays as typed
                        VALUE_COLUMN: value
                        if isinstance(value, str)
                        else as_text(value, data_sheet.decimals, thousands=False),
                        "单位": data_sheet.canonical_unit,
                        "口径": MEASURE_WORDS[measure],
                    }
                )
                observations.append(
                    Observation(
                        "",
                        csv_cell(line, VALUE_COLUMN),
                        data_sheet.indicator_code,
                        region_code,
                        layout.period,
                        measure,
                        value,
                    )
                )
    return grid, observations


def csv_bytes(grid: CsvGrid) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(grid.header)
    writer.writerows(grid.rows)
    text = buffer.getvalue()
    try:
        return text.encode("gbk")
    except UnicodeEncodeError:
        return text.encode("gb18030")


def mess_long_csv(
    context: MessContext, grid: CsvGrid, layout: TemplateLayout, kinds: Sequence[MessKind], reference: ReferenceData
) -> None:
    sheets = {sheet.indicator_code: sheet for sheet in layout.data_sheets}
    if MessKind.unit_changed in kinds:
        codes = sorted(code for code, sheet in sheets.items() if alternative_unit(reference, sheet.canonical_unit))
        if codes:
            code = context.rng.choice(codes)
            unit = sheets[code].canonical_unit
            other_unit = alternative_unit(reference, unit) or unit
            for observation in context.untouched():
                if observation.indicator_code != code:
                    continue
                line = int(observation.cell.split(":")[0])
                value = grid.get("", observation.cell)
                if isinstance(value, float):
                    grid.set("", observation.cell, scaled(reference, value, unit, other_unit))
                grid.set("", csv_cell(line, "单位"), other_unit)
                context.record(
                    MessKind.unit_changed, Expected.read, "", observation.cell, observation, observation.value
                )
    if MessKind.region_alias in kinds:
        candidates = context.untouched()
        if candidates:
            region_code = context.rng.choice(candidates).region_code
            alias = region_alias(reference, region_code, context.rng)
            for observation in context.file.observations:
                if observation.region_code == region_code:
                    line = int(observation.cell.split(":")[0])
                    grid.set("", csv_cell(line, "地区"), csv_safe(alias))
                    context.record(
                        MessKind.region_alias, Expected.read, "", csv_cell(line, "地区"), region_code=region_code
                    )
    for kind, apply in VALUE_KINDS.items():
        if kind in kinds:
            apply(context)
    if MessKind.quarantine_rows in kinds:
        quarantine_values(context)
        if layout.data_sheets:
            data_sheet = context.rng.choice(layout.data_sheets)
            measure = next((m for m in data_sheet.measures if m in MEASURE_WORDS), data_sheet.measures[0])
            line = grid.append(
                {
                    "指标名称": data_sheet.indicator_name,
                    "地区": context.rng.choice(UNKNOWN_REGIONS),
                    "时期": layout.period,
                    VALUE_COLUMN: as_text(context.rng.uniform(0.5, 20), data_sheet.decimals, thousands=False),
                    "单位": data_sheet.canonical_unit,
                    "口径": MEASURE_WORDS.get(measure, "累计"),
                }
            )
            context.record(
                MessKind.quarantine_rows,
                Expected.quarantine,
                "",
                csv_cell(line, VALUE_COLUMN),
                indicator_code=data_sheet.indicator_code,
                measure=measure.value,
            )
