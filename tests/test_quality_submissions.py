"""The submissions suites: each check fails on a bad load with its severity, and a good load passes them all.

Every case is a real DuckDB warehouse holding the real registry and reference tables, with a few
observations written into `raw.observations` / `raw.file_loads` exactly as ingestion writes them,
then checked by the committed GX checkpoints.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import pytest

from planwatch.config import PROJECT_ROOT
from planwatch.ingest.raw_schema import ensure_tables as ensure_raw_tables
from planwatch.quality.frames import read_frames
from planwatch.quality.run import ROWS_CHECKED, run_checks
from planwatch.quality.store import ExpectationOutcome, RunRecord
from planwatch.quality.suites import SUITES
from planwatch.registry.load import load_registry
from planwatch.warehouse import load_registry_tables

PERIOD = "2025-11"
# Two real indicators: a year-to-date flow (亿元, no range) and a stock rate with a plausible range 2.5–5.5 %.
FLOW, FLOW_REGION = "agri_processing_output_value", "640500"
RATE, RATE_REGION = "raw_milk_fat_rate", "230381"
# reported for 平凉's 重点帮扶县 and its two counties
GROUP_INDICATOR, GROUP_INVESTMENT = "consolidation_projects_implemented", "consolidation_projects_investment"


@pytest.fixture(scope="session")
def registry_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the real registry loaded and ingestion's empty raw tables."""
    path = tmp_path_factory.mktemp("quality") / "registry.duckdb"
    con = duckdb.connect(str(path))
    load_registry_tables(con, load_registry(PROJECT_ROOT / "plans"))
    ensure_raw_tables(con)
    con.close()
    return path


def observation(
    load_id: int,
    cell: str,
    indicator: str,
    region: str,
    period: str,
    measure: str,
    value: float,
    unit: str,
    original_unit: str | None = None,
) -> dict:
    return {
        "load_id": load_id,
        "cell": cell,
        "indicator_code": indicator,
        "region_code": region,
        "period": period,
        "measure": measure,
        "value": value,
        "unit": unit,
        "original_unit": original_unit or unit,
    }


LOADS = {
    # load_id: (file name, loaded at)
    1: ("中卫市统计局_统计月报_2025-10.xlsx", dt.datetime(2025, 11, 3, 9)),
    2: ("中卫市统计局_统计月报_2025-11.xlsx", dt.datetime(2025, 12, 4, 9)),
    3: ("中卫市统计局_统计月报_2025-11_更正.xlsx", dt.datetime(2025, 12, 10, 9)),
}


def good_observations() -> list[dict]:
    """October and November of both indicators, consistent, from one file per month."""
    return [
        observation(1, "C4", FLOW, FLOW_REGION, "2025-10", "ytd_value", 30.0, "亿元"),
        observation(1, "C5", RATE, RATE_REGION, "2025-10", "period_end_value", 3.8, "%"),
        observation(2, "C4", FLOW, FLOW_REGION, "2025-11", "ytd_value", 33.0, "亿元"),
        observation(2, "C5", RATE, RATE_REGION, "2025-11", "period_end_value", 3.9, "%"),
    ]


def write_warehouse(
    base: Path, target: Path, observations: list[dict], file_load_changes: dict[int, dict] | None = None
) -> Path:
    """Copy the registry warehouse and append the observations and their files' load records.

    A row names its file and sheet only to spoil them; otherwise they are its load's file and 统计月报.
    """
    shutil.copy(base, target)
    con = duckdb.connect(str(target))
    for row in observations:
        file_name, loaded_at = LOADS[row["load_id"]]
        con.execute(
            """
            insert into raw.observations (
                load_id, file_sha256, file_name, sheet, cell, row_number, department_id, layout, indicator_code,
                region_code, period, measure, value, unit, original_value, original_unit, loaded_at
            ) values (
                $load_id, 'sha' || $load_id, $file_name, $sheet, $cell, 4, 'zhongwei.statistics_bureau', 'template',
                $indicator_code, $region_code, $period, $measure, $value, $unit, cast($value as varchar),
                $original_unit, $loaded_at
            )
            """,
            {"file_name": file_name, "sheet": "统计月报", **row, "loaded_at": loaded_at},
        )
    for load_id in sorted({row["load_id"] for row in observations} | set(file_load_changes or {})):
        file_name, loaded_at = LOADS[load_id]
        count = sum(1 for row in observations if row["load_id"] == load_id)
        record = {
            "load_id": load_id,
            "file_name": file_name,
            "status": "loaded",
            "periods": PERIOD if load_id > 1 else "2025-10",
            "rows_read": count + 2,
            "rows_loaded": count,
            "rows_ignored": 2,
            "loaded_at": loaded_at,
            **(file_load_changes or {}).get(load_id, {}),
        }
        con.execute(
            """
            insert into raw.file_loads (
                load_id, file_name, file_path, sha256, file_size, layout, department_id, periods, status,
                rows_read, rows_loaded, rows_quarantined, rows_ignored, observations, milestone_reports, revisions,
                submitted_at, loaded_at
            ) values (
                $load_id, $file_name, 'landing/' || $file_name, 'sha' || $load_id, 1000, 'template',
                'zhongwei.statistics_bureau', $periods, $status, $rows_read, $rows_loaded, 0, $rows_ignored,
                $rows_loaded, 0, 0, $loaded_at, $loaded_at
            )
            """,
            record,
        )
    con.close()
    return target


