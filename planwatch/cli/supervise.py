"""The office's commands: review submissions, issue briefings, correct locked months, follow up 督办.

    planwatch states  --period 2026-11 [--plan P]              每个单位的报送状态
    planwatch approve --period 2026-11 --plan P [--department D] [--level county|city]
    planwatch return  --period 2026-11 --department D --reason "…"
    planwatch issue   --period 2026-11 --plan P --stage review --actor A  (审核), then without --stage
                      --actor B, another person (签发)
    planwatch reproduce --period 2026-11 [--plan P]            签发的通报能否原样重新生成（逐字节比对）
    planwatch correct --period 2026-10 --indicator I --region R --value V --reason "…"
    planwatch followup list [--plan P] | close ITEM --reason "…" | forms --period 2026-12

Every decision is recorded with who made it (`--actor`, default $PLANWATCH_ACTOR or the login name)
in `supervision.audit_log`. Exit status 0 done, 1 refused or bad arguments (one line says why and what to do).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console(soft_wrap=True, highlight=False)
followup_app = typer.Typer(help="督办: list, close (销号) and the 整改反馈 forms.", no_args_is_help=True)

Actor = Annotated[str | None, typer.Option(help="who decides (default: $PLANWATCH_ACTOR or the login name)")]
Warehouse = Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")]


def _actor(actor: str | None) -> str:
    return actor or os.environ.get("PLANWATCH_ACTOR") or getpass.getuser()


def _period(period: str, warehouse: Path, plan: str | None = None) -> str:
    """The month asked for, which the warehouse must hold reports for (and the plan, if one is named, known)."""
    month = arguments.month_with_data(warehouse, arguments.month(period))
    if plan is not None:
        arguments.known_plan(plan)
    return str(month)


def _refused(error: Exception) -> typer.Exit:
    arguments.fail(str(error))


def _plan_departments(connection, plan: str | None, period: str) -> list[str]:
    from planwatch.supervision.issuing import plan_departments

    if plan is not None:
        return plan_departments(connection, plan, period)
    found = connection.execute("select department_id from raw.ref_departments order by 1").fetchall()
    return [row[0] for row in found]


def states(
    period: Annotated[str, typer.Option(help="month, YYYY-MM")],
    plan: Annotated[str | None, typer.Option(help="only the departments of this plan")] = None,
    warehouse: Warehouse = None,
) -> None:
    """Each department's report for the month: 未报送, 已报送（待审核）, 已审核, 已退回 or 已锁定.

    A department the month asks nothing of is 本月无报送任务 (and, without --plan, not listed)."""
    import duckdb

    from planwatch.supervision.ledger import ensure_tables
    from planwatch.supervision.states import submission_states

    path = arguments.existing_warehouse(warehouse)
    period = _period(period, path, plan)
    with duckdb.connect(str(path)) as connection:
        ensure_tables(connection)
        try:
            departments = _plan_departments(connection, plan, period)
        except ValueError as error:
            raise _refused(error) from None
        owing = _owing(connection, period)
        for state in submission_states(connection, departments, period):
            if owing is not None and state.state == "not_submitted" and state.department_id not in owing:
                if plan is None:
                    continue  # every department of the registry: only those the month concerns
                label = "本月无报送任务"
            else:
                label = state.label
            reason = f"（退回理由：{state.return_reason}）" if state.return_reason else ""
            console.print(f"{state.department_id}  {state.department_name}  {label}{reason}  files {state.files}")


def _owing(connection, period: str) -> set[str] | None:
    """The departments that owe figures or milestone reports for the month (None before the marts are built)."""
    from planwatch.briefing.marts import table_exists
    from planwatch.periods import Period

    if not table_exists(connection, "marts.mart_submission_completeness"):
        return None
    found = connection.execute(
        "select department_id from marts.mart_submission_completeness where period = ?",
        [Period.parse(period).month_end],
    ).fetchall()
    return {department_id for (department_id,) in found}


def approve(
    period: Annotated[str, typer.Option(help="month, YYYY-MM")],
    plan: Annotated[str | None, typer.Option(help="the plan whose departments are approved")] = None,
    department: Annotated[
        list[str] | None, typer.Option(help="department id (repeatable); default: all waiting")
    ] = None,
    level: Annotated[str | None, typer.Option(help="county or city (default: the next level due)")] = None,
    actor: Actor = None,
    warehouse: Warehouse = None,
) -> None:
    """已审核: approve departments' reports for the month (a county's department: county first, then city)."""
    _decide("approved", period, plan, department, level, None, actor, warehouse)


def return_submission(
    period: Annotated[str, typer.Option(help="month, YYYY-MM")],
    department: Annotated[list[str], typer.Option(help="department id (repeatable)")],
    reason: Annotated[str, typer.Option(help="why, in Chinese: the department reads it in its 退回通知")],
    plan: Annotated[str | None, typer.Option(help="the plan the review is for")] = None,
    level: Annotated[str | None, typer.Option(help="county or city (default: the next level due)")] = None,
    actor: Actor = None,
    warehouse: Warehouse = None,
) -> None:
    """已退回: return departments' reports with a reason; a 退回通知 is written beside their receipts."""
    _decide("returned", period, plan, department, level, reason, actor, warehouse)


