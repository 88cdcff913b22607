"""
### planwatch_ingest — department files from the landing folder into the warehouse

One mapped task per new file in the landing folder (`PLANWATCH_LANDING_DIR`, default
`output/landing`). Each file is read, its rows loaded or quarantined with a reason, a receipt written
for its department, and the file moved to the archive (or, when it cannot be read at all, to the
rejected folder, failing its task alone). Ingest tasks share the `duckdb_writer` pool (one slot):
DuckDB allows one writer at a time. Emits the warehouse Asset that the transform DAG is scheduled on.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, dag, task

WAREHOUSE_OBSERVATIONS = Asset("planwatch://warehouse/raw/observations")
DUCKDB_WRITER_POOL = "duckdb_writer"


@dag(
    dag_id="planwatch_ingest",
    schedule="*/30 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["planwatch", "ingest"],
)
def planwatch_ingest() -> None:
    @task
    def list_new_files() -> list[str]:
        from planwatch.orchestration.ingest_tasks import new_landing_files

        return new_landing_files()

    @task(
        pool=DUCKDB_WRITER_POOL,
        retries=2,
        retry_delay=dt.timedelta(seconds=30),
        retry_exponential_backoff=True,
        execution_timeout=dt.timedelta(minutes=20),
        outlets=[WAREHOUSE_OBSERVATIONS],
    )
    def ingest_file(path: str) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from planwatch.orchestration.ingest_tasks import FileRejectedError, ingest_landing_file

        try:
            return ingest_landing_file(path)
        except FileRejectedError as error:  # the file itself is bad: retrying cannot help
            raise AirflowFailException(str(error)) from error

    ingest_file.expand(path=list_new_files())


planwatch_ingest()
