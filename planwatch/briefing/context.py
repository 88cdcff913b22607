"""The typed context of one briefing: everything a template may print, gathered before rendering.

A template reads only these models, so a missing field is an error at gathering time (pydantic) or
at rendering time (StrictUndefined), never a blank in front of a leader. Chinese labels for statuses
live here, beside the codes the marts use.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from planwatch.briefing import reading
from planwatch.briefing.formatting import quantity, zh_date
from planwatch.briefing.reading import DOUBT_MARK

BriefingKind = Literal["plan", "county", "summary"]
ChartKind = Literal["completion", "trend", "plan_status", "county_status"]

STATUS_LABELS: dict[str, str] = {
    "achieved": "已完成",
    "ahead": "超前",
    "on_track": "正常",
    "lagging": "滞后",
    "severely_lagging": "严重滞后",
    "missed": "未完成",
    "no_data": "暂无数据",
    "stale": "数据未更新",
}
# Traffic-light colours a reader knows: green done or ahead, blue normal, amber lagging, red severe.
STATUS_COLOURS: dict[str, str] = {
    "achieved": "#1a7f37",
    "ahead": "#1a7f37",
    "on_track": "#1f5fa8",
    "lagging": "#c77c02",
    "severely_lagging": "#c0392b",
    "missed": "#c0392b",
    "no_data": "#888888",
    "stale": "#b0b0b0",
}
MILESTONE_STATUS_LABELS: dict[str, str] = {
    "not_started": "未开工",
    "in_progress": "推进中",
    "completed": "已完成",
    "stalled": "停滞",
    "not_reported": "未报送",
}
COMPARATOR_WORDS: dict[str, str] = {">=": "不低于", "<=": "不高于", "=": "达到"}
KIND_WORDS: dict[str, str] = {
    "growth_over_base": "较基期增长",
    "average_annual_growth": "年均增长",
    "new_additions": "新增",
    "cumulative": "累计",
}


def _zh_month(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


class _Model(BaseModel):
    # bytes (a chart's PNG) as base64 in JSON: an issued briefing's context is archived as JSON
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")


class TargetLine(_Model):
    """One target in one month, as `marts.fct_target_progress` computed it; `reading.py` says how it reads."""

    target_id: str
    indicator_name: str
    region_code: str
    region_name: str
    target_year: int
    target_kind: str
    comparator: str
    target_value: float | None
    target_unit: str
    target_level: float | None
    measure_unit: str
    measure_space: str
    aggregation: str = "stock"
    indicator_frequency: str = "annual"
    baseline_value: float | None = None
    baseline_as_of: dt.date | None = None  # where the path starts: additions and sums count from here
    actual_value: float | None
    actual_as_of: dt.date | None
    period: dt.date | None = None
    data_age_months: int | None = None
    margin_to_target: float | None = None
    completion_rate: float | None
    time_progress: float | None
    gap_pp: float | None
    status: str
    is_final_verdict: bool
    required_monthly_pace: float | None
    lead_unit: str | None
    reported_value: float | None = None
    reported_value_a_year_earlier: float | None = None
    yoy_growth_pct: float | None = None
    yoy_change_pp: float | None = None
    mom_growth_pct: float | None = None
    mom_change_pp: float | None = None
    # the figure a year earlier (the month before) that the 同比 (环比) compares against is doubted: marked ※ too
    is_yoy_base_doubted: bool = False
    is_mom_base_doubted: bool = False
    projected_value: float | None = None
    projected_value_low: float | None = None
    projected_value_high: float | None = None
    projected_to_meet: bool | None = None
    projection_points: int | None = None
    is_doubted: bool = False  # judged by a figure a plausibility warning in use doubts (marts.doubted_targets)
    # projected through a figure a plausibility warning in use doubts (marts.projections_on_doubted_figures)
    is_projection_doubted: bool = False
    observed_annual_growth_pct: float | None = None
    required_annual_growth_pct: float | None = None
    actual_source_name: str | None = None  # the department or statistics bureau whose figure is used
    actual_is_derived: bool = False  # computed by the marts from its parts (actual_source_name says how)
    actual_period_label: str | None = None  # a quarterly (half-yearly, yearly) figure's period as written

    @property
    def status_label(self) -> str:
        """已完成 only for a final verdict; a target met before its year is over is 已达标."""
        if self.status == "achieved" and not self.is_final_verdict:
            return "已达标"
        return STATUS_LABELS[self.status]

    @property
    def is_stale(self) -> bool:
        return self.status == "stale"

    @property
    def doubt_mark(self) -> str:
        """※ beside an actual and a status that rest on a figure the plausibility review doubts."""
        return DOUBT_MARK if self.is_doubted else ""

    @property
    def has_doubted_comparison(self) -> bool:
        """A 同比 or 环比 shown of it carries ※: the figure it compares against is doubted."""
        return reading.has_doubted_comparison(self)

    @property
    def as_of_label(self) -> str:
        """The period the actual is from: 2025年, 1—10月, 10月末 (reading.as_of_label)."""
        return reading.as_of_label(self)

    @property
    def completion_cell(self) -> str:
        return reading.completion_cell(self)

    @property
    def completion_phrase(self) -> str:
        return reading.completion_phrase(self)

    @property
    def comparison_text(self) -> str:
        return reading.comparison_text(self)

    @property
    def actual_figure(self) -> str:
        return reading.actual_figure(self)

    @property
    def actual_span(self) -> str:
        return reading.actual_span(self)

    @property
    def actual_detail(self) -> str:
        return reading.actual_detail(self)

    def actual_phrase(self, verb: str = "为") -> str:
        return reading.actual_phrase(self, verb)

    @property
    def pace_text(self) -> str:
        return reading.pace_text(self)

    @property
    def year_on_year_text(self) -> str:
        return reading.year_on_year_text(self)

    @property
    def margin_text(self) -> str:
        return reading.margin_text(self)

    @property
    def shows_time_gap(self) -> bool:
        return reading.shows_time_gap(self)

    @property
    def outlook(self) -> reading.Outlook | None:
        return reading.outlook(self)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def comparator_word(self) -> str:
        return COMPARATOR_WORDS.get(self.comparator, "")

    @property
    def kind_word(self) -> str:
        return KIND_WORDS.get(self.target_kind, "")

    @property
    def amount_word(self) -> str:
        """新增 / 累计 before a target counted from the plan start, as its actual is (reading.actual_figure)."""
        return {"change_since_plan_start": "新增", "sum_since_plan_start": "累计"}.get(self.measure_space, "")

    @property
    def is_growth(self) -> bool:
        return self.target_kind in {"growth_over_base", "average_annual_growth"}

    @property
    def target_text(self) -> str:
        """The target as 表1, the sentences and 督办 write it: 不低于20亿元, 新增不低于2个, 年均增长12%（28.6亿元）."""
        if self.is_growth:
            level = quantity(self.target_level, self.measure_unit)
            return f"{self.kind_word}{quantity(self.target_value, self.target_unit)}（{level}）"
        return f"{self.amount_word}{self.comparator_word}{quantity(self.target_value, self.target_unit)}"


class StatusCounts(_Model):
    total: int
    achieved: int
    ahead: int
    on_track: int
    lagging: int
    severely_lagging: int
    missed: int
    no_data: int
    stale: int = 0

    @property
    def normal(self) -> int:
        """Achieved, ahead or on track: what the rankings call 进度正常."""
        return self.achieved + self.ahead + self.on_track


class RankingLine(_Model):
    rank: int
    name: str
    targets: int
    targets_on_track: int
    targets_lagging: int
    targets_severely_lagging_or_missed: int
    targets_no_data: int
    targets_stale: int = 0
    share_on_track: float | None
    mean_completion: float | None
    milestones: int | None = None
    milestones_overdue: int | None = None
    score: float | None = None  # a department's 考核得分 (0–100): targets on track and milestones done on time
    region_level: str | None = None  # a region's: county, city, subregion (a ranking of counties is 县区排名)


class MilestoneLine(_Model):
    milestone_id: str
    project: str
    region_name: str | None
    lead_unit: str | None
    deadline: dt.date | None
    reported_status: str
    percent_complete: float | None
    reported_as_of: dt.date | None
    is_overdue: bool
    days_overdue: int | None
    period: dt.date | None = None  # the briefing's month (its last day)
    completed_as_of: dt.date | None = None  # the month completion was first reported
    days_late_at_completion: int | None = None  # > 0: completed after the deadline's month

    @property
    def status_label(self) -> str:
        return MILESTONE_STATUS_LABELS.get(self.reported_status, self.reported_status)

    @property
    def is_report_old(self) -> bool:
        """The latest report is of an earlier month than the briefing's: its progress is not this month's."""
        if self.reported_as_of is None or self.period is None or self.reported_status == "completed":
            return False
        return (self.reported_as_of.year, self.reported_as_of.month) < (self.period.year, self.period.month)

    @property
    def is_completed_late(self) -> bool:
        return self.reported_status == "completed" and bool(self.days_late_at_completion)

    @property
    def progress_text(self) -> str:
        """进展 with the month it was reported: 停滞（2023年12月报送，此后未报送）, 推进中（2025年10月报送）,
        已完成（完成于2021年11月）, 逾期完成（完成于2022年7月，时限为2021年12月31日）; 未报送 when nothing came."""
        if self.reported_status == "not_reported" or self.reported_as_of is None:
            return self.status_label
        if self.reported_status == "completed":
            if self.completed_as_of is None:
                return f"{self.status_label}（{_zh_month(self.reported_as_of)}报送）"
            done = f"完成于{_zh_month(self.completed_as_of)}"
            if self.is_completed_late:
                # the reports say in which month it was done, not on which day: the deadline beside it, no
                # count of days late that the data cannot support
                deadline = f"，时限为{zh_date(self.deadline)}" if self.deadline else ""
                return f"逾期完成（{done}{deadline}）"
            return f"{self.status_label}（{done}）"
        after = "，此后未报送" if self.is_report_old else ""
        return f"{self.status_label}（{_zh_month(self.reported_as_of)}报送{after}）"


class SubmissionLine(_Model):
    department_name: str
    due_date: dt.date | None
    received: bool
    files_received: int
    indicators_expected: int
    indicators_received: int
    milestones_expected: int
    milestones_received: int
    first_received_at: dt.date | None
    is_on_time: bool
    review_state: str | None = None  # 已报送（待审核）, 已审核, 已退回, 已锁定 … (supervision.states)


class CorrectionLine(_Model):
    """A figure of an issued (locked) month corrected since: 更正说明 names it once, old and new."""

    indicator_name: str
    region_name: str
    period: dt.date
    measure_label: str
    old_value: float | None
    new_value: float
    unit: str
    reason: str
    corrected_on: dt.date


class FollowUpLine(_Model):
    """One 督办事项 opened by an earlier issued briefing, as it stands on this briefing's issue date."""

    item_id: str
    subject: str
    department_name: str
    opened_period: str
    reply_due: dt.date
    status: Literal["open", "replied", "overdue", "closed"]
    status_label: str
    replied_on_time: bool


