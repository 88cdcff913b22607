"""
### planwatch_ingest — department files from the landing folder into the warehouse

One mapped task per new file in the landing folder (`PLANWATCH_LANDING_DIR`, default
`output/landing`). Each file is read, its rows loaded or quarantined with a reason, a receipt written
for its department, and the file moved to the archive (or, when it cannot be read at all, to the
rejected folder, failing its task alone). Ingest tasks share the `duckdb_writer` pool (one slot):
DuckDB allows one writer at a time. Once the run's files are all in (at least one ingested),
`announce_new_observations` emits the warehouse Asset that the transform DAG is scheduled on: one
rebuild of the marts per batch of files, not one per file. A run whose files changed nothing in the raw
tables (each one already loaded; a refused file is recorded, so it counts) skips it: no Asset event, no rebuild.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
from airflow.sdk import Asset, dag, task

from planwatch.orchestration.notify import PlanwatchFailureNotifier

WAREHOUSE_OBSERVATIONS = Asset("planwatch://warehouse/raw/observations")
DUCKDB_WRITER_POOL = "duckdb_writer"


@dag(
    dag_id="planwatch_ingest",
    schedule="*/30 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args={"on_failure_callback": [PlanwatchFailureNotifier()]},
    tags=["planwatch", "ingest"],
)
def planwatch_ingest() -> None:
    @task(retries=2, retry_delay=dt.timedelta(seconds=30), execution_timeout=dt.timedelta(minutes=5))
    def list_new_files() -> list[str]:
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.ingest_tasks import new_landing_files

        return new_landing_files(task_settings())

    @task(
        pool=DUCKDB_WRITER_POOL,
        retries=2,
        retry_delay=dt.timedelta(seconds=30),
        retry_exponential_backoff=True,
        execution_timeout=dt.timedelta(minutes=20),
    )
    def ingest_file(path: str, ti: Any = None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.ingest_tasks import FileRejectedError, ingest_landing_file

        try:
            return ingest_landing_file(path, task_settings(), attempt=ti.try_number if ti else 1)
        except FileRejectedError as error:  # the file itself is bad: retrying cannot help
            raise AirflowFailException(str(error)) from error

    # all_done_min_one_success, not one_success: one_success starts it as soon as the first file is in,
    # and it would decide on the results of that file alone
    @task(
        trigger_rule="all_done_min_one_success",
        outlets=[WAREHOUSE_OBSERVATIONS],
        execution_timeout=dt.timedelta(minutes=1),
    )
    def announce_new_observations(files: list[str], ingested: list[dict]) -> None:
        """One Asset event per run, once every file is in: the marts are rebuilt once, not per file; none
        when no file changed the raw tables (a skipped task emits no Asset event)."""
        from airflow.sdk.exceptions import AirflowSkipException

        from planwatch.orchestration.ingest_tasks import raw_tables_changed

        if not raw_tables_changed(ingested, len(files)):
            raise AirflowSkipException(
                f"none of the {len(files)} file(s) changed the raw tables (each already loaded): "
                "no rebuild of the marts"
            )

    files = list_new_files()
    announce_new_observations(files, ingest_file.expand(path=files))


planwatch_ingest()
