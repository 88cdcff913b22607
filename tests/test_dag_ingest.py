"""`airflow dags test planwatch_ingest`: one mapped task per landed file, a bad file fails alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from .airflow_support import airflow, airflow_environment, initialise, task_states


def _statistics_table(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "2024年3月"
    sheet.append(["平凉市统计局 平凉市重点帮扶县主要指标月报（2024年1-3月）"])
    sheet.append(["指标", "计量单位", "庄浪县", "静宁县"])
    sheet.append(["苹果产量", "万吨", 12.5, 30.25])
    sheet.append(["注：快报数"])
    workbook.save(path)


@pytest.mark.slow
def test_the_ingest_dag_loads_good_files_archives_them_and_fails_a_bad_file_alone(
    tmp_path: Path, airflow_metadata: Path
) -> None:
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
