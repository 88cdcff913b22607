"""Pydantic models of the target registry (`plans/<plan_id>.yml`) and its reference data.

The registry is the product's first content: every target, milestone and policy parameter a plan
commits to, each traceable to a verbatim quote of the plan text. These models are the edge where
hand-written YAML becomes typed data; everything downstream (checks, export, the warehouse) reads
these models and nothing else.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from planwatch.config import settings

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=120)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}(-[a-z0-9_]+)?$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Most plans name a task's 牵头单位 in a parenthesis after the paragraph, outside the sentence quoted as
# source_quote; this quote keeps the lead unit as traceable to the text as the commitment itself.
LEAD_UNIT_QUOTE = (
    "the plan text that names the lead unit (e.g. its 牵头单位 parenthesis), verbatim, where source_quote "
    "does not; `plans check` finds it in the plan text and lead_unit in it"
)


class Comparator(StrEnum):
    at_least = ">="
    at_most = "<="
    equal = "="


class TargetKind(StrEnum):
    """How a target's value relates to the statistic it names."""

    level = "level"  # the statistic's value in the target year: a stock at year end or a year's flow
    cumulative = "cumulative"  # a running count since the plan start (e.g. 累计认定 10 个)
    new_additions = "new_additions"  # additions during the plan period (新建 20 个, 新增 3 个)
    ratio = "ratio"  # ratio of two statistics (加工业产值与农业总产值之比 2:1)
    rate = "rate"  # a percentage rate the statistic itself is (加工转化率 76%)
    growth_over_base = "growth_over_base"  # growth in % over a named base year (比2022年增长50%)
    average_annual_growth = "average_annual_growth"  # average annual growth in % (年均增长17%)


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"


class Nature(StrEnum):
    stock = "stock"  # a level at a point in time (存栏, 面积, 企业数)
    flow = "flow"  # accumulates over a period (产值, 营业收入, 产量)


class Review(Strict):
    """What `planwatch plans propose` says of an entry it drafted: proposed until a person accepts it."""

    status: Annotated[str, StringConstraints(pattern=r"^(proposed|accepted|rejected)$")] = "proposed"
    confidence: float | None = Field(default=None, ge=0, le=1)
    notes: list[str] = Field(default_factory=list)


class Target(Strict):
    target_id: Identifier
    indicator_code: Identifier
    region: RegionCode = Field(description="GB/T 2260 code, or parent-code plus slug for a sub-region")
    target_year: int = Field(ge=2000, le=2100)
    target_value: float
    unit: Text = Field(description="unit as written in the plan")
    comparator: Comparator = Comparator.at_least
    kind: TargetKind
    base_year: int | None = None
    baseline_value: float | None = None
    lead_unit: Text | None = None
    lead_unit_quote: Text | None = Field(default=None, description=LEAD_UNIT_QUOTE)
    responsible_units: list[Text] = Field(default_factory=list)
    section: Text
    source_quote: Text
    review: Review | None = None  # a drafted entry (plans propose); `plans check` refuses a proposed one
    note: str | None = None


class Milestone(Strict):
    milestone_id: Identifier
    project: Text = Field(description="the named project or task")
    description: Text = Field(description="what must be done by the deadline")
    deadline: dt.date
    region: RegionCode | None = None
    lead_unit: Text | None = None
    lead_unit_quote: Text | None = Field(default=None, description=LEAD_UNIT_QUOTE)
    responsible_units: list[Text] = Field(default_factory=list)
    section: Text
    source_quote: Text
    review: Review | None = None  # a drafted entry (plans propose); `plans check` refuses a proposed one


class PolicyParameter(Strict):
    parameter_id: Identifier
    name: Text
    value: float
    unit: Text
    region: RegionCode | None = None
    section: Text
    source_quote: Text
    note: str | None = None


class Plan(Strict):
    plan_id: Identifier
    title: Text
    issuer: Text
    document_number: str | None = None
    issue_date: dt.date | None = None
    period_start: dt.date
    period_end: dt.date
    region: RegionCode = Field(description="the issuing region (city or county)")
    source_text: Text = Field(description="plan text file, relative to plans/")
    reporting_unit: Text | None = Field(
        default=None,
        description="department that reports the indicators of targets that name no lead unit (as written)",
    )
    statistics_unit: Text | None = Field(
        default=None,
        description="statistics bureau that publishes the monthly flows (产值, 营业收入) of such targets",
    )
    targets: list[Target]
    milestones: list[Milestone] = Field(default_factory=list)
    policy_parameters: list[PolicyParameter] = Field(default_factory=list)


