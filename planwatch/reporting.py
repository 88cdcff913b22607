"""Who reports what, when: the reporting duties that templates, sample data and completeness share.

A department reports an indicator for the regions of the targets it leads. A target with no lead
unit is reported by the plan's statistics bureau (`statistics_unit`) when its indicator is a monthly
flow, else by the plan's `reporting_unit`. A ratio target is reported through its two components.
Monthly indicators are due every month, quarterly ones in March, June, September and December,
annual ones in December; a plan's duties run from its start to December of its last
target year (a growth target's base year is reported through the prior-year measures).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from planwatch.periods import Period
from planwatch.registry.load import Registry
from planwatch.registry.schema import Frequency, Milestone, Nature, Plan, Target
from planwatch.template_format import FLOW_MEASURES, STOCK_MEASURES, Measure


@dataclass(frozen=True)
class ReportingDuty:
    department_id: str
    indicator_code: str
    region_codes: tuple[str, ...]
    measures: tuple[Measure, ...]
    plan_ids: tuple[str, ...]


@dataclass(frozen=True)
class MilestoneDuty:
    department_id: str
    plan_id: str
    milestone_id: str


def is_due(frequency: Frequency, month: int) -> bool:
    if frequency is Frequency.monthly:
        return True
    if frequency is Frequency.quarterly:
        return month % 3 == 0
    return month == 12


def plan_active(plan: Plan, month_start: dt.date) -> bool:
    last_year = max([target.target_year for target in plan.targets] + [plan.period_end.year])
    first = plan.period_start.replace(day=1)
    return first <= month_start <= dt.date(last_year, 12, 1)


def measures_for(nature: Nature, frequency: Frequency) -> tuple[Measure, ...]:
    if nature is Nature.stock:
        return STOCK_MEASURES
    if frequency is Frequency.monthly:
        return FLOW_MEASURES
    return (Measure.ytd_value, Measure.prior_year_ytd_value)


def _department_of(
    registry: Registry, plan: Plan, spelling: str | None, indicator_code: str | None = None
) -> str | None:
    """The lead unit; else the statistics bureau for a monthly flow; else the plan's reporting unit."""
    fallback = plan.reporting_unit
    if indicator_code is not None and plan.statistics_unit:
        indicator = registry.reference.indicators[indicator_code]
        if indicator.nature is Nature.flow and indicator.frequency is Frequency.monthly:
            fallback = plan.statistics_unit
    for candidate in (spelling, fallback):
        if candidate:
            matches = registry.reference.resolve_department(candidate, plan.region)
            if len(matches) == 1:
                return matches[0].department_id
    return None


def reported_indicators(registry: Registry, indicator_code: str) -> list[str]:
    """The indicators a department reports for a target's indicator: a ratio's two components."""
    indicator = registry.reference.indicators[indicator_code]
    if indicator.numerator and indicator.denominator:
        return [indicator.numerator, indicator.denominator]
    return [indicator_code]


def _target_duties(registry: Registry, plans: Iterable[Plan]) -> Iterator[tuple[Plan, Target, str, str]]:
    """(plan, target, indicator, department) for each indicator a department reports for a target."""
    for plan in plans:
        for target in plan.targets:
            for indicator_code in reported_indicators(registry, target.indicator_code):
                department_id = _department_of(registry, plan, target.lead_unit, indicator_code)
                if department_id is not None:
                    yield plan, target, indicator_code, department_id


def duty_pairs(registry: Registry) -> set[tuple[str, str]]:
    """(department, indicator) for every indicator a department is asked to report in some month of a plan:
    within a source, the figure of the department asked to report it is the current one."""
    duties = _target_duties(registry, registry.plans.values())
    return {(department, indicator) for _, _, indicator, department in duties}


def reporting_duties(registry: Registry, period: str) -> list[ReportingDuty]:
    """Every (department, indicator) due for the month, with the regions and measures it covers."""
    month_start = Period.parse(period).month_start
    regions: dict[tuple[str, str], set[str]] = defaultdict(set)
    plans: dict[tuple[str, str], set[str]] = defaultdict(set)
    active = (plan for plan in registry.plans.values() if plan_active(plan, month_start))
    for plan, target, indicator_code, department_id in _target_duties(registry, active):
        if is_due(registry.reference.indicators[indicator_code].frequency, month_start.month):
            regions[(department_id, indicator_code)].add(target.region)
            plans[(department_id, indicator_code)].add(plan.plan_id)
    duties = []
    for (department_id, indicator_code), region_codes in sorted(regions.items()):
        indicator = registry.reference.indicators[indicator_code]
        duties.append(
            ReportingDuty(
                department_id=department_id,
                indicator_code=indicator_code,
                region_codes=tuple(sorted(region_codes)),
                measures=measures_for(indicator.nature, indicator.frequency),
                plan_ids=tuple(sorted(plans[(department_id, indicator_code)])),
            )
        )
    return duties


def milestone_duties(registry: Registry, period: str) -> list[MilestoneDuty]:
    """Milestones whose lead unit reports progress in the month (every month the plan is active)."""
    month_start = Period.parse(period).month_start
    duties = []
    for plan in registry.plans.values():
        if not plan_active(plan, month_start):
            continue
        for milestone in plan.milestones:
            department_id = milestone_department(registry, plan, milestone)
            if department_id is not None:
                duties.append(MilestoneDuty(department_id, plan.plan_id, milestone.milestone_id))
    return duties


def milestone_department(registry: Registry, plan: Plan, milestone: Milestone) -> str | None:
    """The department that reports a milestone's progress (its lead unit, else the plan's reporting unit):
    the one whose template lists it, and the only one whose report on it is taken."""
    return _department_of(registry, plan, milestone.lead_unit)


def reporting_months(registry: Registry) -> list[str]:
    """Every month any plan is active, YYYY-MM, in order."""
    months: set[str] = set()
    for plan in registry.plans.values():
        last_year = max([target.target_year for target in plan.targets] + [plan.period_end.year])
        year, month = plan.period_start.year, plan.period_start.month
        while (year, month) <= (last_year, 12):
            months.add(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(months)
