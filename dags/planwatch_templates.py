"""
### planwatch_templates — the month's fill-in templates (填报模板) to the departments

On the 1st of each month at 08:00 (Asia/Shanghai): one xlsx per department with reporting duties for
the month just ended, written to the outbox folder (`PLANWATCH_OUTBOX_DIR`, default `output/outbox`,
one sub-folder per month), then emailed to each department whose address is in the Variable
`planwatch_department_emails` (JSON: department id → address) when the Connection `planwatch_smtp`
exists. Trigger with `{"period": "YYYY-MM"}` to write another month's.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, task

from planwatch.orchestration.notify import PlanwatchFailureNotifier

IO_RETRIES = {"retries": 3, "retry_delay": dt.timedelta(minutes=2), "retry_exponential_backoff": True}


@dag(
    dag_id="planwatch_templates",
    schedule="0 8 1 * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    params={"period": Param(None, type=["null", "string"], description="reporting month, YYYY-MM")},
    default_args={"on_failure_callback": [PlanwatchFailureNotifier()]},
    tags=["planwatch", "templates"],
)
def planwatch_templates() -> None:
    @task(execution_timeout=dt.timedelta(minutes=10), **IO_RETRIES)
    def write_templates(params: dict | None = None, logical_date: dt.datetime | None = None) -> dict:
        from planwatch.orchestration.airflow_config import task_settings
        from planwatch.orchestration.monthly_tasks import reporting_period, write_month_templates

        period = reporting_period((params or {}).get("period"), logical_date)
        return write_month_templates(period, task_settings())

    @task(execution_timeout=dt.timedelta(minutes=20), **IO_RETRIES)
    def email_templates(written: dict) -> dict:
        from planwatch.orchestration import monthly_tasks
        from planwatch.orchestration.airflow_config import SMTP_CONNECTION, connection_exists, variable

        return monthly_tasks.email_templates(
            written,
            monthly_tasks.department_emails(variable("planwatch_department_emails")),
            SMTP_CONNECTION if connection_exists(SMTP_CONNECTION) else None,
        )

    email_templates(write_templates())


planwatch_templates()