@pytest.fixture(scope="session")
def gx_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quality_output")


def check(warehouse: Path, output: Path, store: bool = False) -> RunRecord:
    record, _ = run_checks(warehouse, PERIOD, output, ["submissions"], store=store, data_docs=store)
    return record


def outcome(record: RunRecord, name: str) -> ExpectationOutcome:
    (found,) = [item for item in record.outcomes if item.check_name == name]
    return found


def test_a_consistent_load_passes_every_submissions_check(registry_warehouse: Path, tmp_path: Path, gx_output: Path):
    record = check(write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations()), gx_output)
    failed = [item.qualified_name for item in record.outcomes if not item.success]
    assert failed == []
    assert {item.suite for item in record.outcomes} == {"submissions_observations", "submissions_file_loads"}
    declared = len(SUITES["submissions_observations"].checks) + len(SUITES["submissions_file_loads"].checks)
    assert len(record.outcomes) == declared + 2  # and each suite's rows checked
    rows = {item.suite: item.element_count for item in record.outcomes if item.check_name == ROWS_CHECKED}
    assert rows == {"submissions_observations": 2, "submissions_file_loads": 1}  # November's file and its rows


def test_a_suite_that_checked_no_rows_in_a_month_with_submissions_fails(
    registry_warehouse: Path, tmp_path: Path, gx_output: Path
):
    # November's file arrived, but every one of its rows was set aside: nothing of the month to check
    october = [row for row in good_observations() if row["period"] == "2025-10"]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", october, {2: {"rows_loaded": 0}})
    rows = {item.suite: item for item in check(warehouse, gx_output).outcomes if item.check_name == ROWS_CHECKED}
    found = rows["submissions_observations"]
    assert (found.success, found.severity, found.element_count) == (False, "critical", 0)
    assert rows["submissions_file_loads"].success and rows["submissions_file_loads"].element_count == 1
    assert "未检查到任何数据行" in found.message


def test_a_month_whose_files_owe_no_figures_needs_no_observations_to_check(
    registry_warehouse: Path, tmp_path: Path, gx_output: Path
):
    # November's only file is from a department that owes no figure that month (its indicators are
    # annual; a milestone-only template): no observations is right, not a suite that checked nothing
    october = [row for row in good_observations() if row["period"] == "2025-10"]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", october, {2: {"rows_loaded": 0}})
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw.expected_submissions set expected_indicators = 0 "
            "where period = ? and department_id = 'zhongwei.statistics_bureau'",
            [PERIOD],
        )
    rows = {item.suite: item for item in check(warehouse, gx_output).outcomes if item.check_name == ROWS_CHECKED}
    assert rows["submissions_observations"].success and rows["submissions_observations"].element_count == 0
    assert rows["submissions_file_loads"].success and rows["submissions_file_loads"].element_count == 1


def _replace(rows: list[dict], index: int, **changes: object) -> list[dict]:
    rows = [dict(row) for row in rows]
    rows[index].update(changes)
    return rows


NOVEMBER_FLOW, NOVEMBER_RATE = 2, 3

