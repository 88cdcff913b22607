"""The 填报说明 sheet: how a clerk fills the template, in the words a department office uses."""

from __future__ import annotations

from planwatch.config import settings
from planwatch.forms.layout import TemplateLayout
from planwatch.periods import Granularity, Period
from planwatch.supervision.workdays import due_date
from planwatch.template_format import META_SHEET, MILESTONE_SHEET, MILESTONE_STATE_LABELS


def period_label(period: str) -> str:
    """'2024-03' → '2024年3月' (the period's own label)."""
    return Period.parse(period, Granularity.month).label


def deadline_label(period: str) -> str:
    """When the figures are due: the `report_due_working_days`-th working day of the next month."""
    due = due_date(period, settings().report_due_working_days)
    return f"{due.year}年{due.month}月{due.day}日"


def instruction_lines(layout: TemplateLayout) -> list[str]:
    label = period_label(layout.period)
    states = "、".join(MILESTONE_STATE_LABELS.values())
    lines = [
        f"1. 本表为{layout.department_name}{label}（报送期 {layout.period}）规划目标监测数据填报模板，"
        f"由规划目标监测督导平台生成。请于{deadline_label(layout.period)}前报送。",
        "2. 每个指标一张工作表。计量单位以表头括号内的单位为准（例如“本年累计（亿元）”），"
        "请按该单位填写，不要换算为其他单位，也不要在数字后写单位。",
        "3. 数字单元格只填写数字：不要输入千位分隔符、全角数字、文字或“约”“左右”等说明；需要说明的写在“备注”列。",
        "4. 未报送或无法统计的请留空，留空表示未报送；实际为零的请填 0，不要填“—”或“无”。",
        "5. 口径：本月数为当月发生数；本年累计为1月至本月累计数；"
        "上年同期累计为上年1月至同月累计数；期末数为月末（季末、年末）时点数；上年同期末数为上年同月末时点数。",
        f"6. 不要修改表头、工作表名称、地区和地区编码，不要增删行、列或工作表；不要删除或修改隐藏工作表“{META_SHEET}”，"
        "平台依据它识别本表。",
        "7. 已报送的数据如需更正，请在本模板中改正后整表重新报送，文件名后加“_更正”。"
        "每月请使用平台下发的当月模板，不要沿用以前月份的模板（模板记录着原报送期，数据会记入原月份或被拒收）。",
    ]
    if layout.milestones:
        lines.append(
            f"8. “{MILESTONE_SHEET}”表：进展状态请从下拉列表中选择（{states}），"
            "完成百分比填 0–100 的数字，情况说明写明进度、存在问题和下一步安排。"
        )
    return lines