# ---- reference data -------------------------------------------------------------------------


class Region(Strict):
    code: RegionCode
    name: Text
    level: Annotated[str, StringConstraints(pattern=r"^(province|city|county|subregion)$")]
    parent_code: RegionCode | None = None
    aliases: list[Text] = Field(default_factory=list)
    members: list[RegionCode] = Field(
        default_factory=list,
        description="a region that is the total of these regions (重点帮扶县 = 庄浪县 + 静宁县): its figures add up "
        "from theirs, and it is not a part of its parent beside them",
    )


class Department(Strict):
    department_id: Identifier
    name: Text = Field(description="full official name")
    region: RegionCode = Field(description="the government the department belongs to")
    aliases: list[Text] = Field(default_factory=list, description="other names the plan texts use")


COUNTED_DIMENSIONS = frozenset({"count", "head"})  # things counted one by one, each in its counting word


class Unit(Strict):
    unit: Text
    dimension: Identifier
    factor: float = Field(gt=0, description="multiplier to the dimension's base unit")
    aliases: list[Text] = Field(default_factory=list)
    counts: Text | None = Field(
        default=None,
        description="the counting word (量词) of a count or head unit: units of one dimension convert only "
        "between the same counting word (万头 and 头, 万人 and 名), never 万羽 into 万头 or 人次 into 场",
    )

    @model_validator(mode="after")
    def _counted_in_a_word(self) -> Unit:
        if self.dimension in COUNTED_DIMENSIONS and not self.counts:
            raise ValueError(
                f"unit {self.unit!r} ({self.dimension}) must say its counting word (counts: 头, 只, 个 …): "
                "only units of one counting word convert into each other"
            )
        return self


# Jump thresholds of indicators that set none come from planwatch.toml (stock_jump_share, flow_jump_share,
# revision_jump_share): a stock rarely moves by half in a month; a monthly flow is seasonal, so only a
# doubling is suspect; a correction that moves a figure by more than 5 % is worth telling the reader.


class Indicator(Strict):
    indicator_code: Identifier
    name: Text = Field(description="Chinese name, as a statistics table would label it")
    name_en: Text
    canonical_unit: Text
    nature: Nature
    frequency: Frequency
    numerator: Identifier | None = Field(default=None, description="for a ratio: the numerator indicator")
    denominator: Identifier | None = None
    plausible_min: float | None = None
    plausible_max: float | None = None
    max_month_over_month_change: float | None = Field(
        default=None,
        gt=0,
        description="relative change |value / last month's - 1| above which a figure is flagged as a jump; "
        "default by nature: planwatch.toml stock_jump_share, flow_jump_share",
    )
    max_revision_change: float | None = Field(
        default=None,
        gt=0,
        description="relative change of a corrected figure against the value it supersedes above which the "
        "correction is flagged; default planwatch.toml revision_jump_share",
    )
    plausibility_factor: float | None = Field(
        default=None,
        gt=1,
        description="this indicator's own plausible-range factor around its plan's baseline and targets "
        "(default: planwatch.toml's plausible_range_factor); needs `plausibility_reason`",
    )
    plausibility_reason: str | None = Field(
        default=None, description="why this indicator's plausibility is set apart from the default"
    )
    description: str | None = None

    @model_validator(mode="after")
    def _override_has_a_reason(self) -> Indicator:
        if self.plausibility_factor is not None and not (self.plausibility_reason or "").strip():
            raise ValueError("plausibility_factor overrides the default range: give plausibility_reason")
        return self

    @property
    def month_over_month_change_limit(self) -> float:
        """The jump threshold the quality checks apply: the indicator's own, else its nature's default."""
        if self.max_month_over_month_change is not None:
            return self.max_month_over_month_change
        config = settings()
        return config.stock_jump_share if self.nature is Nature.stock else config.flow_jump_share

    @property
    def revision_change_limit(self) -> float:
        if self.max_revision_change is not None:
            return self.max_revision_change
        return settings().revision_jump_share