BAD_CASES = {
    # check name: (severity, observations, the cell, or the fields, that name the failing row)
    **{
        f"required_{column}": ("critical", _replace(good_observations(), NOVEMBER_FLOW, **{column: "  "}), "C4")
        for column in ("indicator_code", "region_code", "period", "measure", "unit", "file_name", "sheet")
    },
    # a row without its cell address is named by what it holds
    "required_cell": (
        "critical",
        _replace(good_observations(), NOVEMBER_FLOW, cell="  "),
        {"indicator_code": FLOW, "period": PERIOD, "value": 33.0},
    ),
    # raw.observations.value is NOT NULL, but a DOUBLE holds NaN, which is no figure either
    "required_value": ("critical", _replace(good_observations(), NOVEMBER_FLOW, value=math.nan), "C4"),
    "period_is_a_month": (
        "critical",
        [*good_observations(), observation(2, "C9", FLOW, FLOW_REGION, "2025-13", "ytd_value", 34.0, "亿元")],
        "C9",
    ),
    "region_code_known": ("critical", _replace(good_observations(), NOVEMBER_RATE, region_code="999999"), "C5"),
    "indicator_code_known": (
        "critical",
        _replace(good_observations(), NOVEMBER_RATE, indicator_code="no_such_indicator"),
        "C5",
    ),
    "period_not_in_future": (
        "critical",
        [*good_observations(), observation(2, "C9", RATE, RATE_REGION, "2026-03", "period_end_value", 3.9, "%")],
        "C9",
    ),
    "period_not_before_plan": (
        "warning",
        [*good_observations(), observation(2, "C9", RATE, RATE_REGION, "2015-06", "period_end_value", 3.9, "%")],
        "C9",
    ),
    "unit_is_canonical": ("critical", _replace(good_observations(), NOVEMBER_FLOW, unit="万元"), "C4"),
    "unit_convertible": ("critical", _replace(good_observations(), NOVEMBER_FLOW, original_unit="头"), "C4"),
    "value_not_below_plausible_min": ("critical", _replace(good_observations(), NOVEMBER_RATE, value=1.5), "C5"),
    "value_not_above_plausible_max": ("critical", _replace(good_observations(), NOVEMBER_RATE, value=9.0), "C5"),
    "ytd_not_decreasing": ("critical", _replace(good_observations(), NOVEMBER_FLOW, value=28.0), "C4"),
    "month_over_month_jump": (
        "warning",
        _replace(_replace(good_observations(), 1, value=2.6), NOVEMBER_RATE, value=5.4),
        "C5",
    ),
    "revision_jump": (
        "warning",
        [*good_observations(), observation(3, "C4", FLOW, FLOW_REGION, "2025-11", "ytd_value", 40.0, "亿元")],
        "C4",
    ),
    # 中宁县 and 海原县 report 40 亿元 of the city's 33: the city's figure is the failing row
    "regions_within_their_total": (
        "critical",
        [
            *good_observations(),
            observation(2, "C6", FLOW, "640521", "2025-11", "ytd_value", 25.0, "亿元"),
            observation(2, "C7", FLOW, "640522", "2025-11", "ytd_value", 15.0, "亿元"),
        ],
        "C4",
    ),
    # 重点帮扶县 reports 300 projects; its members 庄浪县 and 静宁县 report 138 + 131 = 269
    "group_within_its_members": (
        "critical",
        [
            *good_observations(),
            observation(2, "D4", GROUP_INDICATOR, "620800-key_counties", "2025-11", "period_end_value", 300.0, "个"),
            observation(2, "D5", GROUP_INDICATOR, "620825", "2025-11", "period_end_value", 138.0, "个"),
            observation(2, "D6", GROUP_INDICATOR, "620826", "2025-11", "period_end_value", 131.0, "个"),
        ],
        "D4",
    ),
    "no_duplicate_within_file": (
        "critical",
        [*good_observations(), observation(2, "C9", FLOW, FLOW_REGION, "2025-11", "ytd_value", 33.5, "亿元")],
        "C9",
    ),
}


def rows_of_the_month(observations: list[dict]) -> int:
    """Every row of every load that reported a figure for the month: what the month's checks must see."""
    loads = {row["load_id"] for row in observations if row["period"] == PERIOD}
    return sum(1 for row in observations if row["load_id"] in loads)


