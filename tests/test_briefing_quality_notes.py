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
from planwatch.briefing.gather import prior_year_note

DECEMBER = dt.date(2025, 12, 31)


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
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for name, rows in tables.items():
            frame = pd.DataFrame(rows)  # noqa: F841  (read by name below)
            con.execute(f"create table marts.{name} as select * from frame")
    return path


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