def _decide(
    decision: str,
    period: str,
    plan: str | None,
    department: list[str] | None,
    level: str | None,
    reason: str | None,
    actor: str | None,
    warehouse: Path | None,
) -> None:
    import duckdb

    from planwatch.periods import china_today
    from planwatch.supervision.approval import (
        DecisionError,
        decide,
        files_covered,
        resubmission_deadline,
        returning_office,
        write_return_notice,
    )
    from planwatch.supervision.ledger import ensure_tables
    from planwatch.supervision.states import AWAITING_REVIEW, submission_states

    if level is not None:
        arguments.known(level, ["county", "city"], "--level", "level")
    path = arguments.existing_warehouse(warehouse)
    period = _period(period, path, plan)
    config = settings()
    with duckdb.connect(str(path)) as connection:
        ensure_tables(connection)
        try:
            if department:
                chosen = list(department)
            else:
                candidates = _plan_departments(connection, plan, period)
                waiting = submission_states(connection, candidates, period)
                chosen = [s.department_id for s in waiting if s.state in AWAITING_REVIEW]
                if level is not None:  # approving one level for all: only those at that level's turn
                    chosen = [
                        s.department_id
                        for s in waiting
                        if s.department_id in chosen
                        and (level == "city") == (not s.two_levels or s.state != "submitted")
                    ]
            if not chosen:
                console.print(f"{period}: no report waits for review")
                return
            before = {s.department_id: s for s in submission_states(connection, chosen, period)}
            made = decide(connection, chosen, period, decision, _actor(actor), plan_id=plan, level=level, reason=reason)
        except (DecisionError, ValueError) as error:
            raise _refused(error) from None
        for item in made:
            console.print(f"{item.department_name} {period}: {item.level} {item.decision} → {item.state_after}")
            if decision == "returned":
                state = before[item.department_id]
                files = files_covered(connection, item.department_id, period, state.last_load_id or 0)
                office = returning_office(connection, item.department_id, plan, config)
                today = china_today()
                notice = write_return_notice(
                    config.output_path / "receipts",
                    state,
                    period,
                    reason or "",
                    files,
                    office,
                    returned_on=today,
                    resubmit_by=resubmission_deadline(today, config),
                )
                console.print(f"  退回通知: {notice}")
    if decision == "returned":
        console.print("the returned figures leave the marts at the next `planwatch transform`")