@pytest.mark.parametrize("check_name", sorted(BAD_CASES))
def test_a_bad_load_fails_the_check_with_its_severity_naming_the_cell(
    check_name: str, registry_warehouse: Path, tmp_path: Path, gx_output: Path
):
    severity, observations, cell = BAD_CASES[check_name]
    record = check(write_warehouse(registry_warehouse, tmp_path / "w.duckdb", observations), gx_output)
    found = outcome(record, check_name)
    assert not found.success
    assert found.severity == severity
    assert found.unexpected_count and found.unexpected_count >= 1
    # the spoilt row is checked with the rest of its file, not left out of the month
    assert found.element_count == rows_of_the_month(observations)
    named = cell if isinstance(cell, dict) else {"cell": cell}
    assert any(named.items() <= row.items() for row in found.sample_rows)
    # even a row that lost its file name is traced to its file through the load record
    assert any(name.startswith("中卫市统计局_统计月报_2025-11") for name in found.files)


def _with_rate(october: float, november: float) -> list[dict]:
    return _replace(_replace(good_observations(), 1, value=october), NOVEMBER_RATE, value=november)


# Figures that come close to a check's line without crossing it: the check sees them and passes.
NEAR_MISSES = {
    "value_not_below_plausible_min": _with_rate(2.6, 2.5),  # the range's ends belong to it
    "value_not_above_plausible_max": _with_rate(5.5, 5.5),
    "ytd_not_decreasing": _replace(good_observations(), NOVEMBER_FLOW, value=30.0),  # a flat month
    "month_over_month_jump": _with_rate(3.0, 4.4),  # +47 %, under a stock's 50 %
    "revision_jump": [
        *good_observations(),
        observation(3, "C4", FLOW, FLOW_REGION, "2025-11", "ytd_value", 34.5, "亿元"),  # +4.5 %, under 5 %
    ],
    # the counties add up to the city's 33 plus the 1 % tolerance, no more
    "regions_within_their_total": [
        *good_observations(),
        observation(2, "C6", FLOW, "640521", "2025-11", "ytd_value", 20.0, "亿元"),
        observation(2, "C7", FLOW, "640522", "2025-11", "ytd_value", 13.33, "亿元"),
    ],
    # the group at its members' 269 plus the 1 % tolerance, no more; and a group whose members did not all
    # report is not judged against the one that did
    "group_within_its_members": [
        *good_observations(),
        observation(2, "D4", GROUP_INDICATOR, "620800-key_counties", "2025-11", "period_end_value", 271.69, "个"),
        observation(2, "D5", GROUP_INDICATOR, "620825", "2025-11", "period_end_value", 138.0, "个"),
        observation(2, "D6", GROUP_INDICATOR, "620826", "2025-11", "period_end_value", 131.0, "个"),
        observation(
            2, "D7", "consolidation_projects_investment", "620800-key_counties", "2025-11", "ytd_value", 26.0, "亿元"
        ),
        observation(2, "D8", "consolidation_projects_investment", "620825", "2025-11", "ytd_value", 10.9, "亿元"),
    ],
    # the same figure again in a later file is a revision, not a duplicate within a file
    "no_duplicate_within_file": [
        *good_observations(),
        observation(3, "C4", FLOW, FLOW_REGION, "2025-11", "ytd_value", 33.0, "亿元"),
    ],
    # 万元 converts to 亿元: a submission in another unit of the same dimension
    "unit_convertible": _replace(good_observations(), NOVEMBER_FLOW, original_unit="万元"),
    # the rate's plan starts in 2023, so figures from January 2022 (its base year) on are in time
    "period_not_before_plan": [
        *good_observations(),
        observation(2, "C9", RATE, RATE_REGION, "2022-01", "period_end_value", 3.9, "%"),
    ],
    # a figure for the month the file is sent in is not in the future
    "period_not_in_future": [
        *good_observations(),
        observation(2, "C9", RATE, RATE_REGION, "2025-12", "period_end_value", 3.9, "%"),
    ],
}


@pytest.mark.parametrize("check_name", sorted(NEAR_MISSES))
def test_a_figure_close_to_the_line_passes_the_check(
    check_name: str, registry_warehouse: Path, tmp_path: Path, gx_output: Path
):
    observations = NEAR_MISSES[check_name]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", observations)
    found = outcome(check(warehouse, gx_output), check_name)
    assert (found.success, found.unexpected_count) == (True, 0)
    assert found.element_count == rows_of_the_month(observations)


FILE_LOAD_BAD_CASES = {
    # check name: (severity, changes to the load records, the file that should be named)
    "rows_accounted": ("critical", {2: {"rows_read": 99}}, "中卫市统计局_统计月报_2025-11.xlsx"),
    "file_readable": (
        "warning",
        {3: {"status": "rejected", "rows_read": 0, "rows_loaded": 0, "rows_ignored": 0}},
        "中卫市统计局_统计月报_2025-11_更正.xlsx",
    ),
}


