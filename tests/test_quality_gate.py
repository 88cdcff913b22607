"""The publication gate through `planwatch check` and `assert_publishable`: it blocks, and an override releases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.cli.status import status_lines
from planwatch.config import settings
from planwatch.quality.gate import QualityGateError, assert_publishable, record_override
from planwatch.status import warehouse_status
from tests.test_quality_submissions import (
    BAD_CASES,
    PERIOD,
    good_observations,
    registry_warehouse,
    write_warehouse,
)

__all__ = ["registry_warehouse"]  # the session fixture, shared

runner = CliRunner()


def planwatch_check(warehouse: Path, output: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["check", "--warehouse", str(warehouse), "--output", str(output), "--period", PERIOD, *extra],
    )
    return result.exit_code, result.output


def test_a_month_with_a_critical_failure_is_blocked_naming_the_check_and_the_file(
    registry_warehouse: Path, tmp_path: Path
):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    code, output = planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")
    assert code == 1
    assert "submissions_observations.ytd_not_decreasing" in output
    assert "中卫市统计局_统计月报_2025-11.xlsx" in output
    with pytest.raises(QualityGateError) as blocked:
        assert_publishable(warehouse, PERIOD)
    assert "ytd_not_decreasing" in str(blocked.value)
    assert "中卫市统计局_统计月报_2025-11.xlsx" in str(blocked.value)
    # the briefing code passes the month as its last day
    with pytest.raises(QualityGateError):
        assert_publishable(warehouse, dt.date(2025, 11, 30))


def test_an_override_releases_the_month_and_is_recorded_for_the_briefing(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    assert planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")[0] == 1
    code, output = planwatch_check(
        warehouse, tmp_path / "out", "--override", "统计局电话确认10月数据有误，11月数为准", "--operator", "李四"
    )
    assert code == 0, output
    decision = assert_publishable(warehouse, PERIOD)
    assert decision.override is not None
    assert (decision.override.operator, decision.override.checks) == (
        "李四",
        ("submissions_observations.ytd_not_decreasing",),
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    notes = con.execute(
        "select severity, message from quality.check_results where period = ? order by severity",
        [dt.date(2025, 11, 30)],
    ).fetchall()
    con.close()
    assert notes[0][0] == "critical"
    assert notes[1][0] == "override" and "李四" in notes[1][1] and "11月数为准" in notes[1][1]


def test_an_override_does_not_cover_a_new_critical_failure(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")
    planwatch_check(warehouse, tmp_path / "out", "--override", "已核实", "--operator", "李四")
    con = duckdb.connect(str(warehouse))
    con.execute("update raw.observations set region_code = '999999' where cell = 'C5' and load_id = 2")
    con.close()
    code, output = planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")
    assert code == 1
    assert "region_code_known" in output


def test_a_clean_month_is_publishable_and_the_cli_reports_json(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations())
    code, output = planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions", "--json")
    assert code == 0, output
    report = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    assert report["publishable"] is True and report["critical_failures"] == []
    assert Path(report["data_docs"]).is_file()
    assert assert_publishable(warehouse, PERIOD).publishable


def test_a_check_is_stored_in_utc_and_shown_in_china_time_whatever_the_servers_zone(
    registry_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The warehouse stores moments as naive UTC (loads, decisions, checks alike); a server kept on China's
    zone must not store its check 8 hours off the loads it is compared with, nor `status` show it so."""
    import time

    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations())
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        assert planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")[0] == 0
        after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    finally:
        monkeypatch.undo()
        time.tzset()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        started, finished = connection.execute("select started_at, finished_at from quality.runs").fetchone()
        [checked] = connection.execute("select distinct checked_at from quality.expectation_results").fetchone()
    assert before - dt.timedelta(seconds=1) <= started <= finished <= after + dt.timedelta(seconds=1)
    assert checked == finished
    gate_line = next(line for line in status_lines(warehouse_status(settings(), warehouse)) if "quality gate" in line)
    assert f"checked {finished + dt.timedelta(hours=8):%Y-%m-%d %H:%M} (UTC+8)" in gate_line


def test_a_month_never_checked_is_not_publishable(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations())
    with pytest.raises(QualityGateError, match="planwatch check --period 2025-11"):
        assert_publishable(warehouse, PERIOD)