class FollowUp(_Model):
    """督办落实情况: the items earlier briefings opened and what became of them."""

    items: tuple[FollowUpLine, ...]

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)

    @property
    def replied_on_time(self) -> int:
        return sum(item.status in ("replied", "closed") and item.replied_on_time for item in self.items)

    @property
    def replied_late(self) -> int:
        return sum(item.status == "replied" and not item.replied_on_time for item in self.items)

    @property
    def overdue_units(self) -> tuple[str, ...]:
        return tuple(sorted({item.department_name for item in self.items if item.status == "overdue"}))


class QualityNote(_Model):
    """One quality finding in a briefing's scope; `plans` names, in the leadership summary, whose it is."""

    text: str
    count: int | None = None
    kind: Literal["check", "quarantine", "revision", "plausibility"] = "check"
    plans: str | None = None
    # whose or which they are, said after the count: 部门未在截止日前报送1条（凤岭县市场监督管理局）,
    # 因“疑似单位错误”暂未采用的行1条（涉及白马镇肉牛存栏）
    concerns: str | None = None


class Chart(_Model):
    """A chart as inline SVG (the HTML briefing) and as PNG at `dpi` (the PDF and the Word file).

    `kind` tells a template where the chart goes: 'completion' (图1 and its continuations), 'trend'
    (附：主要指标走势), 'plan_status' and 'county_status' (the leadership summary)."""

    title: str
    kind: ChartKind
    svg: str
    png: bytes | None = None
    dpi: int = 300

    @property
    def png_size_px(self) -> tuple[int, int]:
        """Width and height from the PNG header (IHDR), without decoding the image."""
        if self.png is None:
            raise ValueError(f"chart {self.title!r} was drawn without its PNG")
        return int.from_bytes(self.png[16:20], "big"), int.from_bytes(self.png[20:24], "big")

    @property
    def width_mm(self) -> float:
        return round(self.png_size_px[0] / self.dpi * 25.4, 1)

    @property
    def height_mm(self) -> float:
        return round(self.png_size_px[1] / self.dpi * 25.4, 1)

    @property
    def png_data_uri(self) -> str:
        if self.png is None:
            raise ValueError(f"chart {self.title!r} was drawn without its PNG")
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


