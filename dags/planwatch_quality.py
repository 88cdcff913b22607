"""
### planwatch_quality — the month's data quality checkpoints and the publication gate

Runs the Great Expectations checkpoints (submissions, marts, completeness) for a month, stores the
results in the warehouse's `quality` schema and data docs under the output folder, then applies the
gate: a month with a critical failure fails this DAG with a message naming the failing checks and
the files behind them, and no briefing is published for it. An operator releases a month with
`planwatch check --period YYYY-MM --override "理由" --operator 姓名`; the next run then passes and the
briefing says so. Trigger with `{"period": "YYYY-MM"}`; without it, the month before the run's date.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, task

DUCKDB_WRITER_POOL = "duckdb_writer"


@dag(
    dag_id="planwatch_quality",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    doc_md=__doc__,
    params={"period": Param(None, type=["null", "string"], description="month to check, YYYY-MM")},
    tags=["planwatch", "quality"],
)
def planwatch_quality() -> None:
    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(minutes=30))
    def check_and_gate(params: dict | None = None, logical_date: dt.datetime | None = None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from planwatch.config import settings
        from planwatch.pipeline import previous_month
        from planwatch.quality.gate import QualityGateError, assert_publishable
        from planwatch.quality.run import run_checks

        config = settings()
        period = (params or {}).get("period") or previous_month(logical_date.date() if logical_date else None)
        record, _ = run_checks(config.warehouse_path, period, config.output_path)
        try:
            decision = assert_publishable(config.warehouse_path, period)
        except QualityGateError as blocked:  # the data is wrong: retrying cannot help
            raise AirflowFailException(str(blocked)) from blocked
        return {"period": period, "run_id": record.run_id, "publishable": decision.publishable}

    check_and_gate()


planwatch_quality()
