"""The supervision loop's tasks as Airflow runs them: 催报 each working day, the 整改反馈 forms, and the
office's 审核 / 签发 of a plan's briefing when a person triggers it. The CLI commands (`planwatch remind`,
`followup forms`, `issue`) call the same functions below them.
"""

from __future__ import annotations

import datetime as dt
import logging

from planwatch.config import Settings

log = logging.getLogger(__name__)


def remind_month(period: str, config: Settings, as_of: dt.date) -> dict:
    """The 催报清单 (CSV) and, when someone owes the month, the 催报通知 (docx) under output/reminders/."""
    import duckdb

    from planwatch.supervision.remind import duties, write_csv, write_notice

    with duckdb.connect(str(config.warehouse_path), read_only=True) as connection:
        found = duties(connection, period, as_of)
    folder = config.output_path / "reminders" / period
    listed = write_csv(found, folder / f"催报清单_{period}.csv")
    notice = write_notice(found, period, as_of, config.briefing_summary_issuer, folder / f"催报通知_{period}.docx")
    owing = sorted(duty.department_name for duty in found if duty.needs_reminder)
    log.info("%s as of %s: %d department(s) to remind", period, as_of, len(owing))
    return {
        "period": period,
        "as_of": as_of.isoformat(),
        "owing": owing,
        "list": str(listed),
        "notice": str(notice or ""),
    }


def reply_forms(period: str, config: Settings) -> dict:
    """Each department's 整改反馈 form for its open 督办事项, under output/follow_up/<period>/."""
    import duckdb

    from planwatch.supervision.follow_up import write_reply_forms
    from planwatch.supervision.ledger import ensure_tables

    folder = config.output_path / "follow_up" / period
    with duckdb.connect(str(config.warehouse_path)) as connection:
        ensure_tables(connection)
        written = write_reply_forms(
            connection, period, folder, config.briefing_issuer or config.briefing_summary_issuer
        )
    return {"period": period, "forms": [str(path) for path in written]}


def issue_plan(period: str, plan_id: str, stage: str, actor: str, config: Settings) -> dict:
    """审核 (stage 'review') or 签发 (stage 'sign') of the plan's briefing of the month."""
    from planwatch.supervision.issuing import issue_briefing, review_briefing

    if stage == "review":
        number = review_briefing(config.warehouse_path, plan_id, period, actor, config)
        return {"period": period, "plan": plan_id, "stage": stage, "issue_number": number}
    result = issue_briefing(config.warehouse_path, plan_id, period, actor, config)
    return {
        "period": period,
        "plan": plan_id,
        "stage": stage,
        "issue_number": result.issue_number,
        "issue_date": result.issue_date.isoformat(),
        "archive": str(result.archive_dir),
        "opened": [item["item_id"] for item in result.opened],
        "closed": result.closed,
    }
