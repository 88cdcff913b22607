"""The marts and completeness suites, on small mart tables with the columns issue 4's marts carry.

Building the real marts takes dbt about 20 s, so these cases write `marts.*` tables by hand (same
names and columns as dbt_project/models/marts) into a real DuckDB warehouse that also holds a good
month of submissions; the end-to-end run on dbt's marts is the slow sample test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from planwatch.quality.run import run_checks
from planwatch.quality.store import RunRecord
from tests.test_quality_submissions import PERIOD, good_observations, outcome, registry_warehouse, write_warehouse

__all__ = ["registry_warehouse"]  # the session fixture, shared

NOVEMBER = dt.date(2025, 11, 30)


def good_marts() -> dict[str, list[dict]]:
    return {
        "dim_plan": [
            {"plan_id": "p1", "period_start": dt.date(2023, 1, 1), "followed_until": dt.date(2026, 12, 31)},
            # not yet active in November 2025
            {"plan_id": "p2", "period_start": dt.date(2026, 1, 1), "followed_until": dt.date(2028, 12, 31)},
            # ended, its final assessment over: no target of it is expected in November 2025
            {"plan_id": "p0", "period_start": dt.date(2019, 1, 1), "followed_until": dt.date(2024, 12, 31)},
        ],
        "dim_target": [
            {"target_id": "t0", "plan_id": "p0"},
            {"target_id": "t1", "plan_id": "p1"},
            {"target_id": "t2", "plan_id": "p1"},
            {"target_id": "t3", "plan_id": "p1"},
            {"target_id": "t9", "plan_id": "p2"},
        ],
        "fct_target_progress": [
            {
                "target_id": target,
                "plan_id": "p1",
                "period": NOVEMBER,
                "status": status,
                "completion_rate": rate,
                "actual_file_name": "中卫市统计局_统计月报_2025-11.xlsx",
                "actual_sheet": "统计月报",
                "actual_cell": cell,
                # the month's own figure: no earlier file is in use (frames.figures_in_use)
                "indicator_code": "agri_processing_output_value",
                "region_code": "640500",
                "actual_as_of": NOVEMBER,
                "is_final_verdict": False,
                # and no figure a year before it is compared with (同比)
                "reported_value_a_year_earlier": None,
            }
            for target, status, rate, cell in (
                ("t1", "on_track", 85.0, "C4"),
                ("t2", "lagging", 40.0, "C5"),
                ("t3", "no_data", None, None),
            )
        ],
        "fct_observation": [
            {
                "load_id": 2,
                "indicator_code": "agri_processing_output_value",
                "region_code": "640500",
                "period": NOVEMBER,
            }
        ],
        "mart_region_ranking": [
            {"plan_id": "p1", "region_code": region, "period": NOVEMBER, "region_rank": rank, "is_aggregate": False}
            for region, rank in (("640502", 1), ("640521", 1), ("640522", 3), ("640500", 4))
        ],
        "mart_submission_completeness": [
            {
                "department_id": "zhongwei.statistics_bureau",
                "period": NOVEMBER,
                "due_date": dt.date(2025, 12, 5),
                "submissions_expected": 1,
                "submissions_received": 1,
                "indicators_expected": 2,
                "indicators_received": 2,
                "files_received": 1,
                "first_received_at": dt.datetime(2025, 12, 4, 9),
                "is_on_time": True,
            }
        ],
    }


def write_marts(warehouse: Path, marts: dict[str, list[dict]]) -> Path:
    con = duckdb.connect(str(warehouse))
    con.execute("create schema if not exists marts")
    for table, rows in marts.items():
        frame = pd.DataFrame(rows)  # noqa: F841  (read by name below)
        con.execute(f"create or replace table marts.{table} as select * from frame")
    con.close()
    return warehouse


def check(registry_warehouse: Path, tmp_path: Path, marts: dict[str, list[dict]]) -> RunRecord:
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations())
    write_marts(warehouse, marts)
    record, _ = run_checks(
        warehouse, PERIOD, tmp_path / "output", ["marts", "completeness"], store=False, data_docs=False
    )
    return record


def test_sound_marts_pass_every_marts_and_completeness_check(registry_warehouse: Path, tmp_path: Path):
    record = check(registry_warehouse, tmp_path, good_marts())
    assert [item.qualified_name for item in record.outcomes if not item.success] == []
    assert {item.suite for item in record.outcomes} == {
        "marts_target_progress",
        "marts_region_ranking",
        "department_completeness",
    }


def _broken(table: str, index: int | None, **changes: object) -> dict[str, list[dict]]:
    marts = good_marts()
    if index is None:  # drop the row named by changes["drop"]
        marts[table] = [row for row in marts[table] if row["target_id"] != changes["drop"]]
    else:
        marts[table][index].update(changes)
    return marts


def _duplicated_target() -> dict[str, list[dict]]:
    marts = good_marts()
    marts["fct_target_progress"].append(dict(marts["fct_target_progress"][0]))
    return marts


BAD_CASES = {
    "status_not_null": ("critical", _broken("fct_target_progress", 1, status=None), {"target_id": "t2"}),
    "completion_within_bounds": (
        "warning",
        _broken("fct_target_progress", 0, completion_rate=20890.0),
        {"target_id": "t1"},
    ),
    "one_row_per_target": ("critical", _duplicated_target(), {"target_id": "t1"}),
    "every_active_target_present": ("critical", _broken("fct_target_progress", None, drop="t3"), {"target_id": "t3"}),
    "rank_not_null": ("critical", _broken("mart_region_ranking", 3, region_rank=None), {"region_code": "640500"}),
    "ranks_contiguous": ("critical", _broken("mart_region_ranking", 3, region_rank=6), {"region_code": "640500"}),
    "department_submitted": (
        "warning",
        _broken("mart_submission_completeness", 0, submissions_received=0),
        {"department_id": "zhongwei.statistics_bureau"},
    ),
    "department_reported_every_indicator": (
        "warning",
        _broken("mart_submission_completeness", 0, indicators_received=1),
        {"department_id": "zhongwei.statistics_bureau", "indicators_received": 1},
    ),
    "department_on_time": (
        "warning",
        _broken("mart_submission_completeness", 0, is_on_time=False),
        {"department_id": "zhongwei.statistics_bureau"},
    ),
}


@pytest.mark.parametrize("check_name", sorted(BAD_CASES))
def test_a_bad_mart_fails_the_check_with_its_severity_naming_the_row(
    check_name: str, registry_warehouse: Path, tmp_path: Path
):
    severity, marts, named = BAD_CASES[check_name]
    found = outcome(check(registry_warehouse, tmp_path, marts), check_name)
    assert not found.success
    assert found.severity == severity
    assert any(named.items() <= row.items() for row in found.sample_rows)


def test_the_ranking_check_accepts_ties_that_skip_places(registry_warehouse: Path, tmp_path: Path):
    # 1, 1, 3, 4 is a competition ranking; a missing 2 after a tie is not a gap
    found = outcome(check(registry_warehouse, tmp_path, good_marts()), "ranks_contiguous")
    assert found.success
