"""The registry and reference data as flat rows: what `plans export` writes and the warehouse loads.

One function per table; each row is a plain dict with stable English column names, so the CSV, the
JSON and the warehouse's raw tables are the same data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from planwatch.registry.load import Registry

Row = dict[str, Any]


def _department(registry: Registry, plan_region: str, spelling: str | None) -> tuple[str | None, str | None]:
    if not spelling:
        return None, None
    matches = registry.reference.resolve_department(spelling, plan_region)
    return (matches[0].department_id, matches[0].name) if len(matches) == 1 else (None, spelling)


def _responsible(registry: Registry, plan_region: str, spellings: list[str]) -> tuple[str, str]:
    resolved = [_department(registry, plan_region, spelling) for spelling in spellings]
    return (
        ";".join(department_id or "" for department_id, _ in resolved),
        ";".join(name or "" for _, name in resolved),
    )


def _region_name(registry: Registry, code: str | None) -> str | None:
    region = registry.reference.regions.get(code) if code else None
    return region.name if region else None


def _canonical(registry: Registry, value: float | None, unit: str, indicator_code: str, kind: str) -> float | None:
    """A target's value in its indicator's canonical unit (percent kinds stay in %)."""
    indicator = registry.reference.indicators.get(indicator_code)
    if value is None or indicator is None or kind in PERCENT_KINDS:
        return value
    return registry.reference.unit_table.convert(value, unit, indicator.canonical_unit)


PERCENT_KINDS = {"rate", "growth_over_base", "average_annual_growth"}


def target_rows(registry: Registry) -> list[Row]:
    rows = []
    indicators = registry.reference.indicators
    for plan in registry.plans.values():
        for target in plan.targets:
            lead_id, lead_name = _department(registry, plan.region, target.lead_unit)
            responsible_ids, responsible_names = _responsible(registry, plan.region, target.responsible_units)
            indicator = indicators.get(target.indicator_code)
            rows.append(
                {
                    "plan_id": plan.plan_id,
                    "target_id": target.target_id,
                    "indicator_code": target.indicator_code,
                    "indicator_name": indicator.name if indicator else None,
                    "region_code": target.region,
                    "region_name": _region_name(registry, target.region),
                    "target_year": target.target_year,
                    "target_value": target.target_value,
                    "unit": target.unit,
                    "target_value_canonical": _canonical(
                        registry, target.target_value, target.unit, target.indicator_code, target.kind.value
                    ),
                    "canonical_unit": "%"
                    if target.kind.value in PERCENT_KINDS or indicator is None
                    else indicator.canonical_unit,
                    "comparator": target.comparator.value,
                    "kind": target.kind.value,
                    "base_year": target.base_year,
                    "baseline_value": target.baseline_value,
                    "baseline_value_canonical": _canonical(
                        registry, target.baseline_value, target.unit, target.indicator_code, target.kind.value
                    ),
                    "lead_unit": lead_name,
                    "lead_unit_id": lead_id,
                    "lead_unit_as_written": target.lead_unit,
                    "responsible_units": responsible_names,
                    "responsible_unit_ids": responsible_ids,
                    "section": target.section,
                    "source_quote": target.source_quote,
                    "note": target.note,
                }
            )
    return rows


def milestone_rows(registry: Registry) -> list[Row]:
    rows = []
    for plan in registry.plans.values():
        for milestone in plan.milestones:
            lead_id, lead_name = _department(registry, plan.region, milestone.lead_unit)
            responsible_ids, responsible_names = _responsible(registry, plan.region, milestone.responsible_units)
            rows.append(
                {
                    "plan_id": plan.plan_id,
                    "milestone_id": milestone.milestone_id,
                    "project": milestone.project,
                    "description": milestone.description,
                    "deadline": milestone.deadline.isoformat(),
                    "region_code": milestone.region or plan.region,
                    "region_name": _region_name(registry, milestone.region or plan.region),
                    "lead_unit": lead_name,
                    "lead_unit_id": lead_id,
                    "lead_unit_as_written": milestone.lead_unit,
                    "responsible_units": responsible_names,
                    "responsible_unit_ids": responsible_ids,
                    "section": milestone.section,
                    "source_quote": milestone.source_quote,
                }
            )
    return rows


def policy_parameter_rows(registry: Registry) -> list[Row]:
    return [
        {
            "plan_id": plan.plan_id,
            "parameter_id": parameter.parameter_id,
            "name": parameter.name,
            "value": parameter.value,
            "unit": parameter.unit,
            "region_code": parameter.region or plan.region,
            "section": parameter.section,
            "source_quote": parameter.source_quote,
            "note": parameter.note,
        }
        for plan in registry.plans.values()
        for parameter in plan.policy_parameters
    ]


def plan_rows(registry: Registry) -> list[Row]:
    return [
        {
            "plan_id": plan.plan_id,
            "title": plan.title,
            "issuer": plan.issuer,
            "document_number": plan.document_number,
            "issue_date": plan.issue_date.isoformat() if plan.issue_date else None,
            "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(),
            "region_code": plan.region,
            "region_name": _region_name(registry, plan.region),
            "source_text": plan.source_text,
            "reporting_unit": plan.reporting_unit,
            "statistics_unit": plan.statistics_unit,
            "target_count": len(plan.targets),
            "milestone_count": len(plan.milestones),
        }
        for plan in registry.plans.values()
    ]


def region_rows(registry: Registry) -> list[Row]:
    return [
        {
            "region_code": region.code,
            "region_name": region.name,
            "level": region.level,
            "parent_code": region.parent_code,
            "aliases": ";".join(region.aliases),
            "members": ";".join(region.members) or None,
        }
        for region in registry.reference.regions.values()
    ]


def department_rows(registry: Registry) -> list[Row]:
    return [
        {
            "department_id": department.department_id,
            "department_name": department.name,
            "region_code": department.region,
            "aliases": ";".join(department.aliases),
        }
        for department in registry.reference.departments.values()
    ]


def indicator_rows(registry: Registry) -> list[Row]:
    return [
        {
            "indicator_code": indicator.indicator_code,
            "indicator_name": indicator.name,
            "indicator_name_en": indicator.name_en,
            "canonical_unit": indicator.canonical_unit,
            "nature": indicator.nature.value,
            "frequency": indicator.frequency.value,
            "numerator": indicator.numerator,
            "denominator": indicator.denominator,
            "plausible_min": indicator.plausible_min,
            "plausible_max": indicator.plausible_max,
            "description": indicator.description,
        }
        for indicator in registry.reference.indicators.values()
    ]


def unit_rows(registry: Registry) -> list[Row]:
    return [
        {
            "unit": unit.unit,
            "dimension": unit.dimension,
            "factor": unit.factor,
            "aliases": ";".join(unit.aliases),
        }
        for unit in registry.reference.unit_table.units.values()
    ]


# Columns that are not text; every other column is VARCHAR.
NON_TEXT_COLUMNS = {
    "target_year": "int64",
    "target_value": "float64",
    "target_value_canonical": "float64",
    "baseline_value_canonical": "float64",
    "expected_indicators": "int64",
    "expected_milestones": "int64",
    "base_year": "int64",
    "baseline_value": "float64",
    "value": "float64",
    "factor": "float64",
    "plausible_min": "float64",
    "plausible_max": "float64",
    "target_count": "int64",
    "milestone_count": "int64",
    "is_working_day": "bool",
    "officially_announced": "bool",
}

# The column order of each table, which is also its schema when a table has no rows.
COLUMNS = {
    "registry_plans": [
        "plan_id",
        "title",
        "issuer",
        "document_number",
        "issue_date",
        "period_start",
        "period_end",
        "region_code",
        "region_name",
        "source_text",
        "reporting_unit",
        "statistics_unit",
        "target_count",
        "milestone_count",
    ],
    "registry_targets": [
        "plan_id",
        "target_id",
        "indicator_code",
        "indicator_name",
        "region_code",
        "region_name",
        "target_year",
        "target_value",
        "unit",
        "target_value_canonical",
        "canonical_unit",
        "comparator",
        "kind",
        "base_year",
        "baseline_value",
        "baseline_value_canonical",
        "lead_unit",
        "lead_unit_id",
        "lead_unit_as_written",
        "responsible_units",
        "responsible_unit_ids",
        "section",
        "source_quote",
        "note",
    ],
    "registry_milestones": [
        "plan_id",
        "milestone_id",
        "project",
        "description",
        "deadline",
        "region_code",
        "region_name",
        "lead_unit",
        "lead_unit_id",
        "lead_unit_as_written",
        "responsible_units",
        "responsible_unit_ids",
        "section",
        "source_quote",
    ],
    "registry_policy_parameters": [
        "plan_id",
        "parameter_id",
        "name",
        "value",
        "unit",
        "region_code",
        "section",
        "source_quote",
        "note",
    ],
    "ref_regions": ["region_code", "region_name", "level", "parent_code", "aliases", "members"],
    "ref_departments": ["department_id", "department_name", "region_code", "aliases"],
    "ref_indicators": [
        "indicator_code",
        "indicator_name",
        "indicator_name_en",
        "canonical_unit",
        "nature",
        "frequency",
        "numerator",
        "denominator",
        "plausible_min",
        "plausible_max",
        "description",
    ],
    "ref_units": ["unit", "dimension", "factor", "aliases"],
    "ref_working_days": ["day", "is_working_day", "officially_announced"],
    "expected_submissions": [
        "period",
        "department_id",
        "due_date",
        "expected_indicators",
        "expected_milestones",
        "indicator_codes",
        "plan_ids",
    ],
}


def expected_submission_rows(registry: Registry) -> list[Row]:
    """One row per department and month it owes a submission: what, for which plans, and by when (the
    `report_due_working_days`-th working day of the next month, holidays and 调休 counted)."""
    from planwatch.config import settings
    from planwatch.reporting import milestone_duties, reporting_duties, reporting_months
    from planwatch.supervision.workdays import due_date

    working_days = settings().report_due_working_days

    rows = []
    for period in reporting_months(registry):
        indicators: dict[str, list[str]] = {}
        plans: dict[str, set[str]] = {}
        for duty in reporting_duties(registry, period):
            indicators.setdefault(duty.department_id, []).append(duty.indicator_code)
            plans.setdefault(duty.department_id, set()).update(duty.plan_ids)
        milestones: dict[str, int] = {}
        for duty in milestone_duties(registry, period):
            milestones[duty.department_id] = milestones.get(duty.department_id, 0) + 1
            plans.setdefault(duty.department_id, set()).add(duty.plan_id)
        due = due_date(period, working_days).isoformat()
        for department_id in sorted(set(indicators) | set(milestones)):
            rows.append(
                {
                    "period": period,
                    "department_id": department_id,
                    "due_date": due,
                    "expected_indicators": len(indicators.get(department_id, [])),
                    "expected_milestones": milestones.get(department_id, 0),
                    "indicator_codes": ";".join(sorted(indicators.get(department_id, []))),
                    "plan_ids": ";".join(sorted(plans[department_id])),
                }
            )
    return rows


def working_day_rows(registry: Registry) -> list[Row]:
    """Every day from January of the year before the first plan to December of the year after the
    last plan or this year: whether it is a working day in China (holidays and 调休 counted), and
    whether that year's holiday arrangement is announced yet (else Monday to Friday)."""
    from planwatch.periods import china_today
    from planwatch.supervision.workdays import is_working_day, known_year

    if not registry.plans:
        return []
    first = min(plan.period_start.year for plan in registry.plans.values()) - 1
    last = max(max(plan.period_end.year for plan in registry.plans.values()), china_today().year) + 1
    day, rows = dt.date(first, 1, 1), []
    while day.year <= last:
        rows.append(
            {
                "day": day.isoformat(),
                "is_working_day": is_working_day(day),
                "officially_announced": known_year(day.year),
            }
        )
        day += dt.timedelta(days=1)
    return rows


TABLES = {
    "registry_plans": plan_rows,
    "registry_targets": target_rows,
    "registry_milestones": milestone_rows,
    "registry_policy_parameters": policy_parameter_rows,
    "ref_regions": region_rows,
    "ref_departments": department_rows,
    "ref_indicators": indicator_rows,
    "ref_units": unit_rows,
    "ref_working_days": working_day_rows,
    "expected_submissions": expected_submission_rows,
}
