"""`planwatch check`: run the data quality checkpoints for a month, show the gate, record an override.

Exit 0 when the month may be published (no critical failure, or an override covers them), 1 when
the gate blocks it or there is nothing to check. GX is imported only when checks actually run.
A range (`--period 2021-01..2025-12`, after loading years of history) checks each month with data
in one process: Great Expectations is imported once, the data docs built once after the last month;
exit 1 when any month is blocked, after all are checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

if TYPE_CHECKING:
    from planwatch.quality.gate import GateDecision
    from planwatch.quality.run import Timings
    from planwatch.quality.store import RunRecord

console = Console(stderr=True, soft_wrap=True)


def check(
    period: Annotated[
        str | None,
        typer.Option(
            help="month to check, YYYY-MM, or a range YYYY-MM..YYYY-MM (each month with data; default: the newest)"
        ),
    ] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    output: Annotated[
        Path | None, typer.Option(help="output folder; results and data docs go to <output>/quality")
    ] = None,
    checkpoint: Annotated[
        list[str] | None, typer.Option(help="only these checkpoints: submissions, marts, completeness")
    ] = None,
    override: Annotated[
        str | None,
        typer.Option(help="release the month despite its critical failures, for this reason (no checks run)"),
    ] = None,
    operator: Annotated[str | None, typer.Option(help="who overrides (required with --override)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the run and the gate as JSON on stdout")] = False,
) -> None:
    """Run the Great Expectations checkpoints for a month (or each month of a range) and apply the publication gate."""
    from planwatch.quality.gate import QualityGateError, blocked_message, decide, record_override
    from planwatch.warehouse import connect

    warehouse = arguments.existing_warehouse(warehouse)
    months: list[str | None] = [None]  # the newest month with data
    is_range = period is not None and arguments.RANGE_SEPARATOR in period  # a range behaves as one, whatever holds data
    if period is not None:
        months = [str(month) for month in arguments.months_with_data(warehouse, arguments.months(period))]

    if override is not None:
        if not operator or period is None or is_range:
            arguments.fail("--override needs --operator (who) and --period (which month: one, not a range)")
        try:
            recorded = record_override(warehouse, months[0], operator, override)
        except (QualityGateError, ValueError) as error:
            arguments.fail(str(error))
        console.print(
            f"{months[0]}: released by {recorded.operator} at {recorded.overridden_at:%Y-%m-%d %H:%M} "
            f"despite {', '.join(recorded.checks)}; the briefing will say so.",
            highlight=False,
        )
        return

    from planwatch.quality.run import NoDataError, run_checks
    from planwatch.quality.suites import CHECKPOINTS

    for name in checkpoint or []:
        arguments.known(name, CHECKPOINTS, "--checkpoint", "checkpoint")
    blocked, reports = [], []
    for index, month in enumerate(months):
        last = index == len(months) - 1
        try:
            with arguments.working(f"checking {month or 'the newest month'} (Great Expectations)"):
                # a range builds the data docs once, after its last month: they show every run
                record, timings = run_checks(
                    warehouse, month, output or settings().output_path, checkpoint or None, data_docs=last
                )
        except NoDataError as error:
            if not is_range:
                arguments.fail(str(error))
            console.print(f"{month}: not checked: {error}", highlight=False)
            continue
        with connect(warehouse) as con:
            decision = decide(con, record.period)
        reports.append(_as_json(record, timings, decision))
        _print_run(record, timings)
        if not decision.publishable:
            blocked.append(record.period)
            console.print(blocked_message(decision), highlight=False)
        elif decision.override is not None:
            console.print(f"{record.period}: publishable under the override of {decision.override.operator}")
    if as_json:
        print(json.dumps(reports if is_range else reports[0], ensure_ascii=False))
    if is_range:
        console.print(
            f"{len(reports)} months checked, {len(blocked)} blocked" + (f": {', '.join(blocked)}" if blocked else ""),
            highlight=False,
        )
    if blocked:
        raise typer.Exit(code=1)


def _as_json(record: RunRecord, timings: Timings, decision: GateDecision) -> dict[str, object]:
    from planwatch.quality.run import ROWS_CHECKED

    return {
        "run_id": record.run_id,
        "period": record.period,
        "publishable": decision.publishable,
        "critical_failures": [outcome.qualified_name for outcome in record.critical_failures],
        "warnings": [outcome.qualified_name for outcome in record.warnings],
        "checks": len(record.outcomes),
        "rows_checked": {
            outcome.suite: outcome.element_count for outcome in record.outcomes if outcome.check_name == ROWS_CHECKED
        },
        "data_docs": record.data_docs,
        "seconds": {name: round(value, 3) for name, value in vars(timings).items()},
    }


def _print_run(record: RunRecord, timings: Timings) -> None:
    from planwatch.quality.run import ROWS_CHECKED

    for outcome in record.outcomes:
        if outcome.check_name == ROWS_CHECKED:
            console.print(f"  {outcome.suite}: {outcome.element_count} rows checked", highlight=False)
    for outcome in record.warnings:
        files = f" — {', '.join(outcome.files[:3])}" if outcome.files else ""
        console.print(
            f"! {outcome.qualified_name}: {outcome.message} ({outcome.unexpected_count}){files}", highlight=False
        )
    docs = f"; data docs {record.data_docs}" if record.data_docs else ""
    console.print(
        f"{record.period}: {len(record.outcomes)} checks, {len(record.critical_failures)} critical, "
        f"{len(record.warnings)} warnings; GX context {timings.gx_context:.2f}s (+ import {timings.gx_import:.1f}s), "
        f"checkpoints {timings.checkpoints:.2f}s{docs}",
        highlight=False,
    )
