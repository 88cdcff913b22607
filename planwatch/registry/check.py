"""Checks of the registry against its reference data and against the plan texts themselves.

`planwatch plans check` prints these problems and fails on any: a schema error; an unknown region,
indicator, department or unit; a duplicate id; a quote that is not verbatim in the plan text; a
target value its own quote does not state; a lead unit its own lead_unit_quote does not name.
"""

from __future__ import annotations

import re
from pathlib import Path

from planwatch.registry.load import Registry
from planwatch.registry.numbers import states_number, without_whitespace
from planwatch.registry.reference import Problem
from planwatch.registry.schema import Plan, Review, TargetKind

_PERCENT_KINDS = {TargetKind.rate, TargetKind.growth_over_base, TargetKind.average_annual_growth}

# "（牵头单位：市农牧局；配合单位：…）" or "（市农牧局牵头，…）": the units a 牵头 clause names, so that a
# 配合单位 of the same parenthesis is not taken for the lead
_LEAD_CLAUSE = re.compile(r"牵头单位[：:]([^；;）)。]+)|([^（(，,；;。：:]+)牵头")


def names_as_lead(quote: str, lead: str) -> bool:
    """Whether the quote names `lead` as lead unit: in its 牵头 clause if it has one, else anywhere."""
    text, wanted = without_whitespace(quote), without_whitespace(lead)
    clauses = [named or before for named, before in _LEAD_CLAUSE.findall(text)]
    return any(wanted in clause for clause in clauses) if clauses else wanted in text


def check_reference(registry: Registry) -> list[Problem]:
    reference = registry.reference
    problems: list[Problem] = []
    for code, region in reference.regions.items():
        if region.parent_code and region.parent_code not in reference.regions:
            file = reference.sources[("region", code)]
            problems.append(Problem(file, code, "parent_code", f"unknown region '{region.parent_code}'"))
        for member in region.members:
            if member not in reference.regions or member == code:
                file = reference.sources[("region", code)]
                problems.append(Problem(file, code, "members", f"'{member}' is not another region of the reference"))
    for department_id, department in reference.departments.items():
        if department.region not in reference.regions:
            file = reference.sources[("department", department_id)]
            problems.append(Problem(file, department_id, "region", f"unknown region '{department.region}'"))
    for code, indicator in reference.indicators.items():
        file = reference.sources[("indicator", code)]
        if not reference.unit_table.knows(indicator.canonical_unit):
            problems.append(Problem(file, code, "canonical_unit", f"unknown unit '{indicator.canonical_unit}'"))
        for part in ("numerator", "denominator"):
            component = getattr(indicator, part)
            if component is not None and component not in reference.indicators:
                problems.append(Problem(file, code, part, f"unknown indicator '{component}'"))
        if (indicator.numerator is None) != (indicator.denominator is None):
            problems.append(Problem(file, code, "numerator", "a ratio needs both numerator and denominator"))
    return problems


