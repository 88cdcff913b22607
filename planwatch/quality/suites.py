"""The expectation suites, declared once: each check's name, severity, Chinese message and GX expectation.

This is the source of `expectations/` (the committed GX project): `python -m planwatch.quality.project`
writes the suites, validation definitions and checkpoints from these declarations, and a test keeps
the committed JSON and this file in step. Checks are plain GX expectations on a dataframe whose
derived columns (`period_month_index`, `ytd_previous_month`, ...) are computed in `frames.py`; a
value that needs the warehouse (the known region codes) is a suite parameter filled at run time.
Plain dicts here, so nothing imports GX until a check runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planwatch.quality.severity import Severity

CRITICAL, WARNING = Severity.CRITICAL, Severity.WARNING


@dataclass(frozen=True)
class Check:
    """One expectation with the name the results table and the gate use for it."""

    name: str
    severity: Severity
    message: str  # Chinese, as the briefing's data quality section states it
    expectation_type: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Suite:
    name: str
    frame: str  # the dataframe (and GX dataframe asset) it validates; see frames.py
    checks: tuple[Check, ...]
    description: str = ""


@dataclass(frozen=True)
class CheckpointSpec:
    name: str
    suites: tuple[str, ...]
    needs_marts: bool = False
    description: str = field(default="")


def _not_null(column: str) -> Check:
    return Check(
        f"required_{column}",
        CRITICAL,
        f"报送数据缺少必填项“{column}”",
        "expect_column_values_to_not_be_null",
        {"column": column},
    )


_MISSING = "either_value_is_missing"

SUBMISSIONS_OBSERVATIONS = Suite(
    name="submissions_observations",
    frame="observations",
    description="每批报送的观测值：必填项、代码、报告期、单位、取值范围、累计值、环比跳变、下级合计、地区组合、重复",
    checks=(
        *(
            _not_null(column)
            for column in (
                "indicator_code",
                "region_code",
                "period",
                "measure",
                "value",
                "unit",
                "file_name",
                "sheet",
                "cell",
            )
        ),
        Check(
            "period_is_a_month",
            CRITICAL,
            "报告期不是有效的年月（YYYY-MM）",
            "expect_column_values_to_match_regex",
            {"column": "period", "regex": r"^\d{4}-(0[1-9]|1[0-2])$"},
        ),
        Check(
            "region_code_known",
            CRITICAL,
            "地区编码不在区划目录中",
            "expect_column_values_to_be_in_set",
            {"column": "region_code", "value_set": {"$PARAMETER": "known_region_codes"}},
        ),
        Check(
            "indicator_code_known",
            CRITICAL,
            "指标代码不在指标目录中",
            "expect_column_values_to_be_in_set",
            {"column": "indicator_code", "value_set": {"$PARAMETER": "known_indicator_codes"}},
        ),
        Check(
            "period_not_in_future",
            CRITICAL,
            "报告期晚于报送时间（未来月份）",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "load_month_index", "column_B": "period_month_index", "or_equal": True},
        ),
        Check(
            "period_not_before_plan",
            WARNING,
            "报告期早于规划基期",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {
                "column_A": "period_month_index",
                "column_B": "earliest_month_index",
                "or_equal": True,
                "ignore_row_if": _MISSING,
            },
        ),
        Check(
            "unit_is_canonical",
            CRITICAL,
            "入库单位不是指标的标准单位",
            "expect_column_pair_values_to_be_equal",
            {"column_A": "unit", "column_B": "canonical_unit"},
        ),
        Check(
            "unit_convertible",
            CRITICAL,
            "报送单位无法换算为指标的标准单位",
            "expect_column_pair_values_to_be_equal",
            {"column_A": "original_unit_dimension", "column_B": "canonical_unit_dimension"},
        ),
        Check(
            "value_not_below_plausible_min",
            CRITICAL,
            "数值低于指标的合理下限",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "value", "column_B": "plausible_min", "or_equal": True, "ignore_row_if": _MISSING},
        ),
        Check(
            "value_not_above_plausible_max",
            CRITICAL,
            "数值高于指标的合理上限",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "plausible_max", "column_B": "value", "or_equal": True, "ignore_row_if": _MISSING},
        ),
        Check(
            "ytd_not_decreasing",
            CRITICAL,
            "本年累计数小于上月累计数",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "value", "column_B": "ytd_previous_month", "or_equal": True, "ignore_row_if": _MISSING},
        ),
        Check(
            "month_over_month_jump",
            WARNING,
            "数值较上月变动超过阈值",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {
                "column_A": "month_over_month_threshold",
                "column_B": "month_over_month_change",
                "or_equal": True,
                "ignore_row_if": _MISSING,
            },
        ),
        Check(
            "revision_jump",
            WARNING,
            "更正后的数值较原报送值变动超过阈值",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {
                "column_A": "revision_threshold",
                "column_B": "revision_change",
                "or_equal": True,
                "ignore_row_if": _MISSING,
            },
        ),
        Check(
            "regions_within_their_total",
            CRITICAL,
            "下级地区数据合计超过本级总量（超出容差）",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "parts_allowed", "column_B": "parts_total", "or_equal": True, "ignore_row_if": _MISSING},
        ),
        Check(
            "group_within_its_members",
            CRITICAL,
            "地区组合（如重点帮扶县）数据超过其组成地区合计（超出容差）",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "members_allowed", "column_B": "value", "or_equal": True, "ignore_row_if": _MISSING},
        ),
        Check(
            "no_duplicate_within_file",
            CRITICAL,
            "同一文件中同一指标、地区、报告期、口径重复填报",
            "expect_compound_columns_to_be_unique",
            {"column_list": ["load_id", "indicator_code", "region_code", "period", "measure"]},
        ),
    ),
)

SUBMISSIONS_FILE_LOADS = Suite(
    name="submissions_file_loads",
    frame="file_loads",
    description="每个报送文件：能否读取，行数是否对账",
    checks=(
        Check(
            "file_readable",
            WARNING,
            "报送文件被拒收、未入库（原因见回执）",
            "expect_column_values_to_be_in_set",
            {"column": "status", "value_set": ["loaded"]},
        ),
        Check(
            "rows_accounted",
            CRITICAL,
            "文件读取行数与入库、隔离、忽略行数之和不符",
            "expect_column_pair_values_to_be_equal",
            {"column_A": "rows_read", "column_B": "rows_accounted"},
        ),
    ),
)

DEPARTMENT_COMPLETENESS = Suite(
    name="department_completeness",
    frame="submission_completeness",
    description="各部门报送的完整性与及时性",
    checks=(
        Check(
            "department_submitted",
            WARNING,
            "部门未报送全部应报数据",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "submissions_received", "column_B": "submissions_expected", "or_equal": True},
        ),
        Check(
            "department_reported_every_indicator",
            WARNING,
            "部门报送缺少应报指标",
            "expect_column_pair_values_a_to_be_greater_than_b",
            {"column_A": "indicators_received", "column_B": "indicators_expected", "or_equal": True},
        ),
        Check(
            "department_on_time",
            WARNING,
            "部门未在截止日前报送",
            "expect_column_values_to_be_in_set",
            {"column": "is_on_time", "value_set": [True]},
        ),
    ),
)

MARTS_TARGET_PROGRESS = Suite(
    name="marts_target_progress",
    frame="target_progress",
    description="目标进展：完成率合理、状态不为空、每个有效目标每月一行",
    checks=(
        Check(
            "status_not_null",
            CRITICAL,
            "目标进展状态为空",
            "expect_column_values_to_not_be_null",
            {"column": "status"},
        ),
        Check(
            "completion_within_bounds",
            WARNING,
            "目标完成率超出合理范围（-100%～1000%）",
            "expect_column_values_to_be_between",
            {"column": "completion_rate", "min_value": -100, "max_value": 1000},
        ),
        Check(
            "one_row_per_target",
            CRITICAL,
            "同一目标同一月份有多行进展",
            "expect_compound_columns_to_be_unique",
            {"column_list": ["target_id", "period"]},
        ),
        Check(
            "every_active_target_present",
            CRITICAL,
            "有效目标缺少本月进展",
            "expect_column_distinct_values_to_contain_set",
            {"column": "target_id", "value_set": {"$PARAMETER": "active_target_ids"}},
        ),
    ),
)

MARTS_REGION_RANKING = Suite(
    name="marts_region_ranking",
    frame="region_ranking",
    description="地区排名：名次连续（并列后跳位）",
    checks=(
        Check(
            "rank_not_null",
            CRITICAL,
            "地区排名为空",
            "expect_column_values_to_not_be_null",
            {"column": "region_rank"},
        ),
        Check(
            "ranks_contiguous",
            CRITICAL,
            "地区排名不连续",
            "expect_column_pair_values_to_be_equal",
            {"column_A": "region_rank", "column_B": "expected_rank"},
        ),
    ),
)

SUITES: dict[str, Suite] = {
    suite.name: suite
    for suite in (
        SUBMISSIONS_OBSERVATIONS,
        SUBMISSIONS_FILE_LOADS,
        DEPARTMENT_COMPLETENESS,
        MARTS_TARGET_PROGRESS,
        MARTS_REGION_RANKING,
    )
}

CHECKPOINTS: dict[str, CheckpointSpec] = {
    spec.name: spec
    for spec in (
        CheckpointSpec("submissions", ("submissions_observations", "submissions_file_loads")),
        CheckpointSpec("marts", ("marts_target_progress", "marts_region_ranking"), needs_marts=True),
        CheckpointSpec("completeness", ("department_completeness",), needs_marts=True),
    )
}


def find_check(suite: str, name: str) -> Check:
    return next(check for check in SUITES[suite].checks if check.name == name)
