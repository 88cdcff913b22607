"""
### planwatch_issue — 审核 or 签发 a plan's briefing of a month (triggered by a person, never scheduled)

Trigger with `{"period": "YYYY-MM", "plan": "<plan_id>", "stage": "review" | "sign", "actor": "<name>"}`.
`review` (审核) checks that the quality gate passed, no department's report waits for review and the
marts show the office's decisions; `sign` (签发) freezes the plan's briefings and each department's
letter into `<output>/issued/<plan>/<YYYY-MM>/` with their hashes, locks the month and opens 督办. A
refusal fails the run with the reason (what to do first); it is not retried. The run emits the
supervision Asset, on which `planwatch_transform` is also scheduled: the marts BI tools read (督办,
reviews, locked months) are rebuilt and published with the office's decisions.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Asset, Param, dag, task

from planwatch.orchestration.notify import PlanwatchFailureNotifier

DUCKDB_WRITER_POOL = "duckdb_writer"  # every task that opens the warehouse file takes its one slot
# the office's decisions in the warehouse (the same URI as in planwatch_transform's schedule)
SUPERVISION_DECISIONS = Asset("planwatch://warehouse/supervision")


@dag(
    dag_id="planwatch_issue",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    params={
        "period": Param(type="string", pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="month, YYYY-MM"),
        "plan": Param(type="string", description="plan id"),
        "stage": Param("review", enum=["review", "sign"], description="审核 (review) or 签发 (sign)"),
        "actor": Param(type="string", minLength=1, description="who reviews or signs (the audit log)"),
    },
    default_args={"on_failure_callback": [PlanwatchFailureNotifier()]},
    tags=["planwatch", "supervision"],
)
def planwatch_issue() -> None:
    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(hours=1), outlets=[SUPERVISION_DECISIONS])
    def issue(params: dict | None = None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.supervision_tasks import issue_plan
        from planwatch.quality.gate import QualityGateError
        from planwatch.supervision.issuing import IssueError

        params = params or {}
        try:
            return issue_plan(params["period"], params["plan"], params["stage"], params["actor"], task_settings())
        except (IssueError, QualityGateError, ValueError) as refused:  # a decision to make, not a fault to retry
            raise AirflowFailException(str(refused)) from refused

    issue()


planwatch_issue()
