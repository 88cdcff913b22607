"""What each indicator's figures may plausibly be, derived from the registry and planwatch.toml.

Per indicator: whether it counts things one by one (an integer), is a percentage, can slip by a unit
step of 10⁴ (元/万元/亿元, 吨/万吨, 亩/万亩, 头/万头), the catalogue's declared bounds, the range factor and
the jump share. Per (indicator, region): the plan's own scale, from the baselines and the targets stated
as a level of the statistic (level, cumulative, rate, ratio; not a growth rate or an addition), in the
indicator's unit. A region without a target of its own takes the scale of the region above it for its
upper bound (a county cannot report more than ten times its city's target) and none for its lower bound
(a county's share of its city can be small). `review.py` scales these to the measure (a month of a flow,
a year-to-date) and applies the factor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import duckdb
import pandas as pd

from planwatch.config import Settings
from planwatch.registry.load import Registry
from planwatch.registry.reference import IncompatibleUnitsError, ReferenceData, UnknownUnitError
from planwatch.registry.schema import Frequency, Indicator, Nature, TargetKind

LEVEL_KINDS = (TargetKind.level, TargetKind.cumulative, TargetKind.rate, TargetKind.ratio)
NO_SLIP_DIMENSIONS = {"count", "percent", "ratio", "years"}  # 个 vs 万个 is not a slip clerks make
ADDITIVE_DIMENSIONS = {"currency", "mass", "area", "head", "count"}  # a flow of these adds up over months
FREQUENCY_MONTHS = {Frequency.monthly: 1, Frequency.quarterly: 3, Frequency.annual: 12}
UNIT_STEPS = (1e4, 1e8)

INDICATOR_TABLE = "plausibility_indicators"
SCALE_TABLE = "plausibility_scales"
DEPARTMENT_TABLE = "plausibility_departments"  # which departments are statistics bureaus
DUTY_TABLE = "plausibility_duties"  # which department is asked to report which indicator


@dataclass(frozen=True)
class Thresholds:
    """planwatch.toml's plausibility thresholds, as the review applies them."""

    range_factor: float
    unit_slip_tolerance: float
    year_on_year_jump_share: float
    department_disagreement_tolerance: float
    unchanged_months: int
    # which source's figure is a month's current one, as the marts take it (source_precedence): the
    # source ranked first ('' for none), and the indicators whose own order says otherwise
    first_source: str = "statistics"
    first_source_by_indicator: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, config: Settings) -> Thresholds:
        return cls(
            config.plausible_range_factor,
            config.unit_slip_tolerance,
            config.year_on_year_jump_share,
            config.department_disagreement_tolerance,
            config.unchanged_months,
            config.source_precedence[0].value if config.source_precedence else "",
            tuple(
                sorted(
                    (code, order[0].value if order else "")
                    for code, order in config.source_precedence_by_indicator.items()
                )
            ),
        )


def _canonical_dimension(reference: ReferenceData, indicator: Indicator) -> str | None:
    table = reference.unit_table
    return table.lookup(indicator.canonical_unit).dimension if table.knows(indicator.canonical_unit) else None


def can_slip(reference: ReferenceData, indicator: Indicator) -> bool:
    """A unit 10⁴ or 10⁸ away from the canonical one exists in its dimension (元 → 万元 → 亿元)."""
    table = reference.unit_table
    if not table.knows(indicator.canonical_unit):
        return False
    canonical = table.lookup(indicator.canonical_unit)
    if canonical.dimension in NO_SLIP_DIMENSIONS:
        return False
    for other in table.units.values():
        if other.dimension != canonical.dimension:
            continue
        ratio = max(other.factor, canonical.factor) / min(other.factor, canonical.factor)
        if any(abs(ratio / step - 1) < 1e-9 for step in UNIT_STEPS):
            return True
    return False


def counts_one_by_one(reference: ReferenceData, indicator: Indicator) -> bool:
    """Things counted one by one in the canonical unit (个, 家, 项, 头, 只): a figure is a whole number."""
    table = reference.unit_table
    if not table.knows(indicator.canonical_unit):
        return False
    unit = table.lookup(indicator.canonical_unit)
    return unit.dimension in {"count", "head"} and unit.factor == 1


def indicator_frame(registry: Registry, thresholds: Thresholds) -> pd.DataFrame:
    reference = registry.reference
    first_sources = dict(thresholds.first_source_by_indicator)
    rows = []
    for code, indicator in sorted(reference.indicators.items()):
        dimension = _canonical_dimension(reference, indicator)
        rows.append(
            {
                "indicator_code": code,
                "nature": indicator.nature.value,
                "frequency_months": FREQUENCY_MONTHS[indicator.frequency],
                "is_count": counts_one_by_one(reference, indicator),
                "is_percent": dimension == "percent",
                "can_slip": can_slip(reference, indicator),
                "has_lower_bound": dimension is not None and dimension not in NO_SLIP_DIMENSIONS,
                "declared_min": indicator.plausible_min,
                "declared_max": indicator.plausible_max,
                "range_factor": indicator.plausibility_factor or thresholds.range_factor,
                "jump_share": indicator.month_over_month_change_limit,
                "is_stock": indicator.nature is Nature.stock,
                # a flow whose months add up to its year-to-date (产值, 产量), not a rate over a period (%, 吨/日)
                "is_additive_flow": indicator.nature is Nature.flow and dimension in ADDITIVE_DIMENSIONS,
                "first_source": first_sources.get(code, thresholds.first_source),
            }
        )
    return pd.DataFrame(rows)


