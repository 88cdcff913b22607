"""`airflow dags test planwatch_ingest`: one mapped task per landed file, a bad file fails alone; the warehouse
Asset is announced once for a run that loaded a file, never for a run of files already loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from planwatch.ingest.store import FileResult
from planwatch.orchestration.ingest_tasks import raw_tables_changed

from .airflow_support import airflow, airflow_environment, asset_events, initialise, run_ids, task_states


def _statistics_table(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "2024年3月"
    sheet.append(["平凉市统计局 平凉市重点帮扶县主要指标月报（2024年1-3月）"])
    sheet.append(["指标", "计量单位", "庄浪县", "静宁县"])
    sheet.append(["苹果产量", "万吨", 12.5, 30.25])
    sheet.append(["注：快报数"])
    workbook.save(path)


WAREHOUSE_OBSERVATIONS = "planwatch://warehouse/raw/observations"


@pytest.mark.slow
def test_the_ingest_dag_loads_good_files_archives_them_and_fails_a_bad_file_alone(
    tmp_path: Path, airflow_metadata: Path
) -> None:
    """Then the same bytes landed again: the second run ingests them as duplicates and announces nothing."""
    home = tmp_path / "airflow"
    initialise(home, airflow_metadata)
    landing, archive = tmp_path / "landing", tmp_path / "archive"
    landing.mkdir()
    _statistics_table(landing / "平凉市统计局_统计月报_2024-03.xlsx")
    # the same bytes under another name (saving twice can differ: the workbook records its save time)
    shutil.copyfile(landing / "平凉市统计局_统计月报_2024-03.xlsx", landing / "second_copy_with_other_name.xlsx")
    (landing / "damaged.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    warehouse = tmp_path / "w.duckdb"
    environment = airflow_environment(
        home,
        landing_dir=str(landing),
        archive_dir=str(archive),
        warehouse=str(warehouse),
        output_dir=str(tmp_path / "output"),
    )
    completed = airflow(environment, "dags", "test", "planwatch_ingest", "2026-11-01", check=False)
    states = task_states(home, "planwatch_ingest")
    ingest_states = sorted(state for task_id, _, state in states if task_id == "ingest_file")
    assert ingest_states == ["failed", "success", "success"], completed.stdout[-2000:]
    # one Asset event for the run, once the files are in (not one per file): the marts rebuild once
    assert [state for task_id, _, state in states if task_id == "announce_new_observations"] == ["success"]
    assert sorted(p.name for p in archive.iterdir()) == [
        "second_copy_with_other_name.xlsx",
        "平凉市统计局_统计月报_2024-03.xlsx",
    ]
    assert [p.name for p in (tmp_path / "rejected").iterdir()] == ["damaged.xlsx"]
    assert list(landing.iterdir()) == []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        values = connection.sql("select region_code, value from raw.observations order by region_code").fetchall()
        loads = connection.sql("select status, count(*) from raw.file_loads group by all order by 1").fetchall()
    # the second file has the same bytes: it is archived but adds nothing
    assert values == [("620825", 12.5), ("620826", 30.25)]
    assert loads == [("loaded", 1), ("rejected", 1)]
    assert (tmp_path / "output" / "receipts" / "damaged_回执.xlsx").exists()
    [first_run] = run_ids(home, "planwatch_ingest")
    assert asset_events(home) == [(WAREHOUSE_OBSERVATIONS, "planwatch_ingest", first_run, "announce_new_observations")]

    # the department sends the loaded file again: nothing in the warehouse changes, so no rebuild is asked for
    shutil.copyfile(archive / "平凉市统计局_统计月报_2024-03.xlsx", landing / "平凉市统计局_统计月报_2024-03.xlsx")
    again = airflow(environment, "dags", "test", "planwatch_ingest", "2026-11-02", check=False)
    second_run = run_ids(home, "planwatch_ingest")[-1]
    states = task_states(home, "planwatch_ingest", second_run)
    assert [state for task_id, _, state in states if task_id == "ingest_file"] == ["success"], again.stdout[-2000:]
    assert [state for task_id, _, state in states if task_id == "announce_new_observations"] == ["skipped"]
    assert len(asset_events(home)) == 1
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.file_loads").fetchone() == (2,)
    assert list(landing.iterdir()) == []


def _result(status: str, attempt: int = 1, **counts: int) -> dict:
    """A file's result as the mapped ingest_file task returns it (its XCom)."""
    return {**FileResult(f"{status}.xlsx", "ab" * 32, status, **counts).as_json(), "attempt": attempt}


def test_a_run_of_files_already_loaded_changed_no_raw_table() -> None:
    assert not raw_tables_changed([_result("duplicate"), _result("duplicate")], files=2)
    assert not raw_tables_changed([], files=0)  # the landing folder was empty


def test_a_refused_file_is_recorded_and_the_months_check_reads_it() -> None:
    """A refused file's task fails (it returns no result) after its refusal is stored in raw.file_loads, which
    the month's quality check reads: the check is stale until the chain runs again."""
    assert raw_tables_changed([_result("duplicate")], files=2)
    assert raw_tables_changed([], files=1)


def test_one_loaded_file_among_duplicates_changed_the_raw_tables() -> None:
    loaded = _result("loaded", rows_read=2, rows_loaded=2, observations=2)
    assert raw_tables_changed([_result("duplicate"), loaded], files=2)


def test_a_loaded_file_from_which_nothing_was_taken_still_counts_as_a_change() -> None:
    # its file_loads row is what mart_submission_completeness counts as files_taken_nothing
    took_nothing = _result("loaded", rows_read=2, rows_quarantined=2)
    assert took_nothing["took_nothing"] and took_nothing["observations"] == 0
    assert raw_tables_changed([took_nothing], files=1)


def test_a_loaded_file_of_milestone_reports_counts_though_it_holds_no_observation() -> None:
    assert raw_tables_changed([_result("loaded", rows_read=4, rows_loaded=4, milestone_reports=4)], files=1)


def test_a_duplicate_found_on_a_retry_counts_its_first_try_may_have_loaded_it() -> None:
    assert raw_tables_changed([_result("duplicate", attempt=2)], files=1)
    assert not raw_tables_changed([_result("duplicate", attempt=1)], files=1)