def issue(
    period: Annotated[str, typer.Option(help="month, YYYY-MM")],
    plan: Annotated[str, typer.Option(help="plan id")],
    stage: Annotated[str, typer.Option(help="review (审核) or sign (签发)")] = "sign",
    actor: Actor = None,
    warehouse: Warehouse = None,
) -> None:
    """审核 then 签发 the plan's briefing of the month: frozen in the archive, the month locked, 督办 opened."""
    from planwatch.quality.gate import QualityGateError
    from planwatch.supervision.issuing import IssueError, issue_briefing, review_briefing

    arguments.known(stage, ["review", "sign"], "--stage", "stage")
    path = arguments.existing_warehouse(warehouse)
    period = _period(period, path, plan)
    config = settings()
    try:
        if stage == "review":
            number = review_briefing(path, plan, period, _actor(actor), config)
            console.print(f"{plan} {period}: 第{number}期 reviewed (审核); sign it with `planwatch issue` (签发)")
            return
        result = issue_briefing(path, plan, period, _actor(actor), config)
    except (IssueError, QualityGateError, ValueError) as error:
        raise _refused(error) from None
    number, dated = result.issue_number, result.issue_date
    console.print(f"{plan} {period}: 第{number}期 issued (签发), dated {dated}, into {result.archive_dir}")
    for file in result.files:
        console.print(f"  {file}")
    console.print(f"locked for {len(result.locked_departments)} department(s)")
    for item in result.opened:
        console.print(
            f"督办 {item['item_id']}: {item['department_name']} — {item['subject']} (反馈时限 {item['reply_due']})"
        )
    for item_id in result.closed:
        console.print(f"销号 {item_id}")


def reproduce(
    period: Annotated[str, typer.Option(help="the issued month, YYYY-MM")],
    plan: Annotated[str | None, typer.Option(help="only this plan (default: every plan issued for the month)")] = None,
    format: Annotated[str, typer.Option(help="comma-separated: html,pdf,docx")] = "html,pdf,docx",
    warehouse: Warehouse = None,
) -> None:
    """Re-render the month's issued briefings from their archived contexts and compare them byte for byte.

    A month's run delivers the archived files as issued and never renders them again; this asks whether
    the renderer (templates, fonts, libraries) still gives the issued bytes. Nothing is written.
    """
    import tempfile

    import duckdb

    from planwatch.briefing.render import FORMATS
    from planwatch.supervision.issuing import (
        IssuedArchiveAlteredError,
        IssuedBriefingChangedError,
        issued_plans,
        reproduce,
        verify_archive,
    )

    formats = [part.strip() for part in format.split(",") if part.strip()]
    for fmt in formats:
        arguments.known(fmt, FORMATS, "--format", "format")
    path = arguments.existing_warehouse(warehouse)
    if plan is not None:
        arguments.known_plan(plan)
    month = str(arguments.month(period))
    with duckdb.connect(str(path), read_only=True) as connection:
        archives = issued_plans(connection, month)
    if plan is not None:
        archives = {plan_id: archive for plan_id, archive in archives.items() if plan_id == plan}
    if not archives:
        arguments.fail(f"{month}: no briefing issued{f' for {plan}' if plan else ''}; nothing to reproduce")
    differing = []
    for plan_id, archive in sorted(archives.items()):
        try:
            verify_archive(archive)
            with tempfile.TemporaryDirectory() as scratch:
                files = reproduce(archive, Path(scratch), formats)
        except IssuedArchiveAlteredError as error:
            arguments.fail(str(error))
        except IssuedBriefingChangedError as error:
            differing.append(plan_id)
            console.print(f"[red]{plan_id} {month}: {error}[/]")
            continue
        console.print(f"{plan_id} {month}: {len(files)} files re-rendered, each the issued bytes ({archive})")
    if differing:
        arguments.fail(
            f"{month}: the renderer no longer gives the issued bytes for {', '.join(differing)}; "
            "the archived files stand and are what every run delivers"
        )


def correct(
    period: Annotated[str, typer.Option(help="the locked month, YYYY-MM")],
    indicator: Annotated[str, typer.Option(help="indicator code")],
    region: Annotated[str, typer.Option(help="region code (GB/T 2260)")],
    value: Annotated[float, typer.Option(help="the corrected value, in the figure's unit")],
    reason: Annotated[str, typer.Option(help="why, as the department's request says")],
    measure: Annotated[str | None, typer.Option(help="month_value, ytd_value … when the figure has several")] = None,
    actor: Actor = None,
    warehouse: Warehouse = None,
) -> None:
    """Correct a figure of a locked month (recorded: who, why, old and new); `transform` afterwards."""
    import duckdb

    from planwatch.registry.load import load_registry
    from planwatch.supervision.corrections import CorrectionError
    from planwatch.supervision.corrections import correct as record

    path = arguments.existing_warehouse(warehouse)
    period = _period(period, path)
    reference = load_registry(settings().plans_path).reference
    with duckdb.connect(str(path)) as connection:
        try:
            done = record(connection, indicator, region, period, value, reason, _actor(actor), measure, reference)
        except CorrectionError as error:
            raise _refused(error) from None
    console.print(
        f"更正登记第{done.correction_id}号: {indicator} {region} {period} {done.measure} "
        f"{done.old_value} → {done.new_value} {done.unit}; run `planwatch transform`"
    )