@pytest.mark.parametrize("check_name", sorted(FILE_LOAD_BAD_CASES))
def test_a_bad_file_load_fails_the_check_with_its_severity_naming_the_file(
    check_name: str, registry_warehouse: Path, tmp_path: Path, gx_output: Path
):
    severity, changes, file_name = FILE_LOAD_BAD_CASES[check_name]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations(), changes)
    found = outcome(check(warehouse, gx_output), check_name)
    assert (found.success, found.severity, found.files) == (False, severity, [file_name])


def test_a_refused_file_that_names_two_months_is_found_in_each(
    registry_warehouse: Path, tmp_path: Path, gx_output: Path
):
    """ingest records a file's months comma-separated ('2025-10,2025-11'): the check reads it in either month."""
    refused = {
        3: {"status": "rejected", "rows_read": 0, "rows_loaded": 0, "rows_ignored": 0, "periods": "2025-10,2025-11"}
    }
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations(), refused)
    found = outcome(check(warehouse, gx_output), "file_readable")
    assert (found.success, found.files) == (False, ["中卫市统计局_统计月报_2025-11_更正.xlsx"])


def test_the_run_is_stored_with_sample_rows_and_data_docs(registry_warehouse: Path, tmp_path: Path, gx_output: Path):
    observations = BAD_CASES["ytd_not_decreasing"][1]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", observations)
    record = check(warehouse, tmp_path / "output", store=True)
    assert record.data_docs and Path(record.data_docs).exists()
    con = duckdb.connect(str(warehouse), read_only=True)
    stored = con.execute(
        """
        select severity, success, unexpected_count, files, sample_rows::json->0->>'cell'
        from quality.expectation_results where run_id = ? and check_name = 'ytd_not_decreasing'
        """,
        [record.run_id],
    ).fetchone()
    run = con.execute("select passed, critical_failures from quality.runs where run_id = ?", [record.run_id]).fetchone()
    view = con.execute("select period, check_name from quality.check_results where severity = 'critical'").fetchall()
    con.close()
    assert stored == ("critical", False, 1, "中卫市统计局_统计月报_2025-11.xlsx", "C4")
    assert run == (False, 1)
    assert view == [(dt.date(2025, 11, 30), "ytd_not_decreasing")]