class PlanSummaryLine(_Model):
    """One plan in the leadership summary."""

    plan_id: str
    plan_title: str
    region_name: str
    counts: StatusCounts
    milestones_overdue: int
    is_final_assessment: bool


class Briefing(_Model):
    kind: BriefingKind
    plan_id: str | None
    title: str
    plan_title: str | None
    plan_document_number: str | None
    issuing_office: str
    issue_number: int
    issue_date: dt.date
    period: dt.date
    region_code: str | None
    region_name: str
    is_final_assessment: bool
    counts: StatusCounts
    targets: tuple[TargetLine, ...]
    final_targets: tuple[TargetLine, ...]
    # the leadership summary: `counts` is every target of the month, these are its two parts
    running_counts: StatusCounts | None = None  # targets whose year is not over, by their light
    final_counts: StatusCounts | None = None  # targets whose year has passed, by their final verdict
    lagging: tuple[TargetLine, ...]
    headline: tuple[TargetLine, ...]
    regions: tuple[RankingLine, ...]
    departments: tuple[RankingLine, ...]
    milestones: tuple[MilestoneLine, ...]
    submissions: tuple[SubmissionLine, ...]
    quality: tuple[QualityNote, ...]
    plans: tuple[PlanSummaryLine, ...] = ()
    charts: tuple[Chart, ...] = ()
    override_note: str | None = None
    # signed (签发) and archived: what `planwatch brief` writes before that is a draft for review (送审稿)
    is_issued: bool = False
    corrections: tuple[CorrectionLine, ...] = ()
    follow_up: FollowUp | None = None

    @property
    def stale_targets(self) -> tuple[TargetLine, ...]:
        return tuple(line for line in self.targets if line.is_stale)

    @property
    def outlook_targets(self) -> tuple[TargetLine, ...]:
        """The running targets with a projection (预计), those expected to fall short first."""
        found = [line for line in self.targets if line.outlook is not None]
        return tuple(sorted(found, key=lambda line: (line.outlook.will_meet, line.target_year, line.target_id)))

    @property
    def doubted_targets(self) -> tuple[TargetLine, ...]:
        return tuple(line for line in (*self.targets, *self.final_targets) if line.is_doubted)

    @property
    def doubted_comparisons(self) -> tuple[TargetLine, ...]:
        """The targets with a 同比 or 环比 marked ※ for its doubted base (the legend under 表1 says what it means)."""
        return tuple(line for line in (*self.targets, *self.final_targets) if line.has_doubted_comparison)

    @property
    def regions_ranked(self) -> bool:
        """A ranking compares: at least two regions with targets judged this month (a share on track)."""
        return sum(line.share_on_track is not None for line in self.regions) >= 2

    @property
    def region_ranking_title(self) -> str:
        """县区排名 when every region ranked is a county; 地区排名 when the plan also ranks other cities (the
        milk-source bases of Hohhot's plan) or towns and farms."""
        return "县区排名" if all(line.region_level == "county" for line in self.regions) else "地区排名"

    @property
    def outlooks_against_status(self) -> tuple[TargetLine, ...]:
        """Targets whose status reads well today (超前, 正常, a ceiling kept) yet whose projection falls short.

        Both hold: the status compares the completion so far with the time elapsed, the outlook
        extends the recent figures' trend, and a slowing pace shows in the second first. The briefing
        says so, lest a leader read the two as a contradiction."""
        return tuple(
            line
            for line in self.outlook_targets
            if not line.outlook.will_meet
            and line.status in {"ahead", "on_track", "achieved"}
            # a pace that slows needs a trend: one figure held flat says nothing of the recent pace
            and (line.projection_points or 0) >= 2
        )

    @property
    def has_quarantine(self) -> bool:
        return any(note.kind == "quarantine" for note in self.quality)

    @property
    def file_stem(self) -> str:
        """Output names say plan, region and period: ``<plan>_<region>_<YYYY-MM>``."""
        month = f"{self.period.year:04d}-{self.period.month:02d}"
        if self.kind == "summary":
            return f"leadership_summary_{month}"
        return f"{self.plan_id}_{self.region_code}_{month}"

    @property
    def overdue_milestones(self) -> tuple[MilestoneLine, ...]:
        return tuple(line for line in self.milestones if line.is_overdue)

    @property
    def milestones_not_updated(self) -> tuple[MilestoneLine, ...]:
        """Milestones not done whose latest report is of an earlier month: their progress is not this month's."""
        return tuple(line for line in self.milestones if line.is_report_old)
