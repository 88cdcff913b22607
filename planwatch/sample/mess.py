"""The ways real department files are messy, applied to a sample file and recorded cell by cell.

A file chosen for mess (about `--mess RATE` of them) gets one or more `MessKind`s. The kinds that
change single figures (numbers as text, full-width digits, blanks, values to quarantine) work the
same on a workbook and on a CSV file through a `Grid`; the kinds that change a file's structure live
with the writer of that layout (`template_mess`, `stats_bureau`, `long_csv`). Every changed cell is
recorded as a `MessyCell` with the outcome ingestion should reach, and an observation that is no
longer readable is taken out of the file's truth.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from planwatch.registry.reference import ReferenceData
from planwatch.sample.records import Expected, MessyCell, Observation, SampleFile


class MessKind(StrEnum):
    numbers_as_text = "numbers_as_text"  # "12,345.6" typed as text
    full_width_digits = "full_width_digits"  # "１２３．４"
    unit_changed = "unit_changed"  # a header (or unit cell) in another unit, values scaled to match
    region_alias = "region_alias"  # another name for a region, trailing spaces, 地区编码 blanked
    missing_values = "missing_values"  # blank or "—" where a figure is due
    total_row = "total_row"  # an added 合计 row
    extra_columns = "extra_columns"  # 填报人, 联系电话 added
    renamed_sheet = "renamed_sheet"  # a data sheet renamed ("Sheet1", a short name)
    merged_title = "merged_title"  # the title merged over a different span
    xls_file = "xls_file"  # saved as Excel 97-2003 .xls
    gbk_csv = "gbk_csv"  # the figures sent as a GBK long-layout CSV instead of the template
    correction = "correction"  # a resubmission (_更正) correcting last month
    quarantine_rows = "quarantine_rows"  # "约三百", an unknown region, a negative value
    percent_typed = "percent_typed"  # "72.34%" typed into a % column: Excel keeps 0.7234, shown as a percentage
    hidden_row = "hidden_row"  # a region's row hidden by the clerk (not by a filter): its figures are not taken
    excel_error = "excel_error"  # #DIV/0! or a formula saved without its result where a figure is due


TEMPLATE_KINDS = (
    MessKind.numbers_as_text,
    MessKind.full_width_digits,
    MessKind.unit_changed,
    MessKind.region_alias,
    MessKind.missing_values,
    MessKind.total_row,
    MessKind.extra_columns,
    MessKind.renamed_sheet,
    MessKind.merged_title,
    MessKind.xls_file,
    MessKind.gbk_csv,
    MessKind.correction,
    MessKind.quarantine_rows,
    MessKind.percent_typed,
    MessKind.hidden_row,
    MessKind.excel_error,
)
BUREAU_KINDS = (
    MessKind.numbers_as_text,
    MessKind.full_width_digits,
    MessKind.unit_changed,
    MessKind.region_alias,
    MessKind.missing_values,
    MessKind.merged_title,
    MessKind.xls_file,
    MessKind.correction,
    MessKind.quarantine_rows,
)
CSV_KINDS = (
    MessKind.gbk_csv,
    MessKind.numbers_as_text,
    MessKind.full_width_digits,
    MessKind.unit_changed,
    MessKind.region_alias,
    MessKind.missing_values,
    MessKind.correction,
    MessKind.quarantine_rows,
)
MILESTONE_ONLY_KINDS = (MessKind.xls_file,)
# Kinds that only a template with data sheets can show are drawn more often, so that a sample of a
# few years shows every kind even where most files are statistics-bureau tables.
KIND_WEIGHTS = {
    MessKind.gbk_csv: 2.5,
    MessKind.extra_columns: 2.0,
    MessKind.renamed_sheet: 2.0,
    MessKind.total_row: 2.0,
    MessKind.percent_typed: 2.0,
    MessKind.hidden_row: 2.0,
    MessKind.excel_error: 2.0,
    MessKind.xls_file: 0.7,
}

_FULL_WIDTH = str.maketrans("0123456789.-,", "０１２３４５６７８９．－，")
NOT_A_NUMBER = ("约三百", "待核实", "三百左右", "见备注", "1.2万左右")  # none is a placeholder like "—"
UNKNOWN_REGIONS = ("工业园区", "高新技术产业开发区", "示范区（筹）", "其他乡镇")
NO_SPACE_UNITS = {"count", "percent", "ratio"}  # changing 个 to 家 or % to ‰ is not a unit slip clerks make


def choose_kinds(
    rng: random.Random, rate: float, available: Sequence[MessKind], used: Counter[MessKind] | None = None
) -> list[MessKind]:
    """None with probability 1 - rate; otherwise one kind, sometimes two or three. The first is one of the
    kinds chosen least so far (counted in `used`), so that a sample of a few years shows every kind
    several times however many kinds there are; the others are drawn by KIND_WEIGHTS."""
    if not available or rng.random() >= rate:
        return []
    count = 1 + (rng.random() < 0.35) + (rng.random() < 0.15)
    pool = list(available)
    kinds: list[MessKind] = []
    if used is not None:
        fewest = min(used[kind] for kind in pool)
        kinds.append(rng.choice([kind for kind in pool if used[kind] == fewest]))
        pool.remove(kinds[0])
    while pool and len(kinds) < count:
        kind = rng.choices(pool, weights=[KIND_WEIGHTS.get(each, 1.0) for each in pool])[0]
        kinds.append(kind)
        pool.remove(kind)
    if MessKind.gbk_csv in kinds:
        kinds = [kind for kind in kinds if kind in CSV_KINDS]
    if used is not None:
        used.update(kinds)
    return kinds


class Grid(Protocol):
    """Cell access the value-level kinds need, for a workbook and a CSV file alike."""

    def get(self, sheet: str, cell: str) -> object: ...

    def set(self, sheet: str, cell: str, value: object) -> None: ...


@dataclass
class MessContext:
    rng: random.Random
    file: SampleFile
    grid: Grid
    reference: ReferenceData
    decimals: Mapping[str, int]  # indicator_code → decimal places reported
    touched: set[tuple[str, str]] = field(default_factory=set)

    def record(
        self,
        kind: MessKind,
        expected: Expected,
        sheet: str,
        cell: str,
        observation: Observation | None = None,
        clean_value: float | None = None,
        region_code: str | None = None,
        indicator_code: str | None = None,
        measure: str | None = None,
    ) -> None:
        self.touched.add((sheet, cell))
        self.file.messy_cells.append(
            MessyCell(
                sheet=sheet,
                cell=cell,
                mess_kind=kind.value,
                expected=expected,
                indicator_code=observation.indicator_code if observation else indicator_code,
                region_code=observation.region_code if observation else region_code,
                period=observation.period if observation else self.file.period,
                measure=observation.measure.value if observation else measure,
                clean_value=clean_value,
            )
        )

    def untouched(self) -> list[Observation]:
        return [item for item in self.file.observations if (item.sheet, item.cell) not in self.touched]

    def drop(self, observation: Observation) -> None:
        self.file.observations.remove(observation)


def plain_decimals(value: float, at_least: int) -> int:
    """Decimal places that show `value` without losing digits (a scaled value may need more)."""
    text = f"{round(value, 6):.6f}".rstrip("0")
    return max(at_least, len(text.split(".")[1]) if "." in text else 0)


def as_text(value: float, decimals: int, thousands: bool) -> str:
    places = plain_decimals(value, decimals)
    return f"{value:,.{places}f}" if thousands else f"{value:.{places}f}"


def alternative_unit(reference: ReferenceData, unit: str) -> str | None:
    """A unit of the same dimension a clerk might report in instead (亿元 → 万元, 万吨 → 吨)."""
    table = reference.unit_table
    if not table.knows(unit):
        return None
    canonical = table.lookup(unit)
    if canonical.dimension in NO_SPACE_UNITS:
        return None
    others = [
        other
        for other in table.units.values()
        if other.dimension == canonical.dimension and other.factor != canonical.factor
    ]
    if not others:
        return None
    # Prefer a unit 10^4 away (万 ↔ 亿, 吨 ↔ 万吨), the slip seen most in practice.
    best = min(others, key=lambda other: (abs(abs(math.log10(other.factor / canonical.factor)) - 4), other.unit))
    return best.unit


def scaled(reference: ReferenceData, value: float, unit: str, other_unit: str) -> float:
    return round(reference.unit_table.convert(value, unit, other_unit), 6)


def region_alias(reference: ReferenceData, region_code: str, rng: random.Random) -> str:
    """Another name for the region that still resolves to it, with the trailing spaces of a paste."""
    region = reference.regions.get(region_code)
    if region is None:
        return region_code + "  "
    usable = [
        alias for alias in region.aliases if (found := reference.resolve_region(alias)) and found.code == region_code
    ]
    name = rng.choice(usable) if usable else region.name
    return name + rng.choice(("  ", " ", "\u3000"))


# ---- kinds that change single figures (any layout) ----------------------------------------------


def numeric(context: MessContext, observation: Observation) -> float | None:
    value = context.grid.get(observation.sheet, observation.cell)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def numbers_as_text(context: MessContext) -> None:
    candidates = [item for item in context.untouched() if numeric(context, item) is not None]
    large = [item for item in candidates if abs(numeric(context, item) or 0) >= 1000]
    pool = large or candidates
    for observation in context.rng.sample(pool, min(len(pool), context.rng.randint(1, 4))):
        value = numeric(context, observation) or 0.0
        text = as_text(value, context.decimals[observation.indicator_code], thousands=True)
        context.grid.set(observation.sheet, observation.cell, text)
        context.record(
            MessKind.numbers_as_text, Expected.read, observation.sheet, observation.cell, observation, observation.value
        )


def full_width_digits(context: MessContext) -> None:
    candidates = [item for item in context.untouched() if numeric(context, item) is not None]
    for observation in context.rng.sample(candidates, min(len(candidates), context.rng.randint(1, 3))):
        value = numeric(context, observation) or 0.0
        text = as_text(value, context.decimals[observation.indicator_code], thousands=False).translate(_FULL_WIDTH)
        context.grid.set(observation.sheet, observation.cell, text)
        context.record(
            MessKind.full_width_digits,
            Expected.read,
            observation.sheet,
            observation.cell,
            observation,
            observation.value,
        )


def missing_values(context: MessContext) -> None:
    candidates = context.untouched()
    for observation in context.rng.sample(candidates, min(len(candidates), context.rng.randint(1, 3))):
        context.grid.set(observation.sheet, observation.cell, context.rng.choice((None, "—", "-")))
        context.record(MessKind.missing_values, Expected.ignored, observation.sheet, observation.cell, observation)
        context.drop(observation)


def row_of(cell: str) -> int:
    """The row (or CSV line) of a cell address: "C5" → 5, "5:数值" → 5."""
    if ":" in cell:
        return int(cell.split(":", 1)[0])
    return int("".join(ch for ch in cell if ch.isdigit()))


def clean_rows(context: MessContext) -> dict[tuple[str, int], list[Observation]]:
    """The rows (sheet, row or CSV line) none of whose figures an earlier kind or a mistake touched, with
    their figures, in the order the file holds them."""
    rows: dict[tuple[str, int], list[Observation]] = {}
    for observation in context.file.observations:
        rows.setdefault((observation.sheet, row_of(observation.cell)), []).append(observation)
    return {
        key: members
        for key, members in rows.items()
        if all((item.sheet, item.cell) not in context.touched for item in members)
    }


def set_aside(context: MessContext, kind: MessKind, members: list[Observation]) -> None:
    """Every figure of a row ingestion must quarantine: recorded so, and out of the truth."""
    for observation in members:
        context.record(kind, Expected.quarantine, observation.sheet, observation.cell, observation, observation.value)
        context.drop(observation)


def quarantine_values(context: MessContext) -> None:
    """A figure that is not a number, or negative where a statistic cannot be.

    Ingestion sets the whole row aside, so every figure of the row is recorded as quarantined and
    leaves the truth; rows with a figure an earlier kind changed are not chosen.
    """
    rows = clean_rows(context)
    for key in context.rng.sample(list(rows), min(len(rows), context.rng.randint(1, 2))):
        members = rows[key]
        spoiled = context.rng.choice(members)
        if context.rng.random() < 0.5:
            value: object = context.rng.choice(NOT_A_NUMBER)
        else:
            current = numeric(context, spoiled) or 0.0
            value = -abs(current) if current else -1.0
        context.grid.set(spoiled.sheet, spoiled.cell, value)
        set_aside(context, MessKind.quarantine_rows, members)


VALUE_KINDS = {
    MessKind.numbers_as_text: numbers_as_text,
    MessKind.full_width_digits: full_width_digits,
    MessKind.missing_values: missing_values,
}
