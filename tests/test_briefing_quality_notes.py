"""The briefing's notes on figures that contradict each other, read from marts as dbt builds them.

Two figures of one quantity that disagree are told, with both values and the file, in the data
quality section of the briefings that use them: a 同比 base (the figure reported a year earlier) that
this year's report restates otherwise as 上年同期. The marts here are written as tables with the columns
the notes read (as tests/test_quality_marts.py does for the quality suites); the SQL and the wording
are planwatch's own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from planwatch.briefing import marts
from planwatch.briefing.gather import plausibility_note, prior_year_note

DECEMBER = dt.date(2025, 12, 31)


def _marts_warehouse(path: Path, tables: dict[str, list[dict]]) -> Path:
    """A warehouse whose marts are `tables` (name → rows), written as given."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for name, rows in tables.items():
            frame = pd.DataFrame(rows)  # noqa: F841  (read by name below)
            con.execute(f"create table marts.{name} as select * from frame")
    return path


def _marts(path: Path, restated: float) -> Path:
    """静宁县's 蔬菜产量: 2024 reported as 33.43万吨, restated as `restated` in the 2025-12 file."""
    tables = {
        "fct_target_progress": [
            {
                "target_id": "pingliang.vegetable_output.620826.2025",
                "period": DECEMBER,
                "indicator_code": "vegetable_output",
                "region_code": "620826",
                "actual_as_of": DECEMBER,
                "reported_value_a_year_earlier": 33.43,
            }
        ],
        "fct_observation": [
            {
                "indicator_code": "vegetable_output",
                "region_code": "620826",
                "period": DECEMBER,
                "measure": measure,
                "value": value,
                "file_name": "平凉市农业农村局_2025-12_填报模板.xlsx",
            }
            for measure, value in (("ytd_value", 14.85), ("prior_year_ytd_value", restated))
        ],
        "dim_indicator": [
            {
                "indicator_code": "vegetable_output",
                "indicator_name": "蔬菜产量",
                "aggregation": "additive_flow",
                "canonical_unit": "万吨",
            }
        ],
        "dim_region": [{"region_code": "620826", "region_name": "静宁县"}],
    }
    return _marts_warehouse(path, tables)


@pytest.mark.parametrize(("restated", "told"), [(13.93, True), (33.5, False)])
def test_a_year_on_year_base_restated_otherwise_is_told_with_both_figures(
    tmp_path: Path, restated: float, told: bool
) -> None:
    warehouse = _marts(tmp_path / "w.duckdb", restated)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = marts.prior_year_disagreements(con, ["pingliang.vegetable_output.620826.2025"], DECEMBER, 0.05)
    if not told:  # 33.5 against 33.43: within the tolerance, nothing to tell
        assert rows == []
        return
    [row] = rows
    assert prior_year_note(row) == (
        "上年同期数据前后不一致：静宁县蔬菜产量2024年原报33.43万吨，平凉市农业农村局_2025-12_填报模板.xlsx中"
        "“上年同期”为13.93万吨；同比按原报数计算，请报送部门核实"
    )


