"""Every DAG imports without error and parses fast (Airflow's own DagBag, examples off)."""

from __future__ import annotations

import os
import time

from .airflow_support import PROJECT_ROOT


def test_every_dag_imports_without_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from airflow.dag_processing.dagbag import DagBag

    started = time.perf_counter()
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    elapsed = time.perf_counter() - started
    assert bag.import_errors == {}
    assert {"planwatch_ingest", "planwatch_transform", "planwatch_quality"} <= set(bag.dag_ids)
    assert bag.dags["planwatch_quality"].get_task("check_and_gate").pool == "duckdb_writer"
    ingest = bag.dags["planwatch_ingest"]
    assert {task.task_id for task in ingest.tasks} == {"list_new_files", "ingest_file"}
    assert ingest.get_task("ingest_file").pool == "duckdb_writer"
    print(f"DagBag parse of {len(bag.dag_ids)} DAGs: {elapsed:.2f}s")
