"""The fill-in template (填报模板) format: the contract between `planwatch templates` and ingestion.

A template is one workbook per reporting department and period:

- `填报说明`: instructions for the clerk;
- one data sheet per indicator, named by the indicator's short Chinese name. Row 1 is a merged title
  (`<department> <YYYY年M月> <indicator name>`), row 2 says `报送期：YYYY-MM` and `计量单位：<unit>`,
  row 3 is the header: 地区 | 地区编码 | one column per measure, each with the unit in the header
  (`本月数（万元）`) | 备注. Data rows follow, one per region;
- `重点项目进展` when the department leads milestones: 项目编码 | 项目名称 | 节点 | 截止日期 |
  进展状态 | 完成百分比 | 情况说明;
- a hidden sheet `_planwatch` carrying the template version, department, period, and one row per
  data sheet: its position, name, indicator code, canonical unit and measures, so that a filled
  template maps back exactly even when a clerk renames a sheet.
"""

from __future__ import annotations

from enum import StrEnum

TEMPLATE_VERSION = "1"
META_SHEET = "_planwatch"
INSTRUCTIONS_SHEET = "填报说明"
MILESTONE_SHEET = "重点项目进展"
# the 整改反馈 form (planwatch/forms/reply_form.py): its data sheet, its columns and its hidden sheet
REPLY_SHEET = "整改反馈"
REPLY_META_SHEET = "_planwatch_reply"
REPLY_HEADERS = ("督办编号", "督办事项", "反馈时限", "整改措施（必填）", "预计完成时间", "申请销号（是/否）")
HEADER_ROW = 3  # 1-based row of the header in a data sheet
REGION_HEADER = "地区"
REGION_CODE_HEADER = "地区编码"
REMARK_HEADER = "备注"


class Measure(StrEnum):
    """What a reported figure measures."""

    month_value = "month_value"  # 本月数: a flow's value in the month
    ytd_value = "ytd_value"  # 本年累计: a flow's total from January to the month
    prior_year_ytd_value = "prior_year_ytd_value"  # 上年同期累计
    period_end_value = "period_end_value"  # 期末数: a stock's level at the end of the period
    prior_year_period_end_value = "prior_year_period_end_value"  # 上年同期末数


MEASURE_LABELS: dict[Measure, str] = {
    Measure.month_value: "本月数",
    Measure.ytd_value: "本年累计",
    Measure.prior_year_ytd_value: "上年同期累计",
    Measure.period_end_value: "期末数",
    Measure.prior_year_period_end_value: "上年同期末数",
}

# Other header words clerks and statistics bureaus use for the same measures.
MEASURE_ALIASES: dict[str, Measure] = {
    "本月数": Measure.month_value,
    "本月": Measure.month_value,
    "当月": Measure.month_value,
    "当月数": Measure.month_value,
    "本年累计": Measure.ytd_value,
    "累计": Measure.ytd_value,
    "1-本月累计": Measure.ytd_value,
    "本年累计数": Measure.ytd_value,
    "上年同期累计": Measure.prior_year_ytd_value,
    "上年同期": Measure.prior_year_ytd_value,
    "去年同期": Measure.prior_year_ytd_value,
    "期末数": Measure.period_end_value,
    "期末": Measure.period_end_value,
    "本期末": Measure.period_end_value,
    "本月末": Measure.period_end_value,
    "上年同期末数": Measure.prior_year_period_end_value,
    "上年同期末": Measure.prior_year_period_end_value,
}

FLOW_MEASURES = (Measure.month_value, Measure.ytd_value, Measure.prior_year_ytd_value)
STOCK_MEASURES = (Measure.period_end_value, Measure.prior_year_period_end_value)

MILESTONE_HEADERS = ("项目编码", "项目名称", "节点", "截止日期", "进展状态", "完成百分比", "情况说明")


class MilestoneState(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"
    stalled = "stalled"


MILESTONE_STATE_LABELS: dict[MilestoneState, str] = {
    MilestoneState.not_started: "未开工",
    MilestoneState.in_progress: "推进中",
    MilestoneState.completed: "已完成",
    MilestoneState.stalled: "停滞",
}
