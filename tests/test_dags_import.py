"""Every DAG imports without error and parses in under a second (Airflow's own DagBag, examples off)."""

from __future__ import annotations

import os

from .airflow_support import PROJECT_ROOT

DAG_IDS = {
    "planwatch_templates",
    "planwatch_ingest",
    "planwatch_transform",
    "planwatch_quality",
    "planwatch_briefing",
    "planwatch_supervision",
    "planwatch_issue",
}


def test_every_dag_imports_without_error_and_parses_in_under_a_second(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from airflow.dag_processing.dagbag import DagBag

    DagBag(dag_folder=str(PROJECT_ROOT / "dags"))  # first pass pays the libraries' import, as a processor does once
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == DAG_IDS
    seconds = {stat.file: stat.duration.total_seconds() for stat in bag.dagbag_stats}
    print("DAG file parse times:", {file: f"{value:.3f}s" for file, value in sorted(seconds.items())})
    assert len(seconds) == len(DAG_IDS)
    assert max(seconds.values()) < 1.0, seconds


def test_every_task_that_opens_the_warehouse_takes_the_one_writer_slot_and_io_tasks_retry(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    opens_warehouse = {
        ("planwatch_ingest", "ingest_file"),
        ("planwatch_transform", "load_registry"),
        ("planwatch_transform", "dbt.dbt_producer_watcher"),
        ("planwatch_transform", "publish_marts"),
        ("planwatch_quality", "check_and_gate"),
        ("planwatch_briefing", "quality_gate"),
        ("planwatch_briefing", "plan_briefings"),  # then the briefings read the run's frozen copy
        ("planwatch_supervision", "remind"),
        ("planwatch_supervision", "follow_up_forms"),
        ("planwatch_issue", "issue"),
    }
    for dag_id, task_id in opens_warehouse:
        assert bag.dags[dag_id].get_task(task_id).pool == "duckdb_writer", (dag_id, task_id)
    # the briefings render in parallel (mapped, from the run's frozen copy), never in the one writer slot
    assert bag.dags["planwatch_briefing"].get_task("render_briefing").pool != "duckdb_writer"
    for dag_id, task_id in [
        ("planwatch_ingest", "ingest_file"),
        ("planwatch_templates", "write_templates"),
        ("planwatch_templates", "email_templates"),
        ("planwatch_transform", "publish_marts"),
        ("planwatch_briefing", "render_briefing"),
    ]:
        task = bag.dags[dag_id].get_task(task_id)
        assert task.retries >= 2 and task.retry_exponential_backoff, (dag_id, task_id)
    for dag in bag.dags.values():
        for task in dag.tasks:
            if task.task_type.startswith("_Python") or task.task_id in {"publish_marts", "render_briefing"}:
                assert task.execution_timeout is not None, (dag.dag_id, task.task_id)
            callbacks = task.on_failure_callback or []
            assert any(type(cb).__name__ == "PlanwatchFailureNotifier" for cb in callbacks), (dag.dag_id, task.task_id)
    assert type(bag.dags["planwatch_issue"].timetable).__name__ == "NullTimetable"  # a person signs: no schedule
    # a 签发 changes what the marts show (督办, locked months): it sets off the transform and publish, as new
    # observations do
    supervision = "planwatch://warehouse/supervision"
    assert [outlet.uri for outlet in bag.dags["planwatch_issue"].get_task("issue").outlets] == [supervision]
    condition = bag.dags["planwatch_transform"].timetable.asset_condition
    assert type(condition).__name__ == "AssetAny"
    assert {asset.uri for asset in condition.objects} == {"planwatch://warehouse/raw/observations", supervision}
    for dag_id, cron in [
        ("planwatch_templates", "0 8 1 * *"),
        ("planwatch_briefing", "0 9 * * *"),  # renders on the issue date only (reporting_period)
        ("planwatch_supervision", "0 9 * * *"),
    ]:
        timetable = bag.dags[dag_id].timetable
        assert (timetable.expression, str(timetable.timezone)) == (cron, "Asia/Shanghai"), dag_id
