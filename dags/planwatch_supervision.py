"""
### planwatch_supervision — 催报 each working day, and the 整改反馈 forms for open 督办

At 09:00 (Asia/Shanghai) every day; on a day off (weekends, public holidays, with 调休 working days
counted, from chinese-calendar) the run is skipped. For the month before: the 催报清单 (CSV) of every
department that owes the month, with its due date and working days overdue, and the 催报通知 (docx) to
send, under `<output>/reminders/<YYYY-MM>/`; then one 整改反馈 form per department with open 督办事项
under `<output>/follow_up/<YYYY-MM>/`. Trigger with `{"period": "YYYY-MM"}` for another month.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, task

from planwatch.orchestration.notify import PlanwatchFailureNotifier

DUCKDB_WRITER_POOL = "duckdb_writer"  # every task that opens the warehouse file takes its one slot


@dag(
    dag_id="planwatch_supervision",
    schedule="0 9 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    params={"period": Param(None, type=["null", "string"], description="month to chase, YYYY-MM")},
    default_args={"on_failure_callback": [PlanwatchFailureNotifier()]},
    tags=["planwatch", "supervision"],
)
def planwatch_supervision() -> None:
    @task(execution_timeout=dt.timedelta(minutes=1))
    def reporting_period(params: dict | None = None, logical_date: dt.datetime | None = None) -> str:
        from airflow.sdk.exceptions import AirflowSkipException

        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.monthly_tasks import reporting_period, warehouse_has_submissions
        from planwatch.supervision.workdays import is_working_day

        explicit = (params or {}).get("period")
        day = (logical_date or dt.datetime.now(dt.UTC)).astimezone(pendulum.timezone("Asia/Shanghai")).date()
        if not explicit and not is_working_day(day):
            raise AirflowSkipException(f"{day} is not a working day: no 催报")
        if not warehouse_has_submissions(task_settings()):
            raise AirflowSkipException("no department file has been loaded yet: nothing to chase")
        return reporting_period(explicit, logical_date)

    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(minutes=10))
    def remind(period: str, logical_date: dt.datetime | None = None) -> dict:
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.supervision_tasks import remind_month

        day = (logical_date or dt.datetime.now(dt.UTC)).astimezone(pendulum.timezone("Asia/Shanghai")).date()
        return remind_month(period, task_settings(), day)

    @task(pool=DUCKDB_WRITER_POOL, execution_timeout=dt.timedelta(minutes=10))
    def follow_up_forms(reminded: dict) -> dict:
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.supervision_tasks import reply_forms

        return reply_forms(reminded["period"], task_settings())

    follow_up_forms(remind(reporting_period()))


planwatch_supervision()