def _progress_standing_on(
    warehouse: Path, actual_as_of: dt.date, load_id: int, year_before: tuple[int, float] | None = None
) -> None:
    """A running target's progress in November whose actual is FLOW_REGION's figure of `actual_as_of`,
    the current one from load `load_id` (as the marts record it); `year_before` (load, value): the figure
    a year earlier it is compared with (同比), current from that load."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create table marts.fct_target_progress as select date '2025-11-30' as period, "
            "? as indicator_code, ? as region_code, cast(? as date) as actual_as_of, false as is_final_verdict, "
            "'on_track' as status, cast(? as double) as reported_value_a_year_earlier",
            [FLOW, FLOW_REGION, actual_as_of, year_before[1] if year_before else None],
        )
        con.execute(
            "create table marts.fct_observation as select ? as load_id, ? as indicator_code, ? as region_code, "
            "cast(? as date) as period",
            [load_id, FLOW, FLOW_REGION, actual_as_of],
        )
        if year_before:
            con.execute(
                "insert into marts.fct_observation values (?, ?, ?, ?)",
                [year_before[0], FLOW, FLOW_REGION, dt.date(actual_as_of.year - 1, actual_as_of.month, 30)],
            )


@pytest.mark.parametrize("stands_on_october", [True, False])
def test_a_month_is_checked_with_the_earlier_files_its_progress_stands_on(
    stands_on_october: bool, registry_warehouse: Path, tmp_path: Path
):
    """October's counties add up past their city; November's briefing shows October's figure as current
    (no November figure of it yet): October's file is checked with November's, and its critical failure
    is November's. When November's progress stands on November's own figure, October's file is not."""
    observations = [
        *good_observations(),
        observation(1, "C6", FLOW, "640521", "2025-10", "ytd_value", 25.0, "亿元"),
        observation(1, "C7", FLOW, "640522", "2025-10", "ytd_value", 15.0, "亿元"),
    ]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", observations)
    if stands_on_october:
        _progress_standing_on(warehouse, dt.date(2025, 10, 31), load_id=1)
    else:
        _progress_standing_on(warehouse, dt.date(2025, 11, 30), load_id=2)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = read_frames(con, PERIOD, include_marts=False).frames["observations"]
    october = frame[frame["period"] == "2025-10"]
    if not stands_on_october:
        assert october.empty
        return
    # the figure in use and its file's other regions of the same indicator and month, not the file's other indicators
    assert set(october["cell"]) == {"C4", "C6", "C7"}
    city = october[october["region_code"] == FLOW_REGION].iloc[0]
    assert city["parts_total"] == 40.0 and city["parts_allowed"] < city["parts_total"]  # the critical check fails


@pytest.mark.parametrize("compared", [True, False])
def test_a_month_is_checked_with_the_files_a_year_before_its_figures_are_compared_with(
    compared: bool, registry_warehouse: Path, tmp_path: Path
):
    """November 2024's counties add up past their city; November 2025's briefing compares the city's figure
    with it (同比): that file is checked with November's, and its critical failure blocks November's
    briefing. Without a 同比 the year-old file is not checked."""
    observations = [
        *good_observations(),
        observation(1, "C4", FLOW, FLOW_REGION, "2024-11", "ytd_value", 30.0, "亿元"),
        observation(1, "C6", FLOW, "640521", "2024-11", "ytd_value", 25.0, "亿元"),
        observation(1, "C7", FLOW, "640522", "2024-11", "ytd_value", 15.0, "亿元"),
    ]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", observations)
    _progress_standing_on(warehouse, dt.date(2025, 11, 30), load_id=2, year_before=(1, 30.0) if compared else None)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = read_frames(con, PERIOD, include_marts=False).frames["observations"]
    a_year_before = frame[frame["period"] == "2024-11"]
    if not compared:
        assert a_year_before.empty
        return
    assert set(a_year_before["cell"]) == {"C4", "C6", "C7"}
    city = a_year_before[a_year_before["region_code"] == FLOW_REGION].iloc[0]
    assert city["parts_total"] == 40.0 and city["parts_allowed"] < city["parts_total"]  # the critical check fails


def test_a_group_of_counties_is_checked_against_its_members_and_is_no_part_of_its_city(
    registry_warehouse: Path, tmp_path: Path
):
    """平凉's 重点帮扶县 is 庄浪县 + 静宁县 (members in the reference): its 262 projects against their 138 + 131
    fail regions_within_their_total; the city's 300 is checked against its counties alone, 269, not
    against them and the group they make (531)."""
    indicator, group, city = "consolidation_projects_implemented", "620800-key_counties", "620800"
    observations = [
        *good_observations(),
        observation(2, "D4", indicator, group, PERIOD, "period_end_value", 262.0, "个"),
        observation(2, "D5", indicator, "620825", PERIOD, "period_end_value", 138.0, "个"),
        observation(2, "D6", indicator, "620826", PERIOD, "period_end_value", 131.0, "个"),
        observation(2, "D7", indicator, city, PERIOD, "period_end_value", 300.0, "个"),
    ]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", observations)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = read_frames(con, PERIOD, include_marts=False).frames["observations"]
    totals = {row.region_code: (row.parts_total, row.parts_allowed) for row in frame.itertuples() if row.cell >= "D4"}
    assert totals[group][0] == 269.0 and totals[group][1] < 269.0  # the check fails on the group's row
    assert totals[city][0] == 269.0 and totals[city][1] >= 269.0  # the city holds its counties
    record = check(warehouse, tmp_path / "gx")
    failed = outcome(record, "regions_within_their_total")
    assert not failed.success and failed.unexpected_count == 1
    assert any(row.get("cell") == "D4" for row in failed.sample_rows)


def test_a_warehouse_whose_registry_was_loaded_before_region_groups_is_still_checked(
    registry_warehouse: Path, tmp_path: Path
):
    """raw.ref_regions without its members column (a registry loaded by an earlier planwatch): no group,
    and the counties still add up under their city."""
    observations = [
        *good_observations(),
        observation(2, "C6", FLOW, "640521", PERIOD, "ytd_value", 25.0, "亿元"),
        observation(2, "C7", FLOW, "640522", PERIOD, "ytd_value", 15.0, "亿元"),
    ]
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", observations)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table raw.ref_regions drop column members")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = read_frames(con, PERIOD, include_marts=False).frames["observations"]
    city = frame[(frame["region_code"] == FLOW_REGION) & (frame["period"] == PERIOD)].iloc[0]
    assert city["parts_total"] == 40.0
