"""
### planwatch_transform — the marts rebuilt with dbt whenever new observations land, then published

Scheduled on the warehouse Asset that `planwatch_ingest` emits, or the supervision Asset that
`planwatch_issue` emits (a 签发 opens 督办 and locks months: the marts show them). `load_registry` checks the target
registry (plans/) and loads it into the warehouse; then astronomer-cosmos renders the dbt
project (staging → intermediate → marts) as one Airflow task per model, with its tests, from the
manifest file `dbt_project/manifest/manifest.json` (written by `make setup`; no dbt runs while the
DAG parses). It runs in cosmos' WATCHER mode: a single `dbt build` (the producer task, holding the
`duckdb_writer` pool's one slot, because DuckDB allows one writer), then one task per model reports
that model's own result and tests (a failed model fails its task, and the tasks after it). Once the
marts are built and tested, `publish_marts` switches the readers' snapshot (DuckDB copy and
Parquet) and, when the Connection `planwatch_postgres` exists, swaps the PostgreSQL `marts` schema;
it emits the marts Asset that `planwatch_quality` is scheduled on.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pendulum
from airflow.sdk import Asset, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode

from planwatch.config import load_settings
from planwatch.orchestration.airflow_config import templated_dbt_vars
from planwatch.orchestration.notify import PlanwatchFailureNotifier

# Asset identities are their URIs: the same strings as in the ingest and quality DAGs.
WAREHOUSE_OBSERVATIONS = Asset("planwatch://warehouse/raw/observations")
PUBLISHED_MARTS = Asset("planwatch://warehouse/marts")
SUPERVISION_DECISIONS = Asset("planwatch://warehouse/supervision")
DUCKDB_WRITER_POOL = "duckdb_writer"

DBT_PROJECT = Path(os.environ.get("PLANWATCH_DBT_PROJECT_DIR", Path(__file__).resolve().parent.parent / "dbt_project"))
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")  # the dbt of the environment Airflow runs in
WAREHOUSE = load_settings().warehouse_path  # absolute: dbt runs in a copy of the project folder
NOTIFY = [PlanwatchFailureNotifier()]


@dag(
    dag_id="planwatch_transform",
    schedule=(WAREHOUSE_OBSERVATIONS | SUPERVISION_DECISIONS),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args={"on_failure_callback": NOTIFY},
    tags=["planwatch", "dbt"],
)
def planwatch_transform() -> None:
    marts = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT,
            manifest_path=DBT_PROJECT / "manifest" / "manifest.json",
            env_vars={
                "PLANWATCH_WAREHOUSE": f"{{{{ var.value.get('planwatch_warehouse', '{WAREHOUSE}') }}}}",
                # as `planwatch transform`: the unit tests test the SQL, in CI; a production build skips them
                "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
            },
            install_dbt_deps=False,
            # planwatch.toml's thresholds, as the CLI passes them, or the Airflow Variables that override them
            dbt_vars=templated_dbt_vars(load_settings()),
        ),
        profile_config=ProfileConfig(
            profile_name="planwatch", target_name="duckdb", profiles_yml_filepath=DBT_PROJECT / "profiles.yml"
        ),
        # dbt in its own process: dbt-duckdb holds the warehouse's lock until its process ends
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=DBT_EXECUTABLE,
        ),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST),
        operator_args={
            "append_env": True,
            "emit_datasets": False,
            "execution_timeout": dt.timedelta(minutes=30),
        },
        default_args={"on_failure_callback": NOTIFY},
    )
    # The producer runs `dbt build` and is the one task that opens the warehouse. The model tasks start
    # once it has finished (all_done: also when it failed, so each model task shows its own result):
    # they then read their model's status at once instead of each holding a worker or triggerer slot
    # for the whole build, and `airflow dags test`, which runs one task at a time, works too.
    tasks = list(marts.iter_tasks())
    [producer] = [operator for operator in tasks if operator.task_id.endswith(".dbt_producer_watcher")]
    producer.pool = DUCKDB_WRITER_POOL
    for operator in tasks:
        if operator is not producer and not operator.upstream_task_ids:
            producer >> operator
            operator.trigger_rule = "all_done"

    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(minutes=10))
    def load_registry() -> dict:
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.monthly_tasks import load_registry_tables

        return load_registry_tables(task_settings())

    @task(
        pool=DUCKDB_WRITER_POOL,
        retries=3,
        retry_delay=dt.timedelta(minutes=1),
        retry_exponential_backoff=True,
        execution_timeout=dt.timedelta(minutes=15),
        outlets=[PUBLISHED_MARTS],
    )
    def publish_marts() -> dict:
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.publish.run import publish_marts

        return publish_marts(task_settings())

    load_registry() >> marts >> publish_marts()


planwatch_transform()
