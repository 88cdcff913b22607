"""
### planwatch_briefing — the monthly supervision briefings (督查通报), after the gate

Every day at 09:00 (Asia/Shanghai) the run checks whether today is the issue date of the month before's
briefing (the 10th, or the first working day after the reports' due date when 国庆 or 春节 push it
later: `planwatch.briefing.gather.issue_date_for`); on any other day it is skipped. On that day, for
the month before: first the quality gate
(the month's checkpoints are run again on the current marts and a critical failure without an
operator's override stops the run here, naming the checks), then every briefing of the month — each
plan, each county a plan sets targets for, and the leadership summary — in HTML, PDF and Word, into
`<output>/briefings/<YYYY-MM>/`: one mapped task per briefing (Celery workers share them), each reading
the run's frozen copy of the warehouse (taken in the writer slot right after the gate, removed at the
end), so every briefing of a run shows the same data while new files load. Any past month renders by backfill
(`airflow backfill create --dag-id planwatch_briefing --from-date 2025-02-10 --to-date 2025-06-10`)
or by triggering with `{"period": "YYYY-MM"}`. On a new deployment whose warehouse holds no department
file yet, the run is skipped (not failed): there is nothing to brief and nothing wrong.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
from airflow.sdk import Param, dag, task

from planwatch.orchestration.notify import PlanwatchFailureNotifier

DUCKDB_WRITER_POOL = "duckdb_writer"  # every task that opens the warehouse file takes its one slot


@dag(
    dag_id="planwatch_briefing",
    schedule="0 9 * * *",  # rendered on the issue date: see reporting_period
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=2,
    doc_md=__doc__,
    params={"period": Param(None, type=["null", "string"], description="month to brief, YYYY-MM")},
    default_args={"on_failure_callback": [PlanwatchFailureNotifier()]},
    tags=["planwatch", "briefing"],
)
def planwatch_briefing() -> None:
    @task(execution_timeout=dt.timedelta(minutes=1))
    def reporting_period(
        params: dict | None = None, logical_date: dt.datetime | None = None, dag_run: Any = None
    ) -> str:
        from airflow.sdk.exceptions import AirflowSkipException

        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.monthly_tasks import briefing_period

        run_type = getattr(dag_run, "run_type", None)
        scheduled = getattr(run_type, "value", run_type) == "scheduled"
        period = briefing_period((params or {}).get("period"), logical_date, scheduled, task_settings())
        if period is None:
            raise AirflowSkipException(f"{logical_date}: not the issue date of the month before's briefing")
        return period

    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(minutes=30))
    def quality_gate(period: str) -> dict:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from planwatch.orchestration import monthly_tasks
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.quality.gate import QualityGateError

        config = task_settings()
        if not monthly_tasks.warehouse_has_submissions(config):
            # a new deployment, unpaused before anything was ingested: nothing to brief, nothing wrong
            raise AirflowSkipException(f"no department file has been loaded yet: no briefing for {period}")
        try:
            return monthly_tasks.check_and_gate(period, config)
        except QualityGateError as blocked:  # the data is wrong: retrying cannot help
            raise AirflowFailException(str(blocked)) from blocked

    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(minutes=10))
    def plan_briefings(gate: dict, run_id: str | None = None) -> dict:
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.monthly_tasks import plan_briefings

        return plan_briefings(gate["period"], task_settings(), run_id or "manual")

    @task(execution_timeout=dt.timedelta(minutes=1))
    def briefings_to_render(plan: dict) -> list[dict]:
        return plan["units"]

    # one mapped task per briefing (plan, county, summary): Celery workers share them. They read the
    # run's frozen copy of the warehouse, not the warehouse: no writer slot, every briefing the same data
    @task(
        retries=2,
        retry_delay=dt.timedelta(minutes=2),
        retry_exponential_backoff=True,
        execution_timeout=dt.timedelta(minutes=30),
        map_index_template="{{ briefing }}",
    )
    def render_briefing(plan: dict, unit: dict) -> dict:
        from airflow.sdk import get_current_context

        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.monthly_tasks import render_briefing

        get_current_context()["briefing"] = "/".join(filter(None, unit.values())) or "summary"  # the UI's label
        return render_briefing(plan, unit, task_settings())

    @task(execution_timeout=dt.timedelta(minutes=5))
    def finish_briefings(plan: dict, rendered: list[dict]) -> dict:
        from planwatch.orchestration.monthly_tasks import finish_briefings

        return finish_briefings(plan, list(rendered))

    planned = plan_briefings(quality_gate(reporting_period()))
    rendered = render_briefing.partial(plan=planned).expand(unit=briefings_to_render(planned))
    # a teardown: the frozen copy is removed whatever the renders did; a briefing missing fails the run
    finish_briefings(planned, rendered).as_teardown(setups=planned, on_failure_fail_dagrun=True)


planwatch_briefing()
