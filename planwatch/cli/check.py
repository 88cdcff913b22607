"""`planwatch check`: run the data quality checkpoints for a month, show the gate, record an override.

Exit 0 when the month may be published (no critical failure, or an override covers them), 1 when
the gate blocks it or there is nothing to check. GX is imported only when checks actually run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console(stderr=True, soft_wrap=True)


def check(
    period: Annotated[
        str | None, typer.Option(help="month to check, YYYY-MM (default: the newest month with data)")
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
    """Run the Great Expectations checkpoints for a month and apply the publication gate."""
    from planwatch.quality.gate import QualityGateError, blocked_message, decide, record_override
    from planwatch.warehouse import connect

    warehouse = arguments.existing_warehouse(warehouse)
    if period is not None:
        period = str(arguments.month_with_data(warehouse, arguments.month(period)))

    if override is not None:
        if not operator or period is None:
            arguments.fail("--override needs --operator (who) and --period (which month)")
        try:
            recorded = record_override(warehouse, period, operator, override)
        except (QualityGateError, ValueError) as error:
            arguments.fail(str(error))
        console.print(
            f"{period}: released by {recorded.operator} at {recorded.overridden_at:%Y-%m-%d %H:%M} "
            f"despite {', '.join(recorded.checks)}; the briefing will say so.",
            highlight=False,
        )
        return

    from planwatch.quality.run import ROWS_CHECKED, NoDataError, run_checks
    from planwatch.quality.suites import CHECKPOINTS

    for name in checkpoint or []:
        arguments.known(name, CHECKPOINTS, "--checkpoint", "checkpoint")
    try:
        with arguments.working(f"checking {period or 'the newest month'} (Great Expectations)"):
            record, timings = run_checks(warehouse, period, output or settings().output_path, checkpoint or None)
    except NoDataError as error:
        arguments.fail(str(error))
    with connect(warehouse) as con:
        decision = decide(con, record.period)

    if as_json:
        print(
            json.dumps(
                {
                    "run_id": record.run_id,
                    "period": record.period,
                    "publishable": decision.publishable,
                    "critical_failures": [outcome.qualified_name for outcome in record.critical_failures],
                    "warnings": [outcome.qualified_name for outcome in record.warnings],
                    "checks": len(record.outcomes),
                    "rows_checked": {
                        outcome.suite: outcome.element_count
                        for outcome in record.outcomes
                        if outcome.check_name == ROWS_CHECKED
                    },
                    "data_docs": record.data_docs,
                    "seconds": {name: round(value, 3) for name, value in vars(timings).items()},
                },
                ensure_ascii=False,
            )
        )
    for outcome in record.outcomes:
        if outcome.check_name == ROWS_CHECKED:
            console.print(f"  {outcome.suite}: {outcome.element_count} rows checked", highlight=False)
    for outcome in record.warnings:
        files = f" — {', '.join(outcome.files[:3])}" if outcome.files else ""
        console.print(
            f"! {outcome.qualified_name}: {outcome.message} ({outcome.unexpected_count}){files}", highlight=False
        )
    console.print(
        f"{record.period}: {len(record.outcomes)} checks, {len(record.critical_failures)} critical, "
        f"{len(record.warnings)} warnings; GX context {timings.gx_context:.2f}s (+ import {timings.gx_import:.1f}s), "
        f"checkpoints {timings.checkpoints:.2f}s; data docs {record.data_docs}",
        highlight=False,
    )
    if not decision.publishable:
        console.print(blocked_message(decision), highlight=False)
        raise typer.Exit(code=1)
    if decision.override is not None:
        console.print(f"{record.period}: publishable under the override of {decision.override.operator}")
