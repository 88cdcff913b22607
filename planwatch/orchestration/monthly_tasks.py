"""The monthly tasks as Airflow runs them: templates out, registry loaded, quality gate, briefings.

Each function is one task body; it takes the reporting month and the settings and returns what the
task should log (a small dict, stored as its XCom). The CLI commands call the same functions below
them (`planwatch templates`, `check`, `brief`); publishing is `planwatch.publish.run`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from planwatch.config import Settings
from planwatch.periods import CHINA_STANDARD_TIME, Granularity, Period, china_today

log = logging.getLogger(__name__)


def reporting_period(explicit: str | None, run_date: dt.datetime | dt.date | None) -> str:
    """The month a run is about: the one asked for, else the month before the run's date.

    Departments report a month's figures early in the next month, so a run on 1 December (templates)
    or 10 December (briefing) is about November.
    """
    if explicit:
        return str(Period.parse(explicit, Granularity.month))  # PeriodError (a ValueError) says the expected form
    if isinstance(run_date, dt.datetime):  # Airflow's dates are UTC: the 1st at 01:00 in China is still the 30th
        day = (run_date.astimezone(CHINA_STANDARD_TIME) if run_date.tzinfo else run_date).date()
    else:
        day = run_date or china_today()
    return str(Period.month_of(day).shifted(-1))


def briefing_period(asked: str | None, run_date: dt.datetime | None, scheduled: bool, config: Settings) -> str | None:
    """The month a briefing run renders: the one asked for; for a run a person started, the month before;
    for a scheduled (daily) run, the month whose issue date is the run's day in China, else None (skip)."""
    if asked or run_date is None or not scheduled:
        return reporting_period(asked, run_date)
    moment = run_date if run_date.tzinfo else run_date.replace(tzinfo=dt.UTC)
    return briefing_due_on(moment.astimezone(CHINA_STANDARD_TIME).date(), config)


def briefing_due_on(day: dt.date, config: Settings) -> str | None:
    """The month whose briefing is dated `day` (a day in China), else None: the month before's briefing
    is dated `briefing_issue_day`, or later when its reports are due later (国庆, 春节), see
    `planwatch.briefing.gather.issue_date_for`; the scheduled run renders it on that day, not before."""
    from planwatch.briefing.gather import issue_date_for

    period = Period.month_of(day).shifted(-1)
    return str(period) if issue_date_for(period.month_end, config) == day else None


def write_month_templates(period: str, config: Settings) -> dict:
    """The month's fill-in templates, one per reporting department, into `<outbox>/<period>/`."""
    from planwatch.forms.template import template_filename, write_templates
    from planwatch.registry.load import load_registry

    registry = load_registry(config.plans_path)
    outbox = config.outbox_path / period
    written = write_templates(registry, period, outbox)
    by_name = {path.name: path for path in written}
    departments = {
        department.department_id: str(by_name[name])
        for department in registry.reference.departments.values()
        if (name := template_filename(department.name, period)) in by_name
    }
    log.info("%d templates for %s in %s", len(written), period, outbox)
    return {"period": period, "outbox": str(outbox), "templates": departments}


def email_templates(written: dict, recipients: dict[str, str], smtp_conn_id: str | None) -> dict:
    """Send each department its template where an address is known and an SMTP connection exists."""
    templates: dict[str, str] = written["templates"]
    if not smtp_conn_id:
        log.info("no SMTP connection configured: templates stay in %s for collection", written["outbox"])
        return {"sent": [], "not_sent": sorted(templates), "reason": "no SMTP connection"}
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    sent, not_sent = [], []
    with SmtpHook(smtp_conn_id=smtp_conn_id) as smtp:
        for department_id, path in sorted(templates.items()):
            address = recipients.get(department_id)
            if not address:
                not_sent.append(department_id)
                continue
            smtp.send_email_smtp(
                to=address,
                subject=f"{written['period']} 规划目标监测数据填报模板",
                html_content=(
                    f"<p>请于本月10日前填报附件中的{written['period']}数据，并通过平台报送。"
                    "填报说明见模板“填报说明”工作表。</p>"
                ),
                files=[path],
            )
            sent.append(department_id)
    log.info("templates emailed to %d departments; %d without an address", len(sent), len(not_sent))
    return {"sent": sent, "not_sent": not_sent, "reason": None}


def department_emails(listing: str | None) -> dict[str, str]:
    """The Variable `planwatch_department_emails`: JSON mapping department id → address."""
    if not listing:
        return {}
    mapping = json.loads(listing)
    if not isinstance(mapping, dict):
        raise ValueError("planwatch_department_emails must be a JSON object: department id → address")
    return {str(key): str(value) for key, value in mapping.items()}


def load_registry_tables(config: Settings) -> dict:
    """Check the registry (plans/) and load it into the warehouse's raw tables before the marts build.

    A registry that fails its checks stops here with every problem named (file, item, field): the marts
    are never built on targets that do not trace to their plan's text.
    """
    from planwatch.registry.check import check_registry
    from planwatch.registry.load import load_registry
    from planwatch.warehouse import connect, load_registry_tables

    registry = load_registry(config.plans_path)
    problems = check_registry(registry)
    if problems:
        raise ValueError("the registry has problems:\n" + "\n".join(str(problem) for problem in problems))
    with connect(config.warehouse_path) as connection:
        tables = load_registry_tables(connection, registry)
    return {"plans": len(registry.plans), "tables": tables}