def test_a_plan_baseline_is_checked_against_the_base_year_reported_only_as_last_years_column(tmp_path: Path) -> None:
    """庄浪县's 衔接资金用于优势特色产业比重: the plan's base 2022 is 55.0%; 2022 was never reported as such, but the
    2023-12 report's 上年同期 column says 63.8%: the disagreement is found as for a direct report."""
    tables = {
        "fct_target_progress": [
            {
                "target_id": "pingliang.linkage_funds_share.620825.2025",
                "period": DECEMBER,
                "indicator_code": "linkage_funds_share",
                "region_code": "620825",
                "unit": "%",
                "baseline_value": 55.0,
                "baseline_as_of": dt.date(2022, 12, 31),
                "baseline_source": "registry",
                "measure_space": "level",
                "target_kind": "level",
            }
        ],
        "fct_observation": [
            {
                "indicator_code": "linkage_funds_share",
                "region_code": "620825",
                "period": dt.date(2023, 12, 31),
                "measure": measure,
                "value": value,
                "file_name": "平凉市财政局_2023-12_填报模板.xlsx",
            }
            for measure, value in (("ytd_value", 66.2), ("prior_year_ytd_value", 63.8))
        ],
        "dim_indicator": [
            {
                "indicator_code": "linkage_funds_share",
                "indicator_name": "财政衔接推进乡村振兴补助资金用于优势特色产业比重",
                "aggregation": "averaged_flow",
                "canonical_unit": "%",
            }
        ],
        "dim_region": [{"region_code": "620825", "region_name": "庄浪县"}],
    }
    path = _marts_warehouse(tmp_path / "w.duckdb", tables)
    with duckdb.connect(str(path), read_only=True) as con:
        [row] = marts.baseline_disagreements(con, ["pingliang.linkage_funds_share.620825.2025"], DECEMBER, 0.05)
    assert (row["region_name"], row["baseline_value"], row["reported_value"]) == ("庄浪县", 55.0, 63.8)
    assert row["file_name"] == "平凉市财政局_2023-12_填报模板.xlsx"


@pytest.mark.parametrize("base_doubted", [True, False])
def test_a_warning_on_the_figure_a_doubted_year_on_year_compares_against_is_a_note(
    tmp_path: Path, base_doubted: bool
) -> None:
    """March 2026's briefing judges 静宁县's 蔬菜产量 by 2025's total, whose 同比 compares against 2024's: a
    warning on 2024's figure (reported for it, or in 2025's 上年同期 column) is the note behind the 同比's ※
    (fct_target_progress.is_yoy_base_doubted); warnings on figures the 同比 does not compare against are not."""
    march = dt.date(2026, 3, 31)

    def finding(period: dt.date, measure: str, file_name: str, cell: str) -> dict[str, object]:
        return {
            "period": period,
            "measure": measure,
            "file_name": file_name,
            "sheet": "表1",
            "cell": cell,
            "indicator_code": "vegetable_output",
            "region_code": "620826",
            "severity": "warning",
            "check_name": "jump_from_last_year",
            "message": f"数据合理性提示：本表填报静宁县蔬菜产量{period:%Y年}为143.3万吨，请核实",
            "value": 143.3,
            "department_id": "pingliang.agriculture",
        }

    tables = {
        "fct_target_progress": [
            {
                "target_id": "pingliang.vegetable_output.620826.2026",
                "period": march,
                "indicator_code": "vegetable_output",
                "region_code": "620826",
                "actual_as_of": DECEMBER,
                "actual_file_name": "2025年报.xlsx",
                "actual_sheet": "表1",
                "actual_cell": "C5",
                "is_yoy_base_doubted": base_doubted,
                "is_mom_base_doubted": False,
            }
        ],
        "fct_plausibility_finding": [
            finding(dt.date(2024, 12, 31), "ytd_value", "2024年报.xlsx", "C5"),  # the base, reported for 2024
            finding(DECEMBER, "prior_year_ytd_value", "2025年报.xlsx", "D5"),  # the base, as 2025's 上年同期
            finding(DECEMBER, "ytd_value", "另一单位2025年报.xlsx", "C5"),  # 2025's, not the one judged by
            finding(dt.date(2023, 12, 31), "ytd_value", "2023年报.xlsx", "C5"),  # compared against by nothing
        ],
        "dim_department": [{"department_id": "pingliang.agriculture", "department_name": "平凉市农业农村局"}],
    }
    path = _marts_warehouse(tmp_path / "w.duckdb", tables)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = marts.plausibility_warnings(
            con, ["vegetable_output"], ["620826"], ["pingliang.vegetable_output.620826.2026"], march
        )
    listed = sorted((row["period"], row["measure"]) for row in rows)
    assert listed == ([("2024-12", "ytd_value"), ("2025-12", "prior_year_ytd_value")] if base_doubted else [])
    if base_doubted:
        assert plausibility_note(rows[0]) == (
            "数据合理性提示（同比变动过大）：平凉市农业农村局填报静宁县蔬菜产量2024年为143.3万吨；"
            "该数据已采用，请报送部门核实"
        )
