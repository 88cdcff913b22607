"""What the extractor proposes (targets, milestones, passages left out) and the kind of a target.

The records `extract` fills and `propose` matches against the reference lists; kept apart from the rules
that find them so that every rule module (sentences, breakdowns, milestones) writes the same records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planwatch.onboarding.quantities import Quantity
from planwatch.onboarding.years import BASE_YEAR


@dataclass
class Proposal:
    """A target as proposed: what the text says, before matching to the reference lists."""

    quote: str
    start: int
    section: str
    subject: str
    region_spelling: str | None
    year: int
    year_inherited: str | None  # why the year is not the clause's own: its sentence's or the plan's horizon
    value: float
    unit: str
    comparator: str
    kind: str
    base_year: int | None
    lead_unit: str | None
    responsible_units: list[str]
    confidence: float
    wording: str = ""  # the clause's own words around the figure, verbs kept (新增, 引进, 续建): matched too


@dataclass
class LeftOut:
    quote: str
    section: str
    reason: str


@dataclass
class MilestoneProposal:
    quote: str
    start: int
    section: str
    project: str
    deadline_year: int
    deadline_month: int
    lead_unit: str | None
    responsible_units: list[str]
    confidence: float


@dataclass
class Extraction:
    targets: list[Proposal] = field(default_factory=list)
    milestones: list[MilestoneProposal] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


def kind_of(clause: str, sentence: str, quantity: Quantity) -> tuple[str, int | None]:
    base = BASE_YEAR.search(clause) or BASE_YEAR.search(sentence)
    if "年均" in clause and quantity.unit == "%":
        return "average_annual_growth", int(base.group(1)) if base else None
    if quantity.unit == "%" and re.search(r"增长|提高|增加", clause) and not re.search(r"率|比重|占比", clause):
        return "growth_over_base", int(base.group(1)) if base else None
    if quantity.unit == ":1":
        return "ratio", None
    if quantity.unit == "%":
        return "rate", None
    if "累计" in clause:
        return "cumulative", None
    if any(word in clause for word in ("新增", "新建", "新培育", "新认定", "新发展", "新改扩建", "每年新增")):
        return "new_additions", None
    return "level", None