def _canonical(reference: ReferenceData, value: float, unit: str, indicator: Indicator) -> float | None:
    try:
        return reference.unit_table.convert(value, unit, indicator.canonical_unit)
    except (UnknownUnitError, IncompatibleUnitsError):
        return None


def plan_levels(registry: Registry, with_additions: bool = False) -> dict[tuple[str, str], list[float]]:
    """(indicator, region) → the levels its plans state for it, in the indicator's canonical unit.

    `with_additions` counts an addition target (新增40万亩) as a level too: the figure may be the running
    count of what was added, which grows to it; it may also be a total far above it, so additions set
    how far a figure may rise as planned, never its plausible range.
    """
    reference = registry.reference
    levels: dict[tuple[str, str], list[float]] = defaultdict(list)
    for plan in registry.plans.values():
        for target in plan.targets:
            indicator = reference.indicators.get(target.indicator_code)
            if indicator is None:
                continue
            stated = []
            if target.kind in LEVEL_KINDS or (with_additions and target.kind is TargetKind.new_additions):
                stated.append(target.target_value)
                if target.baseline_value is not None:
                    stated.append(target.baseline_value)
            for value in stated:
                canonical = _canonical(reference, value, target.unit, indicator)
                if canonical is not None and canonical > 0:
                    levels[(target.indicator_code, target.region)].append(canonical)
    return levels


def scale_frame(registry: Registry) -> pd.DataFrame:
    """Per (indicator, region): the upper scale (its own levels, else its ancestors', else the sum of its
    descendants'), the lower scale (its own levels only) and the planned level (the upper scale with the
    addition targets: how high the plan means the figure to rise)."""
    reference = registry.reference
    scales: dict[tuple[str, str], dict[str, float | None]] = defaultdict(dict)
    for name, levels in (("scale", plan_levels(registry)), ("planned", plan_levels(registry, with_additions=True))):
        by_indicator: dict[str, dict[str, list[float]]] = defaultdict(dict)
        for (indicator_code, region_code), values in levels.items():
            by_indicator[indicator_code][region_code] = values
        for indicator_code, regions in sorted(by_indicator.items()):
            for region_code in sorted(reference.regions):
                own = regions.get(region_code, [])
                above = [v for code in reference.ancestors_and_self(region_code)[1:] for v in regions.get(code, [])]
                below = [
                    max(regions[c]) for c in reference.descendants_and_self(region_code) - {region_code} if c in regions
                ]
                high = max(own + above) if own or above else (sum(below) if below else None)
                if high is None:
                    continue
                entry = scales[(indicator_code, region_code)]
                if name == "scale":
                    entry["scale_high"], entry["scale_low"] = high, (min(own) if own else None)
                else:
                    entry["planned_high"] = high
    columns = ["indicator_code", "region_code", "scale_high", "scale_low", "planned_high"]
    rows = [{"indicator_code": key[0], "region_code": key[1], **entry} for key, entry in sorted(scales.items())]
    return pd.DataFrame(rows, columns=columns).astype(
        {"scale_high": "float64", "scale_low": "float64", "planned_high": "float64"}
    )


def department_frame(registry: Registry) -> pd.DataFrame:
    """Each department, and whether it is a statistics bureau (its name holds 统计局, as
    stg_ingest__observations reads it)."""
    departments = registry.reference.departments
    rows = [(code, "统计局" in department.name) for code, department in sorted(departments.items())]
    return pd.DataFrame(rows, columns=["department_id", "is_statistics"])


def duty_frame(registry: Registry) -> pd.DataFrame:
    from planwatch.reporting import duty_pairs

    return pd.DataFrame(sorted(duty_pairs(registry)), columns=["department_id", "indicator_code"])


def register(connection: duckdb.DuckDBPyConnection, registry: Registry, thresholds: Thresholds) -> None:
    """The registry's tables the review joins, as temporary tables of the connection."""
    indicators = indicator_frame(registry, thresholds)  # noqa: F841 (read by DuckDB by name)
    scales = scale_frame(registry)  # noqa: F841
    departments = department_frame(registry)  # noqa: F841
    duties = duty_frame(registry)  # noqa: F841
    connection.execute(f"create or replace temp table {INDICATOR_TABLE} as select * from indicators")
    connection.execute(f"create or replace temp table {SCALE_TABLE} as select * from scales")
    connection.execute(f"create or replace temp table {DEPARTMENT_TABLE} as select * from departments")
    connection.execute(f"create or replace temp table {DUTY_TABLE} as select * from duties")