@followup_app.command("list")
def list_items(
    plan: Annotated[str | None, typer.Option(help="only this plan")] = None,
    as_of: Annotated[str | None, typer.Option(help="judge on this day, YYYY-MM-DD (default: today)")] = None,
    warehouse: Warehouse = None,
) -> None:
    """Every 督办事项 with its state as of a day: 办理中, 已反馈, 逾期未反馈 or 已销号."""
    import duckdb

    from planwatch.periods import china_today
    from planwatch.supervision.follow_up import item_lines
    from planwatch.supervision.ledger import ensure_tables

    day = arguments.day(as_of, "--as-of") if as_of else china_today()
    if plan is not None:
        arguments.known_plan(plan)
    with duckdb.connect(str(arguments.existing_warehouse(warehouse))) as connection:
        ensure_tables(connection)
        plans = (
            [plan]
            if plan
            else [row[0] for row in connection.execute("select plan_id from raw.registry_plans").fetchall()]
        )
        for plan_id in plans:
            for item in item_lines(connection, plan_id, "9999-12", day):
                console.print(
                    f"{item['item_id']}  {item['department_name']}  {item['subject']}  "
                    f"反馈时限 {item['reply_due']}  {item['status_label']}"
                )


@followup_app.command("close")
def close(
    item: Annotated[str, typer.Argument(help="督办编号")],
    reason: Annotated[str, typer.Option(help="why the item is closed (销号)")],
    date: Annotated[
        str | None,
        typer.Option(help="the day the office decided the 销号, YYYY-MM-DD, when recorded later (default: today)"),
    ] = None,
    actor: Actor = None,
    warehouse: Warehouse = None,
) -> None:
    """销号: close a 督办事项 with a reason; a briefing issued after the day shows it closed."""
    import duckdb

    from planwatch.supervision.follow_up import close_item, still_lagging
    from planwatch.supervision.ledger import transaction

    with duckdb.connect(str(arguments.existing_warehouse(warehouse))) as connection:
        try:
            with transaction(connection):
                close_item(connection, item, _actor(actor), reason, arguments.day(date, "--date") if date else None)
        except ValueError as error:
            raise _refused(error) from None
        lagging = still_lagging(connection, item)
    console.print(f"{item}: 已销号")
    if lagging:
        console.print(f"[yellow]注意：{lagging}；如下期通报仍滞后，将重新交办督办事项[/]")


@followup_app.command("forms")
def forms(
    period: Annotated[str, typer.Option(help="the issued month whose open items are asked about, YYYY-MM")],
    out: Annotated[Path | None, typer.Option(help="folder (default: output/follow_up/<period>)")] = None,
    warehouse: Warehouse = None,
) -> None:
    """Write each department's 整改反馈 form for its open 督办事项 (sent back through `planwatch ingest`)."""
    import duckdb

    from planwatch.supervision.follow_up import write_reply_forms
    from planwatch.supervision.ledger import ensure_tables

    path = arguments.existing_warehouse(warehouse)
    period = _period(period, path)
    config = settings()
    folder = out or config.output_path / "follow_up" / period
    with duckdb.connect(str(path)) as connection:
        ensure_tables(connection)
        written = write_reply_forms(
            connection, period, folder, config.briefing_issuer or config.briefing_summary_issuer
        )
    for path in written:
        console.print(str(path))
    console.print(f"{len(written)} 整改反馈 form(s) in {folder}")