def test_an_override_needs_a_reason_and_a_name(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    code, output = planwatch_check(warehouse, tmp_path / "out", "--override", "已核实")
    assert code == 1 and "--operator" in output


def test_a_failed_check_records_whose_rows_they_are_over_all_of_them_not_only_the_sample(
    registry_warehouse: Path, tmp_path: Path
):
    """The briefing shows a finding only to the plan and region it concerns: the run stores, over every
    unexpected row, the regions and departments (or targets, plans) they belong to, with counts."""
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")
    con = duckdb.connect(str(warehouse), read_only=True)
    unexpected, scope = con.execute(
        "select unexpected_count, scope from quality.expectation_results where check_name = 'ytd_not_decreasing'"
    ).fetchone()
    con.close()
    entries = json.loads(scope)
    assert sum(entry["rows"] for entry in entries) == unexpected
    assert all(entry.get("region_code") or entry.get("department_id") for entry in entries)


def test_scope_counts_every_row_beyond_the_sample_kept_for_reading():
    import pandas as pd

    from planwatch.quality.run import SAMPLE_ROWS, scope_of

    rows = pd.DataFrame(
        {
            "region_code": ["620825"] * 25 + ["620826"] * 5 + [None] * 2,
            "department_id": ["pingliang.stats"] * 30 + [None] * 2,
        }
    )
    entries = scope_of(rows)
    assert len(rows) > SAMPLE_ROWS
    assert {(entry.get("region_code"), entry.get("department_id")): entry["rows"] for entry in entries} == {
        ("620825", "pingliang.stats"): 25,
        ("620826", "pingliang.stats"): 5,
        (None, None): 2,
    }


def test_a_month_whose_data_changed_since_its_check_waits_for_a_new_check(registry_warehouse: Path, tmp_path: Path):
    """A verdict holds for the data the run read: a figure changed since (a file loaded, a month returned,
    the marts rebuilt) voids it, whatever it said, until `planwatch check` reads the month again."""
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations())
    assert planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")[0] == 0
    assert assert_publishable(warehouse, PERIOD).publishable
    # the same rows read back in another order are the same data
    assert assert_publishable(warehouse, PERIOD).publishable

    con = duckdb.connect(str(warehouse))
    con.execute("update raw.observations set value = 34.0 where period = ? and cell = 'C4'", [PERIOD])
    con.close()
    with pytest.raises(QualityGateError, match="changed since its quality check") as stale:
        assert_publishable(warehouse, PERIOD)
    assert f"planwatch check --period {PERIOD}" in str(stale.value)
    # `planwatch status` says so too, rather than the void verdict alone
    gate_line = next(line for line in status_lines(warehouse_status(settings(), warehouse)) if "quality gate" in line)
    assert "changed since its check" in gate_line and PERIOD in gate_line
    assert planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")[0] == 0
    assert assert_publishable(warehouse, PERIOD).publishable


def test_an_override_releases_only_the_data_it_was_given_for(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    assert planwatch_check(warehouse, tmp_path / "out", "--checkpoint", "submissions")[0] == 1
    code, output = planwatch_check(warehouse, tmp_path / "out", "--override", "已电话核实", "--operator", "李四")
    assert code == 0, output
    assert assert_publishable(warehouse, PERIOD).override is not None

    con = duckdb.connect(str(warehouse))
    con.execute("update raw.observations set value = value * 2 where period = ?", [PERIOD])
    con.close()
    with pytest.raises(QualityGateError, match="changed since its quality check"):
        assert_publishable(warehouse, PERIOD)
    with pytest.raises(QualityGateError, match="changed since its quality check"):
        record_override(warehouse, PERIOD, "李四", "已电话核实")


def test_a_range_of_months_is_checked_in_one_run_and_every_blocked_month_named(
    registry_warehouse: Path, tmp_path: Path
):
    """`--period A..B` (a backfill of history) checks each month with data, September has none; a
    blocked month does not stop the next, and the exit status says one was blocked."""
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    result = runner.invoke(
        app,
        [
            "check",
            "--warehouse",
            str(warehouse),
            "--output",
            str(tmp_path / "out"),
            "--period",
            "2025-09..2025-11",
            "--checkpoint",
            "submissions",
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output
    reports = json.loads(next(line for line in result.output.splitlines() if line.startswith("[")))
    assert [(report["period"], report["publishable"]) for report in reports] == [
        ("2025-10", True),
        ("2025-11", False),
    ]
    assert "2 months checked, 1 blocked: 2025-11" in result.output
    assert reports[0]["data_docs"] is None and Path(reports[1]["data_docs"]).is_file()  # built once, at the end
    assert assert_publishable(warehouse, "2025-10").publishable
    with pytest.raises(QualityGateError):
        assert_publishable(warehouse, PERIOD)


def test_a_range_must_run_forwards_and_hold_data(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations())
    backwards = runner.invoke(app, ["check", "--warehouse", str(warehouse), "--period", "2025-11..2025-10"])
    assert backwards.exit_code == 1 and "2025-10..2025-11" in backwards.output
    empty = runner.invoke(app, ["check", "--warehouse", str(warehouse), "--period", "2024-01..2024-06"])
    assert empty.exit_code == 1 and "no data for any month of 2024-01..2024-06" in empty.output
    override = runner.invoke(
        app,
        ["check", "--warehouse", str(warehouse), "--period", "2025-10..2025-11", "--override", "x", "--operator", "y"],
    )
    assert override.exit_code == 1 and "not a range" in override.output


def test_a_range_holding_one_month_with_data_still_answers_as_a_range(registry_warehouse: Path, tmp_path: Path):
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", good_observations())
    result = runner.invoke(
        app,
        [
            *("check", "--warehouse", str(warehouse), "--output", str(tmp_path / "out")),
            *("--period", "2025-11..2025-12", "--checkpoint", "submissions", "--json"),
        ],
    )
    assert result.exit_code == 0, result.output
    [report] = json.loads(next(line for line in result.output.splitlines() if line.startswith("[")))
    assert report["period"] == PERIOD and "1 months checked, 0 blocked" in result.output
