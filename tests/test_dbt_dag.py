"""`airflow dags test planwatch_transform`: the DAG runs dbt build on the configured warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from .airflow_support import airflow, airflow_environment, initialise, task_states


@pytest.mark.slow
def test_the_transform_dag_builds_the_marts_on_the_configured_warehouse(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    initialise(home)
    warehouse = tmp_path / "w.duckdb"
    environment = airflow_environment(home, warehouse=str(warehouse), output_dir=str(tmp_path / "output"))
    from planwatch.config import PROJECT_ROOT
    from planwatch.registry.load import load_registry
    from planwatch.warehouse import connect, load_registry_tables

    with connect(warehouse) as connection:
        load_registry_tables(connection, load_registry(PROJECT_ROOT / "plans"))
        connection.execute("""
            create table raw.observations (load_id bigint, file_sha256 varchar, file_name varchar, sheet varchar,
              cell varchar, row_number integer, department_id varchar, layout varchar, indicator_code varchar,
              region_code varchar, period varchar, measure varchar, value double, unit varchar,
              original_value varchar, original_unit varchar, loaded_at timestamp)
        """)
        connection.execute("""
            insert into raw.observations values
              (1, 'x', '呼和浩特市统计局_统计月报_2021-06.xlsx', '2021年6月', 'C6', 6, 'hohhot.statistics_bureau',
               'stats_bureau_regions_as_columns', 'coarse_grain_oilseed_revenue', '150100', '2021-06', 'ytd_value',
               3.25, '亿元', '3.25', '亿元', now())
        """)
        connection.execute("""create table raw.milestone_reports (load_id bigint, file_sha256 varchar,
              file_name varchar, sheet varchar, cell varchar, row_number integer, department_id varchar,
              milestone_id varchar, period varchar, status varchar, percent_complete double, note varchar,
              loaded_at timestamp)""")
        connection.execute("""create table raw.file_loads (load_id bigint, file_name varchar, file_path varchar,
              sha256 varchar, file_size bigint, encoding varchar, layout varchar, department_id varchar,
              periods varchar, status varchar, rejection_reason varchar, rows_read integer, rows_loaded integer,
              rows_quarantined integer, rows_ignored integer, observations integer, milestone_reports integer,
              revisions integer, ignored_columns varchar, loaded_at timestamp)""")
    completed = airflow(environment, "dags", "test", "planwatch_transform", "2026-11-01", check=False)
    states = task_states(home, "planwatch_transform")
    assert [(task_id, state) for task_id, _, state in states] == [("dbt_build", "success")], completed.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute("""
            select status, completion_rate, time_progress from marts.fct_target_progress
            where target_id = 'hohhot.coarse_grain_oilseed_revenue.150100.2021' and period = date '2021-06-30'
        """).fetchall()
    # 3.25 of 6.5 亿元 by June: completion 50, time progress 50
    assert row == [("on_track", 50.0, 50.0)]


def test_the_transform_dag_is_scheduled_on_the_ingest_asset_and_takes_the_writer_pool(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    from .airflow_support import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    dag = bag.dags["planwatch_transform"]
    produced = {outlet.uri for task in bag.dags["planwatch_ingest"].tasks for outlet in task.outlets}
    assert "planwatch://warehouse/raw/observations" in produced
    assert "planwatch://warehouse/raw/observations" in str(dag.timetable.asset_condition)
    assert dag.get_task("dbt_build").pool == "duckdb_writer"
