"""
### planwatch_quality — the data quality checkpoints and the publication gate

Scheduled on the marts Asset that `planwatch_transform` emits once the marts are rebuilt and
published. Runs the Great Expectations checkpoints (submissions, marts, completeness) for a month
(`{"period": "YYYY-MM"}`; without it, the newest month with data), stores the results in the
warehouse's `quality` schema and data docs under the output folder, then applies the gate: a month
with a critical failure fails this DAG with a message naming the failing checks and the files behind
them, and no briefing is published for it. An operator releases a month with
`planwatch check --period YYYY-MM --override "理由" --operator 姓名`; the next run then passes and the
briefing says so.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, Param, dag, task

from planwatch.orchestration.notify import PlanwatchFailureNotifier

PUBLISHED_MARTS = Asset("planwatch://warehouse/marts")
DUCKDB_WRITER_POOL = "duckdb_writer"


@dag(
    dag_id="planwatch_quality",
    schedule=[PUBLISHED_MARTS],
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    params={"period": Param(None, type=["null", "string"], description="month to check, YYYY-MM")},
    default_args={"on_failure_callback": [PlanwatchFailureNotifier()]},
    tags=["planwatch", "quality"],
)
def planwatch_quality() -> None:
    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(minutes=30))
    def check_and_gate(params: dict | None = None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from planwatch.orchestration import monthly_tasks
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.quality.gate import QualityGateError

        try:
            return monthly_tasks.check_and_gate((params or {}).get("period"), task_settings())
        except QualityGateError as blocked:  # the data is wrong: retrying cannot help
            raise AirflowFailException(str(blocked)) from blocked

    check_and_gate()


planwatch_quality()