def check_and_gate(period: str | None, config: Settings) -> dict:
    """Run a month's checkpoints (default: the newest month with data), store them, then apply the gate.

    Raises QualityGateError, naming the failed checks and their files, when the month is blocked.
    """
    from planwatch.quality.run import check_and_gate as run_checks_and_gate

    record, decision = run_checks_and_gate(config.warehouse_path, period, config.output_path, config)
    return {
        "period": record.period,
        "run_id": record.run_id,
        "publishable": decision.publishable,
        "override": decision.override is not None,
        "warnings": len(record.warnings),
    }


def warehouse_has_submissions(config: Settings) -> bool:
    """Whether any department file was ever loaded: False on a deployment that has not ingested yet."""
    import duckdb

    if not config.warehouse_path.exists():
        return False
    with duckdb.connect(str(config.warehouse_path), read_only=True) as connection:
        tables = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'file_loads'"
        ).fetchone()
        if not tables or not tables[0]:
            return False
        loaded = connection.execute("select count(*) from raw.file_loads").fetchone()
    return bool(loaded and loaded[0])


def plan_briefings(period: str, config: Settings, run_id: str) -> dict:
    """The month's briefings to render, one mapped task each, and the frozen copy of the warehouse they read.

    Runs in the writer slot, after the gate: the warehouse is checkpointed and copied whole, so that
    every briefing of the run reads the same data, in parallel, while the warehouse takes new loads.
    Issued plans' files are copied from their archive here, as issued (never rendered again).
    """
    import duckdb

    from planwatch.atomic_files import remove_leftovers
    from planwatch.briefing.gather import month_end
    from planwatch.briefing.render import FORMATS
    from planwatch.briefing.run import briefing_units
    from planwatch.quality.gate import QualityGateError, blocked_message, decide
    from planwatch.supervision.issuing import deliver_issued_plans
    from planwatch.warehouse import frozen_copy

    out_dir = config.briefings_path(period)
    remove_leftovers(out_dir)  # part files of a render killed midway
    reading = frozen_copy(config.warehouse_path, out_dir.parent / f".reading-{period}-{_safe(run_id)}.duckdb")
    with duckdb.connect(str(reading), read_only=True) as con:
        units, skipped, issued = briefing_units(con, month_end(period), None)
        # never render past a gate that says no, judged on the very copy the briefings read (issued
        # plans come from their archive: no gate judges them again)
        decision = decide(con, month_end(period)) if units else None
    if decision is not None and not decision.publishable:
        reading.unlink(missing_ok=True)
        raise QualityGateError(blocked_message(decision))
    delivered = [str(path) for path in deliver_issued_plans(issued, out_dir, list(FORMATS))]
    log.info("%d briefings to render for %s; %d issued files delivered", len(units), period, len(delivered))
    return {
        "period": period,
        "reading": str(reading),
        "units": [unit.as_dict() for unit in units],
        "delivered_issued": delivered,
        "skipped_plans": skipped,
    }


def render_briefing(plan: dict, unit: dict, config: Settings) -> dict:
    """One briefing (a plan's, a county's, or the summary) in every format, from the run's frozen copy."""
    import duckdb

    from planwatch.briefing.gather import month_end
    from planwatch.briefing.render import FORMATS
    from planwatch.briefing.run import BriefingUnit, render_unit

    out_dir = config.briefings_path(plan["period"])
    with duckdb.connect(plan["reading"], read_only=True) as con:
        result = render_unit(con, BriefingUnit(**unit), month_end(plan["period"]), out_dir, list(FORMATS), config)
    seconds = ", ".join(f"{fmt} {value:.1f} s" for fmt, value in result.seconds_by_format.items())
    names = ", ".join(path.name for path in result.written)
    log.info("%s (gather %.1f s, %s)", names, result.seconds_gathering, seconds)
    return {"files": [str(path) for path in result.written]}


def finish_briefings(plan: dict, rendered: list[dict]) -> dict:
    """Remove the run's frozen copy; fail unless every briefing was written (runs whatever the renders did)."""
    from pathlib import Path

    Path(plan["reading"]).unlink(missing_ok=True)
    Path(plan["reading"] + ".wal").unlink(missing_ok=True)
    files = [*plan["delivered_issued"], *(path for result in rendered for path in result["files"])]
    if len(rendered) != len(plan["units"]):
        raise RuntimeError(f"{len(plan['units']) - len(rendered)} of {len(plan['units'])} briefings not written")
    log.info("%d briefing files for %s", len(files), plan["period"])
    return {
        "period": plan["period"],
        "files": files,
        "skipped_plans": plan["skipped_plans"],
    }


def _safe(run_id: str) -> str:
    return "".join(character if character.isalnum() or character in "-_" else "_" for character in run_id)[:80]