class _PlanChecker:
    def __init__(self, registry: Registry, plan: Plan, file: Path, seen_ids: dict[str, str]) -> None:
        self.registry, self.plan, self.file, self.seen_ids = registry, plan, str(file), seen_ids
        self.reference = registry.reference
        self.problems: list[Problem] = []
        text_path = registry.plans_dir / plan.source_text
        self.text = without_whitespace(text_path.read_text(encoding="utf-8")) if text_path.exists() else None
        if self.text is None:
            self.add(plan.plan_id, "source_text", f"plan text not found: {text_path}")

    def add(self, item: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, item, field, message))

    def unique(self, item_id: str) -> None:
        if item_id in self.seen_ids:
            self.add(item_id, "id", f"duplicate id: also used in {self.seen_ids[item_id]}")
        else:
            self.seen_ids[item_id] = self.file

    def region(self, item: str, field: str, code: str | None) -> None:
        if code is not None and code not in self.reference.regions:
            self.add(item, field, f"unknown region '{code}' (add it to plans/reference/regions/)")

    def departments(self, item: str, lead: str | None, responsible: list[str]) -> None:
        named = [("lead_unit", lead)] if lead else []
        named += [(f"responsible_units[{i}]", unit) for i, unit in enumerate(responsible)]
        for field, spelling in named:
            matches = self.reference.resolve_department(spelling, self.plan.region)
            if not matches:
                self.add(
                    item,
                    field,
                    f"unknown department '{spelling}' (add it or an alias in plans/reference/departments/)",
                )
            elif len(matches) > 1:
                ids = ", ".join(sorted(match.department_id for match in matches))
                self.add(item, field, f"department '{spelling}' is ambiguous: {ids}")

    def reviewed(self, item: str, review: Review | None) -> None:
        if review is not None and review.status != "accepted":
            self.add(
                item,
                "review.status",
                f"{review.status}: a drafted entry needs a person's review (set accepted, or remove the entry); "
                "`planwatch plans accept` takes a reviewed draft in",
            )

    def quote(self, item: str, quote: str, field: str = "source_quote") -> None:
        if self.text is not None and without_whitespace(quote) not in self.text:
            self.add(item, field, f"not found verbatim in {self.plan.source_text}: {quote[:60]}")

    def lead_unit_quote(self, item: str, lead: str | None, quote: str | None) -> None:
        if quote is None:
            return
        self.quote(item, quote, "lead_unit_quote")
        if lead is None:
            self.add(item, "lead_unit_quote", "a lead_unit_quote without a lead_unit: set the unit it names")
        elif not names_as_lead(quote, lead):
            self.add(item, "lead_unit", f"its lead_unit_quote does not name '{lead}' as lead (牵头) unit")

    def check(self) -> list[Problem]:
        plan = self.plan
        self.region(plan.plan_id, "region", plan.region)
        if plan.period_start > plan.period_end:
            self.add(plan.plan_id, "period_start", "the period starts after it ends")
        for target in plan.targets:
            item = target.target_id
            self.unique(item)
            self.region(item, "region", target.region)
            self.departments(item, target.lead_unit, target.responsible_units)
            self.quote(item, target.source_quote)
            self.lead_unit_quote(item, target.lead_unit, target.lead_unit_quote)
            self.reviewed(item, target.review)
            if not states_number(target.source_quote, target.target_value):
                self.add(item, "target_value", f"{target.target_value:g} does not appear in its source_quote")
            self.target_unit(item, target.indicator_code, target.unit, target.kind)
            if target.kind in (TargetKind.growth_over_base, TargetKind.average_annual_growth) and not target.base_year:
                self.add(item, "base_year", f"a {target.kind.value} target needs its base_year")
        for milestone in plan.milestones:
            item = milestone.milestone_id
            self.unique(item)
            self.region(item, "region", milestone.region)
            self.departments(item, milestone.lead_unit, milestone.responsible_units)
            self.quote(item, milestone.source_quote)
            self.lead_unit_quote(item, milestone.lead_unit, milestone.lead_unit_quote)
            self.reviewed(item, milestone.review)
        for parameter in plan.policy_parameters:
            item = parameter.parameter_id
            self.unique(item)
            self.region(item, "region", parameter.region)
            self.quote(item, parameter.source_quote)
            if not self.reference.unit_table.knows(parameter.unit):
                self.add(item, "unit", f"unknown unit '{parameter.unit}' (add it to plans/reference/units/)")
            if not states_number(parameter.source_quote, parameter.value):
                self.add(item, "value", f"{parameter.value:g} does not appear in its source_quote")
        return self.problems

    def target_unit(self, item: str, indicator_code: str, unit: str, kind: TargetKind) -> None:
        indicator = self.reference.indicators.get(indicator_code)
        if indicator is None:
            self.add(
                item,
                "indicator_code",
                f"unknown indicator '{indicator_code}' (add it to plans/reference/indicators/)",
            )
        table = self.reference.unit_table
        if not table.knows(unit):
            self.add(item, "unit", f"unknown unit '{unit}' (add it to plans/reference/units/)")
            return
        if kind in _PERCENT_KINDS:
            if table.lookup(unit).dimension != "percent":
                self.add(item, "unit", f"a {kind.value} target is stated in %, not '{unit}'")
            return
        if kind is TargetKind.ratio and indicator is not None and indicator.numerator is None:
            self.add(
                item,
                "indicator_code",
                f"a ratio target needs a ratio indicator; '{indicator_code}' has no numerator",
            )
        if indicator is not None and table.knows(indicator.canonical_unit):
            wanted = table.lookup(indicator.canonical_unit).dimension
            if table.lookup(unit).dimension != wanted:
                self.add(
                    item,
                    "unit",
                    f"'{unit}' cannot be converted to {indicator.canonical_unit}, the indicator's unit",
                )


def check_registry(registry: Registry) -> list[Problem]:
    """Every problem in the registry, schema errors first; an empty list means it is sound."""
    problems = list(registry.problems) + check_reference(registry)
    seen_ids: dict[str, str] = {}
    for plan_id, plan in registry.plans.items():
        problems += _PlanChecker(registry, plan, registry.plan_files[plan_id], seen_ids).check()
    return problems
