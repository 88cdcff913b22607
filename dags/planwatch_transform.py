"""
### planwatch_transform — dbt build of the marts whenever new observations land

Scheduled on the warehouse Asset that `planwatch_ingest` emits: once files are loaded, one task runs
`dbt build` (staging → intermediate → marts, with unit and data tests) through
`planwatch.transform`, the same code as `planwatch transform`. It takes the `duckdb_writer` pool
slot: DuckDB allows one writer at a time. A failed model or test fails the task with dbt's message.
(astronomer-cosmos, one task per model, comes later.)
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, task

# The same Asset planwatch_ingest emits (an Asset is identified by its URI). Redefined rather than
# imported: the DAG folder is not a package, and DagBag does not put it on sys.path.
WAREHOUSE_OBSERVATIONS = Asset("planwatch://warehouse/raw/observations")
DUCKDB_WRITER_POOL = "duckdb_writer"


@dag(
    dag_id="planwatch_transform",
    schedule=[WAREHOUSE_OBSERVATIONS],
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["planwatch", "dbt"],
)
def planwatch_transform() -> None:
    @task(
        pool=DUCKDB_WRITER_POOL,
        retries=1,
        retry_delay=dt.timedelta(minutes=1),
        execution_timeout=dt.timedelta(minutes=30),
    )
    def dbt_build() -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from planwatch.transform import transform

        result = transform()
        if not result.success:
            failures = ", ".join(sorted(result.failures)) or result.error or "unknown"
            raise AirflowFailException(f"dbt build failed after {result.seconds:.0f}s: {failures}")
        return {"seconds": round(result.seconds, 1), "nodes": len(result.statuses)}

    dbt_build()


planwatch_transform()
