"""Failure notifications for every planwatch task, as an Airflow notifier.

Each failure is appended to `<output>/alerts/failures.jsonl` (one JSON object per failed task try:
DAG, run, task, try, when, the error), a record an operator can watch or a monitoring agent can ship.
When the Airflow Connection `planwatch_smtp` exists and the Variable `planwatch_alert_emails` lists
addresses (comma-separated), the same is sent by email in Chinese to the data engineers on duty.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from airflow.sdk.bases.notifier import BaseNotifier

log = logging.getLogger(__name__)

ALERTS_FILE = Path("alerts") / "failures.jsonl"


def _alert(context: dict[str, Any]) -> dict[str, Any]:
    task_instance = context.get("ti") or context.get("task_instance")
    error = context.get("exception")
    return {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dag_id": getattr(task_instance, "dag_id", None),
        "run_id": getattr(task_instance, "run_id", None),
        "task_id": getattr(task_instance, "task_id", None),
        "map_index": getattr(task_instance, "map_index", None),
        "try_number": getattr(task_instance, "try_number", None),
        "error": f"{type(error).__name__}: {error}" if error else None,
    }


class PlanwatchFailureNotifier(BaseNotifier):
    """Record (and, where configured, email) a failed planwatch task."""

    template_fields = ()

    def notify(self, context: dict[str, Any]) -> None:
        from planwatch.orchestration.airflow_config import SMTP_CONNECTION, connection_exists, task_settings

        alert = _alert(context)
        config = task_settings()
        alerts_file = config.output_path / ALERTS_FILE
        alerts_file.parent.mkdir(parents=True, exist_ok=True)
        with alerts_file.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(alert, ensure_ascii=False) + "\n")
        log.error("planwatch task failed: %s (recorded in %s)", alert, alerts_file)

        recipients = _alert_recipients()
        if recipients and connection_exists(SMTP_CONNECTION):
            from airflow.providers.smtp.hooks.smtp import SmtpHook

            subject = f"【planwatch】任务失败：{alert['dag_id']}.{alert['task_id']}"
            body = "<br>".join(f"{key}：{value}" for key, value in alert.items())
            with SmtpHook(smtp_conn_id=SMTP_CONNECTION) as smtp:
                smtp.send_email_smtp(to=recipients, subject=subject, html_content=body)


def _alert_recipients() -> list[str]:
    from planwatch.orchestration.airflow_config import variable

    listed = variable("planwatch_alert_emails") or ""
    return [address.strip() for address in listed.split(",") if address.strip()]
