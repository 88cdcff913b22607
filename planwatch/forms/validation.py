"""What a clerk may type into a template's input cells: Excel data validation, with Chinese messages.

Every figure cell gets one rule from its indicator: a whole number for things counted one by one (the
plausibility review's `counts_one_by_one`, so the template and the review agree on what a count is), a
number between the catalogue's bounds for a percentage that declares them, otherwise a number not below
zero. Negatives are refused as ingestion refuses them (`planwatch.ingest.records`): unless the catalogue's
`plausible_min` is below zero, a negative figure is quarantined, so the template says so first. A rule the
platform would enforce anyway stops the clerk ("stop"); a declared plausible range narrower than what is
possible only warns ("warning"), since a clerk may have a reason for an unusual figure and writes it in 备注.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.worksheet.datavalidation import DataValidation

from planwatch.forms.layout import DataSheetLayout

PROMPT_TITLE = "填报提示"
PERCENT_UNIT = "%"


@dataclass(frozen=True)
class NumberRule:
    """One indicator's typing rule: whole or decimal, its bounds, and whether a breach stops the clerk."""

    whole: bool
    minimum: float
    maximum: float | None
    stop: bool

    @property
    def kind(self) -> str:
        return "整数" if self.whole else "数字"

    @property
    def bounds(self) -> str:
        if self.maximum is None:
            return f"不小于 {self.minimum:g}"
        return f"{self.minimum:g} 到 {self.maximum:g} 之间"


def number_rule(data_sheet: DataSheetLayout) -> NumberRule:
    """The rule of a data sheet's figure cells, from its indicator's unit, count-ness and catalogue bounds."""
    declared_min, declared_max = data_sheet.plausible_min, data_sheet.plausible_max
    negative_allowed = declared_min is not None and declared_min < 0  # ingestion's rule for negatives
    floor = declared_min if negative_allowed and declared_min is not None else 0.0
    if data_sheet.counted:
        return NumberRule(whole=True, minimum=floor, maximum=None, stop=not negative_allowed)
    if data_sheet.percent and declared_max is not None:
        low = declared_min if declared_min is not None else floor
        # 0–100 is what a share can be: refuse the rest; a narrower declared range is a judgement: warn
        return NumberRule(whole=False, minimum=low, maximum=declared_max, stop=(low, declared_max) == (0, 100))
    return NumberRule(whole=False, minimum=floor, maximum=None, stop=not negative_allowed)


def figure_validation(data_sheet: DataSheetLayout) -> DataValidation:
    """The data validation of a data sheet's figure cells (add the cell range to it)."""
    rule = number_rule(data_sheet)
    unit = data_sheet.canonical_unit
    if rule.maximum is None:
        operands = {"operator": "greaterThanOrEqual", "formula1": f"{rule.minimum:g}"}
    else:
        operands = {"operator": "between", "formula1": f"{rule.minimum:g}", "formula2": f"{rule.maximum:g}"}
    percent_sign = "，不带 % 号" if unit == PERCENT_UNIT else ""
    wanted = f"{rule.kind}（单位：{unit}），{rule.bounds}{percent_sign}"
    if rule.stop:
        error_title = "数值有误"
        error = f"请填写{wanted}；不要输入文字、单位或千位分隔符，未报送请留空。"
    else:
        error_title = "请核实数值"
        error = (
            f"该指标的合理范围是 {rule.bounds}（单位：{unit}）。数值确实如此请点“是”保留，"
            "并在“备注”列说明原因；否则请点“否”改正。"
        )
    return DataValidation(
        type="whole" if rule.whole else "decimal",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop" if rule.stop else "warning",
        errorTitle=error_title,
        error=error,
        promptTitle=PROMPT_TITLE,
        prompt=f"请填写{rule.kind}（{unit}），{rule.bounds}{percent_sign}；未报送留空。",
        **operands,
    )


def milestone_state_validation(labels: list[str]) -> DataValidation:
    """进展状态: one of the listed states, from the drop-down."""
    return DataValidation(
        type="list",
        formula1='"' + ",".join(labels) + '"',
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="进展状态有误",
        error="请从下拉列表中选择：" + "、".join(labels) + "。",
        promptTitle=PROMPT_TITLE,
        prompt="请从下拉列表中选择：" + "、".join(labels) + "。",
    )


def milestone_percent_validation() -> DataValidation:
    """完成百分比: a number from 0 to 100."""
    return DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="完成百分比有误",
        error="完成百分比请填写 0 到 100 之间的数字，不带 % 号。",
        promptTitle=PROMPT_TITLE,
        prompt="请填写数字（%），0 到 100 之间，不带 % 号。",
    )
