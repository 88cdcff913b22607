"""Each plausibility check: its name, severity and the message a department clerk reads on the receipt.

A message names what was typed and what was expected, so that a clerk can find the cell and fix it:
the file, sheet, row and cell are put in front of it (`locate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from planwatch.quality.severity import Severity


class CheckName(StrEnum):
    unit_scale = "unit_scale"  # 10⁴ or 10⁸ off its history or its plan: 元/万元/亿元, 头/万头
    rate_as_fraction = "rate_as_fraction"  # 72 % typed as 0.72
    out_of_range = "out_of_range"  # far outside what its plan and history make plausible
    outside_declared_range = "outside_declared_range"  # outside the catalogue's plausible_min/max
    non_integer_count = "non_integer_count"  # 101.25 个
    month_above_ytd = "month_above_ytd"  # 本月 larger than 本年累计
    ytd_falls = "ytd_falls"  # 本年累计 below an earlier month's of the same year
    jump_from_last_report = "jump_from_last_report"  # moves more than its share since its last report
    jump_from_last_year = "jump_from_last_year"  # moves more than its share against the same month last year
    unchanged_for_months = "unchanged_for_months"  # a figure that always moves, copied month after month
    departments_disagree = "departments_disagree"  # two departments report the same figure differently


@dataclass(frozen=True)
class Check:
    name: CheckName
    severity: Severity
    title: str  # a few words, for tables and the briefing
    message: str  # str.format fields: indicator, region, period, measure, value, unit, expected, other


CHECKS: dict[CheckName, Check] = {
    check.name: check
    for check in (
        Check(
            CheckName.unit_scale,
            Severity.CRITICAL,
            "疑似单位错误",
            "{indicator}（{region}，{period}，{measure}）填报{value}{unit}，与{expected}相差约{other}倍，"
            "疑似计量单位填错（如元与万元、万元与亿元、头与万头），请按表头规定的单位核实后重新填报",
        ),
        Check(
            CheckName.rate_as_fraction,
            Severity.CRITICAL,
            "百分数疑似填为小数",
            "{indicator}（{region}，{period}，{measure}）填报{value}{unit}，而{expected}，"
            "疑似把百分数填成了小数（如72%填成0.72），请填写百分号前的数字后重新填报",
        ),
        Check(
            CheckName.out_of_range,
            Severity.CRITICAL,
            "数值超出合理范围",
            "{indicator}（{region}，{period}，{measure}）填报{value}{unit}，超出合理范围（{expected}），"
            "请核实数值和单位后重新填报",
        ),
        Check(
            CheckName.outside_declared_range,
            Severity.CRITICAL,
            "数值超出指标取值范围",
            "{indicator}（{region}，{period}，{measure}）填报{value}{unit}，超出该指标的取值范围（{expected}），"
            "请核实后重新填报",
        ),
        Check(
            CheckName.non_integer_count,
            Severity.CRITICAL,
            "个数不是整数",
            "{indicator}（{region}，{period}，{measure}）填报{value}{unit}，该指标按个数统计，应为整数，"
            "请核实后重新填报",
        ),
        Check(
            CheckName.month_above_ytd,
            Severity.CRITICAL,
            "本月数大于本年累计数",
            "{indicator}（{region}，{period}）本月数{value}{unit}大于本年累计数{expected}{unit}，"
            "本月数不应超过本年累计数，请核实后重新填报",
        ),
        Check(
            CheckName.ytd_falls,
            Severity.CRITICAL,
            "本年累计数比前期减少",
            "{indicator}（{region}，{period}）本年累计数{value}{unit}小于{other}的本年累计数{expected}{unit}，"
            "累计数在同一年内不应减少，请核实后重新填报（如前期数有误，请报送前期更正表）",
        ),
        Check(
            CheckName.jump_from_last_report,
            Severity.WARNING,
            "较上次报送变动过大",
            "{indicator}（{region}，{period}，{measure}）为{value}{unit}，较上次报送（{other}）的{expected}{unit}"
            "变动超过阈值，请核实；如数据无误，请在报送说明中写明原因",
        ),
        Check(
            CheckName.jump_from_last_year,
            Severity.WARNING,
            "同比变动过大",
            "{indicator}（{region}，{period}，{measure}）为{value}{unit}，较上年同期（{other}）的{expected}{unit}"
            "变动超过阈值，请核实；如数据无误，请在报送说明中写明原因",
        ),
        Check(
            CheckName.unchanged_for_months,
            Severity.WARNING,
            "连续多月数值未变",
            "{indicator}（{region}，{period}，{measure}）连续{other}个月均为{value}{unit}，"
            "该指标通常逐月变化，请核实是否沿用了上月数据",
        ),
        Check(
            CheckName.departments_disagree,
            Severity.WARNING,
            "不同部门报送数值不一致",
            "{indicator}（{region}，{period}，{measure}）本表填报{value}{unit}，{other}报送的是{expected}{unit}，"
            "同一数据两个部门报送不一致，请核实后统一口径",
        ),
    )
}


def locate(file_name: str, sheet: str, row_number: int, cell: str) -> str:
    """Where a finding is, in the words of the message: 文件“x.xlsx”工作表“数据”第12行（C12）."""
    where = f"文件“{file_name}”"
    if sheet:
        where += f"工作表“{sheet}”"
    return f"{where}第{row_number}行（{cell}）"
